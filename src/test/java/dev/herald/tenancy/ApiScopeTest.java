package dev.herald.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ApiScopeTest {

  @Test
  void campaign_scopes_reach_the_templates_and_media_a_campaign_is_written_with() {
    // Issue 11 names campaigns:read/write for the templates and media API as well as for campaigns.
    assertThat(ApiScope.permissionsOf(List.of("campaigns:read")))
        .containsExactlyInAnyOrder(Permission.CAMPAIGNS_READ, Permission.TEMPLATES_READ);
    assertThat(ApiScope.permissionsOf(List.of("campaigns:write"))).containsExactlyInAnyOrder(
        Permission.CAMPAIGNS_READ, Permission.CAMPAIGNS_WRITE, Permission.TEMPLATES_READ, Permission.TEMPLATES_WRITE);
  }

  @Test
  void template_scopes_stay_narrow() {
    assertThat(ApiScope.permissionsOf(List.of("templates:write")))
        .containsExactlyInAnyOrder(Permission.TEMPLATES_READ, Permission.TEMPLATES_WRITE);
  }
}
