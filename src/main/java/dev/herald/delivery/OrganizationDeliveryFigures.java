package dev.herald.delivery;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * An organization's delivery figures over time, for reports: how many of its recipients ended delivered (the
 * receiving server took the message) or bounced (it refused the recipient during delivery) on each day. One grouped
 * query over the index {@code outbound_recipient_org_finished}; reports never read delivery's tables.
 */
@Component
public class OrganizationDeliveryFigures {
  private final JdbcClient jdbc;

  OrganizationDeliveryFigures(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** One UTC day's final answers. */
  public record Day(LocalDate day, long delivered, long bounced) {}

  /** The days from {@code from} (inclusive) to {@code to} (exclusive) that had any final answer, in order. */
  public List<Day> daily(long organizationId, Instant from, Instant to) {
    return jdbc.sql("""
        select (finished_at at time zone 'UTC')::date as day,
               count(*) filter (where state = 'delivered'), count(*) filter (where state = 'bounced')
        from outbound_recipient
        where organization_id = ? and state in ('delivered', 'bounced') and finished_at >= ? and finished_at < ?
        group by day order by day""")
        .params(organizationId, Timestamp.from(from), Timestamp.from(to))
        .query((rs, i) -> new Day(rs.getObject(1, LocalDate.class), rs.getLong(2), rs.getLong(3))).list();
  }
}
