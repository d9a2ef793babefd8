package dev.herald.testsupport;

import java.time.Instant;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/** {@code @Import(TestClock.class)}: the application's clock becomes a {@link MutableClock} the test can advance. */
@TestConfiguration
public class TestClock {
  @Bean
  @Primary
  MutableClock testClock() {
    return new MutableClock(Instant.now());
  }
}
