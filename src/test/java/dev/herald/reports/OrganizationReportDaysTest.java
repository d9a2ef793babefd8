package dev.herald.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.tenancy.TestOrganizations;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Issue 12, reports at size: the overview's closed days are computed once and kept (V92), the open ones are read live.
 * The figures equal a count of the rows; a row written into a closed day afterwards (which the owners never do: they
 * stamp rows with the time they write them) shows the kept day is not computed again; today's rows always count.
 */
@SpringBootTest
@Import(TestOrganizations.class)
class OrganizationReportDaysTest {
  @Autowired JdbcClient jdbc;
  @Autowired TestOrganizations organizations;
  @Autowired OrganizationReports reports;

  @Test
  void closed_days_are_counted_once_and_kept_and_the_open_days_live() {
    long org = organizations.create("Days Co " + System.nanoTime(), "reports:read").id();
    // opens and clicks over the last 10 days (some by machines), complaints 3 days ago
    jdbc.sql("""
        insert into tracking_event (organization_id, kind, occurred_at, message_id, link_number, machine, machine_reason)
        select ?, case when i % 3 = 0 then 'click' else 'open' end, now() - make_interval(hours => (i * 7) % 240), i,
          case when i % 3 = 0 then 1 end, i % 5 = 0, case when i % 5 = 0 then 'image_proxy' end
        from generate_series(1, 500) i""").param(org).update();
    jdbc.sql("""
        insert into feedback_event (organization_id, dedupe_key, occurred_at, source, feedback_class, reason, action)
        select ?, 'days:' || i, now() - interval '3 days', 'smtp', 'complaint', 'feedback', 'recorded' from generate_series(1, 4) i""")
        .param(org).update();

    OrganizationReport first = reports.overview(org, 30);
    LocalDate today = LocalDate.ofInstant(Instant.now(), ZoneOffset.UTC);
    for (OrganizationReport.Day d : first.daily()) {
      assertThat(d.opens()).as("opens of " + d.day()).isEqualTo(count(org, d.day(), "open", false));
      assertThat(d.clicks()).as("clicks of " + d.day()).isEqualTo(count(org, d.day(), "click", false));
      assertThat(d.machineOpens()).as("machines' opens of " + d.day()).isEqualTo(count(org, d.day(), "open", true));
    }
    assertThat(first.totals().opens() + first.totals().clicks() + first.totals().machineOpens() + first.totals().machineClicks()).isEqualTo(500);
    assertThat(first.totals().complaints()).isEqualTo(4);
    long kept = jdbc.sql("select count(*) from organization_report_day where organization_id = ?").param(org).query(Long.class).single();
    assertThat(kept).as("every closed day of the 30, a day without mail too").isBetween(28L, 29L);
    assertThat(jdbc.sql("select count(*) from organization_report_day where organization_id = ? and day = ?").params(org, today)
        .query(Long.class).single()).as("today is open").isZero();

    // a row written into a closed day now is not counted: the day was read once; today's rows count at once
    LocalDate fiveDaysAgo = today.minusDays(5);
    jdbc.sql("insert into tracking_event (organization_id, kind, occurred_at, message_id) values (?, 'open', now() - interval '5 days', 1)")
        .param(org).update();
    jdbc.sql("insert into tracking_event (organization_id, kind, occurred_at, message_id) values (?, 'open', now(), 1)").param(org).update();
    OrganizationReport second = reports.overview(org, 30);
    assertThat(day(second, fiveDaysAgo).opens()).isEqualTo(day(first, fiveDaysAgo).opens());
    assertThat(day(second, today).opens()).isEqualTo(day(first, today).opens() + 1);
    assertThat(reports.overview(org, 7).daily()).containsExactlyElementsOf(second.daily().subList(23, 30));
  }

  static OrganizationReport.Day day(OrganizationReport r, LocalDate day) {
    return r.daily().stream().filter(d -> d.day().equals(day)).findFirst().orElseThrow();
  }

  long count(long org, LocalDate day, String kind, boolean machine) {
    return jdbc.sql("""
        select count(*) from tracking_event where organization_id = ? and kind = ? and machine = ?
          and (occurred_at at time zone 'UTC')::date = ?""").params(org, kind, machine, day).query(Long.class).single();
  }
}
