package dev.herald.platform;

import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class PlatformConfiguration {
  /** Injected everywhere time matters, so expiry and retention are tested without sleeping. */
  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }
}
