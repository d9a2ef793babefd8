package dev.herald.audiences;

import dev.herald.tenancy.SubscriberCounts;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Tenancy's port for the operator's organization list: subscribers per organization, one query per page. */
@Component
class OrganizationSubscriberCounts implements SubscriberCounts {
  private final JdbcClient jdbc;

  OrganizationSubscriberCounts(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** One range of the (organization_id, created_at) index per organization of the page. */
  @Override
  public Map<Long, Long> byOrganization(Collection<Long> organizationIds) {
    Map<Long, Long> counts = new HashMap<>();
    if (organizationIds.isEmpty()) return counts;
    jdbc.sql("select organization_id, count(*) from subscriber where organization_id = any(?) group by organization_id")
        .param(organizationIds.toArray(Long[]::new))
        .query(rs -> {
          counts.put(rs.getLong(1), rs.getLong(2));
        });
    return counts;
  }
}
