package dev.herald.reports;

import dev.herald.delivery.OrganizationDeliveryFigures;
import dev.herald.feedback.OrganizationFeedbackFigures;
import dev.herald.tracking.OrganizationTrackingFigures;
import java.sql.Date;
import java.time.LocalDate;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The stored figures of an organization's closed days ({@code organization_report_day}, V92 says why and when a day is
 * closed): the owners' daily figures of delivery, feedback and tracking, one row per day, a day without mail too.
 */
@Component
class OrganizationReportDays {
  /** One day as delivery, feedback and tracking counted it. */
  record Figures(OrganizationDeliveryFigures.Day delivery, OrganizationFeedbackFigures.Day feedback, OrganizationTrackingFigures.Day tracking) {
    static Figures none(LocalDate day) {
      return new Figures(new OrganizationDeliveryFigures.Day(day, 0, 0), new OrganizationFeedbackFigures.Day(day, 0, 0, 0),
          new OrganizationTrackingFigures.Day(day, 0, 0, 0, 0));
    }
  }

  private final JdbcClient jdbc;

  OrganizationReportDays(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** The stored days from {@code first} to {@code last}, both included. */
  Map<LocalDate, Figures> read(long organizationId, LocalDate first, LocalDate last) {
    Map<LocalDate, Figures> out = new HashMap<>();
    jdbc.sql("""
        select day, delivered, bounced, later_bounces, hard_bounces, complaints, opens, clicks, machine_opens, machine_clicks
        from organization_report_day where organization_id = ? and day between ? and ?""")
        .params(organizationId, Date.valueOf(first), Date.valueOf(last))
        .query(rs -> {
          LocalDate day = rs.getObject(1, LocalDate.class);
          out.put(day, new Figures(new OrganizationDeliveryFigures.Day(day, rs.getLong(2), rs.getLong(3)),
              new OrganizationFeedbackFigures.Day(day, rs.getLong(4), rs.getLong(5), rs.getLong(6)),
              new OrganizationTrackingFigures.Day(day, rs.getLong(7), rs.getLong(8), rs.getLong(9), rs.getLong(10))));
        });
    return out;
  }

  /** Stores closed days; a day another view stored meanwhile is left as it is (the same figures). */
  void store(long organizationId, Collection<Figures> days) {
    for (Figures f : days) {
      jdbc.sql("""
          insert into organization_report_day (organization_id, day, delivered, bounced, later_bounces, hard_bounces, complaints, opens,
            clicks, machine_opens, machine_clicks)
          values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing""")
          .params(organizationId, Date.valueOf(f.delivery().day()), f.delivery().delivered(), f.delivery().bounced(),
              f.feedback().laterBounces(), f.feedback().hardBounces(), f.feedback().complaints(), f.tracking().opens(), f.tracking().clicks(),
              f.tracking().machineOpens(), f.tracking().machineClicks())
          .update();
    }
  }
}
