package dev.herald.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.tenancy.TestOrganizations;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The organization report's grouped queries at 100,000 rows of each table for the organization (90 days of history)
 * beside 20,000 of another: each reads its rows through the organization-and-time index (delivery's
 * {@code outbound_recipient_org_finished} of V65, {@code feedback_event_org_time}, {@code tracking_event_org_time}) and
 * never scans a table. The SQL is each read API's ({@code OrganizationDeliveryFigures}, {@code OrganizationFeedbackFigures},
 * {@code OrganizationTrackingFigures}, sender protection's volume), copied here. Plans are asserted, times only printed.
 */
@SpringBootTest(properties = "herald.roles=web")
@Import(TestOrganizations.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrganizationReportPlanTest {
  static final int ROWS = 100_000, OTHER = 20_000;

  @Autowired JdbcClient jdbc;
  @Autowired TestOrganizations organizations;
  @Autowired ObjectMapper json;
  long org;

  @BeforeAll
  void seed() {
    org = organizations.create("Report Plan", "send").id();
    long other = organizations.create("Report Plan Other", "send").id();
    for (long o : new long[] {org, other}) {
      int n = o == org ? ROWS : OTHER;
      jdbc.sql("""
          insert into outbound_message (organization_id, source, from_address, header_message_id, header_date, content)
          select ?, 'api', 'news@plan.example', 'm' || ? || '-' || i || '@plan.example', now(), '\\x00'::bytea from generate_series(1, 100) i""")
          .params(o, o).update();
      jdbc.sql("""
          insert into outbound_recipient (message_id, organization_id, kind, address, address_key, domain, state, finished_at)
          select m.id, ?, 'to', 'r' || m.id || '-' || r || '@d.example', 'r' || m.id || '-' || r || '@d.example', 'd.example',
                 case when r % 50 = 0 then 'bounced' when r % 97 = 0 then 'queued' else 'delivered' end,
                 case when r % 97 = 0 then null else now() - make_interval(secs => (m.id * 7919 + r::bigint * 104729) % (90 * 86400)) end
          from outbound_message m cross join lateral generate_series(1, ? / 100) r where m.organization_id = ?""")
          .params(o, n, o).update();
      jdbc.sql("""
          insert into feedback_event (organization_id, dedupe_key, occurred_at, source, feedback_class, reason, action)
          select ?, 'plan:' || i, now() - make_interval(secs => (i::bigint * 104729) % (90 * 86400)),
                 case when i % 3 = 0 then 'synchronous' else 'smtp' end,
                 (array['hard', 'soft', 'block', 'complaint', 'unsubscribe', 'auto_reply'])[1 + i % 6], 'plan', 'recorded'
          from generate_series(1, ?) i""").params(o, n).update();
      jdbc.sql("""
          insert into tracking_event (organization_id, kind, occurred_at, message_id, link_number, machine, machine_reason)
          select ?, case when i % 4 = 0 then 'click' else 'open' end, now() - make_interval(secs => (i::bigint * 7919) % (90 * 86400)), i,
                 case when i % 4 = 0 then 1 end, i % 5 = 0, case when i % 5 = 0 then 'apple_privacy' end
          from generate_series(1, ?) i""").params(o, n).update();
    }
    for (String t : List.of("outbound_recipient", "feedback_event", "tracking_event")) jdbc.sql("analyze " + t).update();
  }

  record Plan(List<String> scans, double millis) {}

  Plan explain(String sql, Object... params) {
    String plan = jdbc.sql("explain (analyze, format json) " + sql).params(params).query(String.class).single();
    JsonNode root = json.readTree(plan).get(0);
    List<String> scans = new ArrayList<>();
    collect(root.get("Plan"), scans);
    return new Plan(scans, root.get("Execution Time").asDouble());
  }

  private static void collect(JsonNode node, List<String> scans) {
    if (node.has("Relation Name") || node.has("Index Name")) {
      scans.add(node.get("Node Type").asString() + (node.has("Relation Name") ? " on " + node.get("Relation Name").asString() : "")
          + (node.has("Index Name") ? " (" + node.get("Index Name").asString() + ")" : ""));
    }
    if (node.has("Plans")) node.get("Plans").forEach(child -> collect(child, scans));
  }

  Timestamp from() {
    return Timestamp.from(Instant.now().minus(Duration.ofDays(30)));
  }

  Timestamp to() {
    return Timestamp.from(Instant.now().plus(Duration.ofDays(1)));
  }

  void assertIndexed(String what, Plan plan, String index) {
    System.out.printf("%s: %.1f ms, %s%n", what, plan.millis(), plan.scans());
    assertThat(plan.scans()).as(what).noneMatch(s -> s.startsWith("Seq Scan")).anyMatch(s -> s.contains("(" + index + ")"));
  }

  @Test
  void deliverys_figures_read_the_finished_recipients_index() {
    assertIndexed("delivery daily", explain("""
        select (finished_at at time zone 'UTC')::date as day,
               count(*) filter (where state = 'delivered'), count(*) filter (where state = 'bounced')
        from outbound_recipient
        where organization_id = ? and state in ('delivered', 'bounced') and finished_at >= ? and finished_at < ?
        group by day order by day""", org, from(), to()), "outbound_recipient_org_finished");
    assertIndexed("sender protection's volume", explain("""
        select count(*) from outbound_recipient
        where organization_id = ? and state in ('delivered', 'bounced') and finished_at >= ?""",
        org, Timestamp.from(Instant.now().minus(Duration.ofDays(7)))), "outbound_recipient_org_finished");
  }

  @Test
  void feedbacks_figures_read_the_organization_time_index() {
    assertIndexed("feedback daily", explain("""
        select (occurred_at at time zone 'UTC')::date as day,
               count(*) filter (where feedback_class in ('hard', 'soft', 'block') and source <> 'synchronous'),
               count(*) filter (where feedback_class = 'hard'), count(*) filter (where feedback_class = 'complaint')
        from feedback_event
        where organization_id = ? and occurred_at >= ? and occurred_at < ? and feedback_class in ('hard', 'soft', 'block', 'complaint')
        group by day order by day""", org, from(), to()), "feedback_event_org_time");
  }

  @Test
  void trackings_figures_read_the_organization_time_index() {
    assertIndexed("tracking daily", explain("""
        select (occurred_at at time zone 'UTC')::date as day,
               count(*) filter (where kind = 'open' and not machine), count(*) filter (where kind = 'click' and not machine),
               count(*) filter (where kind = 'open' and machine), count(*) filter (where kind = 'click' and machine)
        from tracking_event
        where organization_id = ? and occurred_at >= ? and occurred_at < ?
        group by day order by day""", org, from(), to()), "tracking_event_org_time");
  }
}
