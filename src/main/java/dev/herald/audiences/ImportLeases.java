package dev.herald.audiences;

import dev.herald.platform.Leases;
import java.time.Clock;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The leases on {@code import_job} (platform's {@link Leases}), shared by the worker, staging and the merge,
 * shared fairly by organization: one organization's queued imports never hold back another's.
 */
@Configuration(proxyBeanMethods = false)
class ImportLeases {
  static final String BEAN = "importJobLeases";
  /**
   * A worker renews at every chunk of staged rows (seconds apart) and at the start of the merge, whose row
   * lock then keeps claims away however long the merge runs; a node silent for this long is taken over.
   */
  static final Duration TERM = Duration.ofMinutes(2);

  @Bean(BEAN)
  Leases importJobLeases(JdbcClient jdbc, Clock clock) {
    return new Leases(jdbc, clock, Leases.thisNode(), "import_job", TERM, "organization_id");
  }
}
