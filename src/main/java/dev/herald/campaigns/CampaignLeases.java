package dev.herald.campaigns;

import dev.herald.platform.Leases;
import java.time.Clock;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The leases on {@code campaign_send} (platform's {@link Leases}), shared fairly by organization: one organization's
 * large campaign never holds back another's.
 */
@Configuration(proxyBeanMethods = false)
class CampaignLeases {
  static final String BEAN = "campaignSendLeases";
  /**
   * The hand-off renews at every chunk (a second or less apart) and at least every {@link CampaignHandOff#MAX_WAIT}
   * while throttled; a node silent for this long is taken over.
   */
  static final Duration TERM = Duration.ofMinutes(2);

  @Bean(BEAN)
  Leases campaignSendLeases(JdbcClient jdbc, Clock clock) {
    return new Leases(jdbc, clock, Leases.thisNode(), "campaign_send", TERM, "organization_id");
  }
}
