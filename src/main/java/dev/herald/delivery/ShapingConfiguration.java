package dev.herald.delivery;

import dev.herald.platform.HeraldProperties;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The queue's policies, from {@code herald.delivery.shaping.*} and {@code herald.delivery.retry.*}. */
@Configuration(proxyBeanMethods = false)
class ShapingConfiguration {

  @Bean
  ShapingRules shapingRules(HeraldProperties properties) {
    return ShapingRules.from(properties.delivery().shaping());
  }

  /** One per node: its limits count this node's connections and messages. */
  @Bean
  Destinations destinations(HeraldProperties properties, Clock clock) {
    HeraldProperties.Delivery.Shaping shaping = properties.delivery().shaping();
    return new Destinations(clock, new Backoff(shaping.backoff(), shaping.maxBackoff()));
  }

  @Bean
  RetrySchedule retrySchedule(HeraldProperties properties) {
    return RetrySchedule.from(properties.delivery().retry());
  }
}
