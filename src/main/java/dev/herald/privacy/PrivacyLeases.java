package dev.herald.privacy;

import dev.herald.platform.Leases;
import java.time.Clock;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The leases on privacy's job tables (platform's {@link Leases}): account exports, shared fairly by organization, and purges. */
@Configuration(proxyBeanMethods = false)
class PrivacyLeases {
  static final String EXPORTS = "accountExportLeases";
  static final String PURGES = "accountPurgeLeases";
  /** An export renews at every chunk of about 1 MB and every part; a node silent for this long is taken over. */
  static final Duration EXPORT_TERM = Duration.ofMinutes(2);
  /**
   * A purge is one transaction (count, delete, certificate) whose row lock keeps claims away however long it runs; the
   * term only covers a node that died before it began.
   */
  static final Duration PURGE_TERM = Duration.ofMinutes(5);

  @Bean(EXPORTS)
  Leases accountExportLeases(JdbcClient jdbc, Clock clock) {
    return new Leases(jdbc, clock, Leases.thisNode(), "organization_export", EXPORT_TERM, "organization_id");
  }

  @Bean(PURGES)
  Leases accountPurgeLeases(JdbcClient jdbc, Clock clock) {
    return new Leases(jdbc, clock, Leases.thisNode(), "organization_purge", PURGE_TERM);
  }
}
