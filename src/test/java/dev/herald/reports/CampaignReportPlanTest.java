package dev.herald.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.tenancy.TestOrganizations;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * A campaign's report among ten campaigns of 10,000 recipients each (100,000 queue and ledger rows, 100,000 opens and
 * clicks, 5,000 feedback events): the figures of one campaign read its own rows through the owners' indexes, never a
 * whole table. The plans of the report's queries on the tables that grow with every campaign are asserted (their SQL is
 * the owners', copied here); the report's time is only printed.
 */
@SpringBootTest
@Import(TestOrganizations.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CampaignReportPlanTest {
  static final int CAMPAIGNS = 10, PER_CAMPAIGN = 10_000;

  @Autowired JdbcClient jdbc;
  @Autowired TestOrganizations organizations;
  @Autowired CampaignReports reports;
  @Autowired ObjectMapper json;
  long org;
  List<Long> campaigns = new ArrayList<>();
  List<Long> messages = new ArrayList<>();

  @BeforeAll
  void seed() {
    org = organizations.create("Report Plan Co " + System.nanoTime(), "reports:read").id();
    long list = jdbc.sql("insert into mailing_list (organization_id, name, optin) values (?, 'Plan', 'single') returning id")
        .param(org).query(Long.class).single();
    for (int c = 0; c < CAMPAIGNS; c++) {
      long message = jdbc.sql("""
          insert into outbound_message (organization_id, source, from_address, subject, header_message_id, header_date, track_opens, track_clicks)
          values (?, 'campaign', 'news@plan.example', 'Plan', ?, now(), true, true) returning id""")
          .params(org, "<plan-" + c + "-" + System.nanoTime() + "@plan.example>").query(Long.class).single();
      long campaign = jdbc.sql("""
          insert into campaign (organization_id, name, subject, from_address, state, message_id, recipients, started_at)
          values (?, ?, 'Plan', 'news@plan.example', 'finished', ?, ?, now() - interval '5 hours') returning id""")
          .params(org, "Plan " + c, message, PER_CAMPAIGN).query(Long.class).single();
      messages.add(message);
      campaigns.add(campaign);
      jdbc.sql("insert into outbound_link (message_id, link_number, url) select ?, n, 'https://shop.example/' || n from generate_series(1, 5) n")
          .param(message).update();
      // the ledger: 9,000 handed off, 500 skipped, 500 pending; 1 in 100 unsubscribed (subscriber ids need no row: no key)
      jdbc.sql("""
          insert into campaign_recipient (campaign_id, subscriber_id, list_id, address, address_key, state, handed_off_at, unsubscribed_at)
          select ?, n, ?, 'p' || n || '@d' || (n % 50) || '.example', 'p' || n || '@d' || (n % 50) || '.example',
            case when n % 20 = 0 then 'skipped' when n % 20 = 1 then 'pending' else 'handed_off' end,
            case when n % 20 > 1 then now() - interval '4 hours' end, case when n % 100 = 7 then now() end
          from generate_series(1, ?) n""").params(campaign, list, PER_CAMPAIGN).update();
      jdbc.sql("""
          insert into outbound_recipient (message_id, organization_id, kind, address, address_key, domain, source_ref, state, finished_at)
          select ?, ?, 'to', r.address, r.address_key, split_part(r.address, '@', 2), r.id,
            case when r.id % 50 = 0 then 'bounced' when r.id % 50 = 1 then 'deferred' else 'delivered' end,
            case when r.id % 50 <> 1 then now() - make_interval(mins => (r.id % 240)::int) end
          from campaign_recipient r where r.campaign_id = ? and r.state = 'handed_off'""").params(message, org, campaign).update();
      jdbc.sql("""
          insert into tracking_event (organization_id, kind, occurred_at, message_id, recipient_id, campaign_id, link_number, machine, machine_reason)
          select ?, case when n % 3 = 0 then 'click' else 'open' end, now() - make_interval(mins => n % 240), ?, r.id, ?,
            case when n % 3 = 0 then 1 + n % 5 end, n % 10 = 0, case when n % 10 = 0 then 'image_proxy' end
          from generate_series(1, ?) n
          join (select id, row_number() over (order by id) - 1 as k from outbound_recipient where message_id = ?) r on r.k = n % 9000""")
          .params(org, message, campaign, PER_CAMPAIGN, message).update();
      jdbc.sql("""
          insert into feedback_event (organization_id, dedupe_key, occurred_at, source, feedback_class, reason, action, message_id, recipient_id,
            campaign_id)
          select ?, 'plan:' || r.id, now(), 'synchronous', case when r.id % 2 = 0 then 'hard' else 'soft' end,
            case when r.id % 2 = 0 then 'userunknown' else 'mailboxfull' end, 'recorded', ?, r.id, ?
          from outbound_recipient r where r.message_id = ? order by r.id limit 500""").params(org, message, campaign, message).update();
    }
    for (String table : List.of("campaign_recipient", "outbound_recipient", "tracking_event", "feedback_event")) {
      jdbc.sql("vacuum analyze " + table).update();
    }
  }

  List<String> scans(String sql, Map<String, ?> params) {
    String plan = jdbc.sql("explain (format json) " + sql).params(params).query(String.class).single();
    List<String> scans = new ArrayList<>();
    json.readTree(plan).forEach(root -> collect(root.get("Plan"), scans));
    return scans;
  }

  private static void collect(JsonNode node, List<String> scans) {
    if (node.has("Relation Name")) {
      scans.add(node.get("Node Type").asString() + " on " + node.get("Relation Name").asString()
          + (node.has("Index Name") ? " (" + node.get("Index Name").asString() + ")" : ""));
    }
    if (node.has("Plans")) node.get("Plans").forEach(child -> collect(child, scans));
  }

  @Test
  void one_campaigns_figures_read_its_own_rows_through_the_owners_indexes() {
    long campaign = campaigns.get(3), message = messages.get(3);
    Map<String, Object> c = Map.of("c", campaign, "o", org, "m", message);
    List<String> ledger = scans("""
        select (select count(*) from campaign_recipient where campaign_id = :c and handed_off_at is not null),
          (select count(*) from campaign_recipient where campaign_id = :c and state = 'skipped'),
          (select count(*) from campaign_recipient where campaign_id = :c and state = 'pending'),
          (select count(*) from campaign_recipient where campaign_id = :c and unsubscribed_at is not null)""", c);
    List<String> engagement = scans("""
        select kind, count(*) filter (where not machine), count(distinct recipient_id) filter (where not machine),
          count(*) filter (where not machine and recipient_id is null), count(*) filter (where machine)
        from tracking_event where campaign_id = :c and organization_id = :o group by kind""", c);
    List<String> feedback = scans("""
        select feedback_class, reason, count(*), count(*) filter (where source = 'synchronous')
        from feedback_event where campaign_id = :c and organization_id = :o group by feedback_class, reason""", c);
    List<String> states = scans("select state, count(*) from outbound_recipient where message_id = :m group by state", c);
    System.out.println("ledger: " + ledger + "\nengagement: " + engagement + "\nfeedback: " + feedback + "\nstates: " + states);
    assertThat(ledger).as("four counts from partial indexes").hasSize(4)
        .allSatisfy(s -> assertThat(s).startsWith("Index Only Scan on campaign_recipient"));
    assertThat(engagement).allSatisfy(s -> assertThat(s).doesNotStartWith("Seq Scan"));
    assertThat(feedback).allSatisfy(s -> assertThat(s).doesNotStartWith("Seq Scan"));
    assertThat(states).allSatisfy(s -> assertThat(s).doesNotStartWith("Seq Scan"));

    reports.of(org, campaign); // warm
    long started = System.nanoTime();
    CampaignReport r = reports.of(org, campaign);
    double ms = (System.nanoTime() - started) / 1e6;
    System.out.printf("campaign report of %,d recipients among %,d: %.1f ms (load %s)%n", PER_CAMPAIGN, CAMPAIGNS * PER_CAMPAIGN, ms,
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    assertThat(r.recipients()).isEqualTo(PER_CAMPAIGN);
    assertThat(r.sent()).isEqualTo(9_000);
    assertThat(r.skipped()).isEqualTo(500);
    assertThat(r.pending()).isEqualTo(500);
    assertThat(r.unsubscribes()).isEqualTo(100);
    assertThat(r.delivery().delivered() + r.delivery().bounced() + r.delivery().deferred()).isEqualTo(9_000);
    assertThat(r.opens().total() + r.opens().machine() + r.clicks().total() + r.clicks().machine()).isEqualTo(PER_CAMPAIGN);
    assertThat(r.bounces().hard() + r.bounces().soft()).isEqualTo(500);
    assertThat(r.domains()).hasSize(CampaignReports.TOP_DOMAINS);
    assertThat(r.links()).hasSize(5);
  }
}
