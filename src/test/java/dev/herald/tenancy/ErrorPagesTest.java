package dev.herald.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import dev.herald.testsupport.WebClient;
import java.util.Map;

/** A refused page is a page a person can read, in the panel's frame, not raw JSON. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(Fixtures.class)
class ErrorPagesTest {
  @LocalServerPort int port;
  @Autowired Fixtures fixtures;

  @Test
  void a_viewer_opening_api_keys_gets_a_readable_403_page() {
    HeraldUser owner = fixtures.person("owner@errors.test");
    Organizations.Organization org = fixtures.organization("Errors Co", owner);
    fixtures.member(org, "viewer@errors.test", Role.viewer);
    WebClient web = new WebClient(port);
    web.submit("/login", "/login", Map.of("email", "viewer@errors.test", "password", Fixtures.PASSWORD));
    WebClient.Page page = web.getHtml("/o/" + org.slug() + "/api-keys");
    assertThat(page.status()).isEqualTo(403);
    assertThat(page.body()).contains("403 · Not allowed").contains("Errors Co");
  }
}
