package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.platform.HeraldProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** {@code herald.delivery.shaping.*} and {@code herald.delivery.retry.*} become the queue's policies. */
class DeliverySettingsTest {

  static HeraldProperties bind(Map<String, Object> environment) {
    var source = new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, environment);
    return new Binder(ConfigurationPropertySources.from(source)).bindOrCreate("herald", HeraldProperties.class);
  }

  @Test
  void by_default_the_limits_are_kumomtas_and_retries_follow_rfc_5321() {
    HeraldProperties.Delivery delivery = bind(Map.of()).delivery();
    ShapingRules rules = ShapingRules.from(delivery.shaping());
    assertThat(rules.site(List.of("mx.example.net")).shaping()).isEqualTo(ShapingRules.KUMOMTA_DEFAULT);
    assertThat(rules.site(List.of("aspmx.l.google.com")).shaping()).isEqualTo(new Shaping(5, 50, Rate.parse("100/s")));
    assertThat(delivery.shaping().backoff()).isEqualTo(Duration.ofMinutes(1));
    assertThat(delivery.shaping().maxBackoff()).isEqualTo(Duration.ofHours(1));

    RetrySchedule retry = RetrySchedule.from(delivery.retry());
    assertThat(retry).extracting(RetrySchedule::first, RetrySchedule::maxInterval, RetrySchedule::giveUp, RetrySchedule::jitter)
        .containsExactly(Duration.ofMinutes(5), Duration.ofHours(2), Duration.ofDays(5), 0.1);
  }

  @Test
  void environment_variables_set_the_defaults_and_per_suffix_sites() {
    HeraldProperties.Delivery delivery = bind(Map.of(
        "HERALD_DELIVERY_SHAPING_CONNECTION_LIMIT", "4",
        "HERALD_DELIVERY_SHAPING_MESSAGE_RATE", "600/min",
        "HERALD_DELIVERY_SHAPING_SITES_0_MX_SUFFIX", ".google.com",
        "HERALD_DELIVERY_SHAPING_SITES_0_CONNECTION_LIMIT", "2",
        "HERALD_DELIVERY_SHAPING_SITES_1_MX_SUFFIX", "example.net",
        "HERALD_DELIVERY_SHAPING_SITES_1_MESSAGE_RATE", "1000/h",
        "HERALD_DELIVERY_RETRY_FIRST", "10m",
        "HERALD_DELIVERY_RETRY_GIVE_UP", "3d",
        "HERALD_DELIVERY_RETRY_JITTER_PERCENT", "0")).delivery();
    ShapingRules rules = ShapingRules.from(delivery.shaping());
    assertThat(rules.site(List.of("mx.example.org")).shaping()).isEqualTo(new Shaping(4, 100, Rate.parse("600/min")));
    assertThat(rules.site(List.of("aspmx.l.google.com"))).isEqualTo(new Site("google", new Shaping(2, 50, Rate.parse("600/min"))));
    assertThat(rules.site(List.of("mx1.example.net"))).isEqualTo(new Site(".example.net", new Shaping(4, 100, Rate.parse("1000/h"))));

    RetrySchedule retry = RetrySchedule.from(delivery.retry());
    Instant queued = Instant.parse("2026-12-06T12:00:00Z");
    assertThat(retry.next(queued, 1, queued)).isEqualTo(new RetrySchedule.Next.RetryAt(queued.plus(Duration.ofMinutes(10))));
    assertThat(retry.next(queued, 9, queued.plus(Duration.ofDays(3)))).isEqualTo(new RetrySchedule.Next.Expired());
  }
}
