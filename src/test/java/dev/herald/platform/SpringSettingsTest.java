package dev.herald.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;

/** The settings Spring applies (session, shutdown, disk, upload size) are the ones HeraldProperties checked. */
@SpringBootTest(properties = {"herald.session-timeout=2h", "herald.shutdown-timeout=45s", "herald.min-free-disk=2GB",
    "herald.max-import-size=3MB"})
class SpringSettingsTest {
  @Autowired Environment environment;
  @Autowired HeraldProperties properties;

  @Test
  void spring_reads_the_checked_herald_settings() {
    assertThat(properties.sessionTimeout()).hasHours(2);
    assertThat(environment.getProperty("spring.session.timeout")).isEqualTo("2h");
    assertThat(environment.getProperty("spring.lifecycle.timeout-per-shutdown-phase")).isEqualTo("45s");
    assertThat(environment.getProperty("management.health.diskspace.threshold")).isEqualTo("2GB");
    assertThat(environment.getProperty("spring.servlet.multipart.max-file-size")).isEqualTo("3MB");
    assertThat(environment.getProperty("spring.servlet.multipart.max-request-size")).isEqualTo("3MB");
  }
}
