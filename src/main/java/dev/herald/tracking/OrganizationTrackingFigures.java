package dev.herald.tracking;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * An organization's opens and clicks over time, for reports: people's and machines' (privacy proxies, link scanners:
 * {@link MachineDetector}) apart. Every event counts, not unique readers: an anonymous event (the default privacy
 * setting) names no recipient to count once. One grouped query over {@code tracking_event_org_time}.
 */
@Component
public class OrganizationTrackingFigures {
  private final JdbcClient jdbc;

  OrganizationTrackingFigures(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** One UTC day's events. */
  public record Day(LocalDate day, long opens, long clicks, long machineOpens, long machineClicks) {}

  /** The days from {@code from} (inclusive) to {@code to} (exclusive) that had any event, in order. */
  public List<Day> daily(long organizationId, Instant from, Instant to) {
    return jdbc.sql("""
        select (occurred_at at time zone 'UTC')::date as day,
               count(*) filter (where kind = 'open' and not machine), count(*) filter (where kind = 'click' and not machine),
               count(*) filter (where kind = 'open' and machine), count(*) filter (where kind = 'click' and machine)
        from tracking_event
        where organization_id = ? and occurred_at >= ? and occurred_at < ?
        group by day order by day""")
        .params(organizationId, Timestamp.from(from), Timestamp.from(to))
        .query((rs, i) -> new Day(rs.getObject(1, LocalDate.class), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5))).list();
  }
}
