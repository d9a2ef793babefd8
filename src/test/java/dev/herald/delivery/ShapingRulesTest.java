package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShapingRulesTest {
  final ShapingRules rules = new ShapingRules(ShapingRules.KUMOMTA_DEFAULT, List.of());

  @Test
  void gmail_and_google_workspace_mx_hosts_are_one_site_with_kumomtas_limits() {
    Site gmail = rules.site(List.of("gmail-smtp-in.l.google.com", "alt1.gmail-smtp-in.l.google.com."));
    Site workspace = rules.site(List.of("ASPMX.L.GOOGLE.COM", "alt2.aspmx.l.google.com"));
    Site googlemail = rules.site(List.of("gmr-smtp-in.l.googlemail.com"));
    assertThat(gmail.name()).isEqualTo("google");
    assertThat(workspace).isEqualTo(gmail);
    assertThat(googlemail).isEqualTo(gmail);
    assertThat(gmail.shaping()).isEqualTo(new Shaping(5, 50, Rate.parse("100/s")));
  }

  @Test
  void the_large_providers_get_kumomtas_limits_by_mx_suffix() {
    assertThat(rules.site(List.of("mta5.am0.yahoodns.net", "mta6.am0.yahoodns.net")))
        .isEqualTo(new Site("yahoo", new Shaping(10, 20, Rate.parse("100/s"))));
    assertThat(rules.site(List.of("hotmail-com.olc.protection.outlook.com")))
        .isEqualTo(new Site("outlook", new Shaping(5, 50, Rate.parse("100/s"))));
    assertThat(rules.site(List.of("contoso-com.mail.protection.outlook.com")))
        .isEqualTo(new Site("office365", new Shaping(5, 50, Rate.parse("100/s"))));
    assertThat(rules.site(List.of("contoso-com.r-v1.mx.microsoft")).name()).isEqualTo("office365-dane");
    assertThat(rules.site(List.of("mx01.mail.icloud.com", "mx02.mail.icloud.com")))
        .isEqualTo(new Site("apple", new Shaping(10, 5, Rate.parse("100/s"))));
  }

  @Test
  void the_largest_connection_limit_is_the_most_any_site_may_open() {
    assertThat(rules.largestConnectionLimit()).isEqualTo(10);
    assertThat(new ShapingRules(ShapingRules.KUMOMTA_DEFAULT, List.of(new ShapingRules.Override(".big.example", 40, null, null),
        new ShapingRules.Override(".small.example", 2, null, null))).largestConnectionLimit()).isEqualTo(40);
    assertThat(new ShapingRules(new Shaping(3, 100, Rate.parse("1/s")), List.of()).largestConnectionLimit())
        .as("apple's 10 is above this default").isEqualTo(10);
  }

  @Test
  void any_other_destination_is_its_mx_host_set_under_the_default() {
    Site a = rules.site(List.of("mx2.example.net", "MX1.example.net."));
    Site b = rules.site(List.of("mx1.example.net", "mx2.example.net"));
    assertThat(a).isEqualTo(b);
    assertThat(a.name()).isEqualTo("mx1.example.net,mx2.example.net");
    assertThat(a.shaping()).isEqualTo(ShapingRules.KUMOMTA_DEFAULT);
    assertThat(ShapingRules.KUMOMTA_DEFAULT).isEqualTo(new Shaping(10, 100, new Rate(100, Duration.ofSeconds(1))));
  }

  @Test
  void a_provider_applies_only_when_every_mx_host_is_its_own() {
    Site mixed = rules.site(List.of("aspmx.l.google.com", "backup.example.net"));
    assertThat(mixed.name()).isEqualTo("aspmx.l.google.com,backup.example.net");
    assertThat(mixed.shaping()).isEqualTo(ShapingRules.KUMOMTA_DEFAULT);
    // A suffix matches on a label boundary: notgoogle.com is not google.com.
    assertThat(rules.site(List.of("mx.notgoogle.com")).name()).isEqualTo("mx.notgoogle.com");
  }

  @Test
  void an_override_changes_the_values_it_gives_and_keeps_the_providers_others() {
    ShapingRules overridden = new ShapingRules(new Shaping(20, 200, Rate.parse("50/s")), List.of(
        new ShapingRules.Override("google.com", 2, null, Rate.parse("600/min")),
        new ShapingRules.Override(".example.net", null, 10, null)));
    assertThat(overridden.site(List.of("aspmx.l.google.com")))
        .isEqualTo(new Site("google", new Shaping(2, 50, Rate.parse("600/min"))));
    assertThat(overridden.site(List.of("mx1.example.net", "mx2.eu.example.net")))
        .isEqualTo(new Site(".example.net", new Shaping(20, 10, Rate.parse("50/s"))));
    assertThat(overridden.site(List.of("mx.example.org")).shaping()).isEqualTo(new Shaping(20, 200, Rate.parse("50/s")));
  }

  @Test
  void a_site_needs_a_host() {
    assertThatThrownBy(() -> rules.site(List.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rates_read_as_kumomta_writes_them() {
    assertThat(Rate.parse("100/s")).isEqualTo(new Rate(100, Duration.ofSeconds(1)));
    assertThat(Rate.parse("20/min")).isEqualTo(new Rate(20, Duration.ofMinutes(1)));
    assertThat(Rate.parse(" 1000/H ")).isEqualTo(new Rate(1000, Duration.ofHours(1)));
    assertThat(Rate.parse("20/min").toString()).isEqualTo("20/min");
    for (String bad : List.of("0/s", "100", "100/day", "-1/s", "1.5/s", "/s")) {
      assertThatThrownBy(() -> Rate.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
