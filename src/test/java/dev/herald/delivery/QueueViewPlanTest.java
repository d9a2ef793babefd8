package dev.herald.delivery;

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
 * The queue page's grouped query and the totals at 120,000 recipients, most of them delivered history: each reads the
 * pending rows through the partial index {@code outbound_recipient_pending} and never scans the table, so the page's
 * cost follows what waits, not what was sent. Plans are asserted, times only printed.
 */
@SpringBootTest
@Import(TestOrganizations.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueueViewPlanTest {
  static final int DELIVERED = 100_000, PENDING = 20_000, DOMAINS = 1_999; // prime to 6, so the waiting rows (every 6th) reach every domain

  @Autowired JdbcClient jdbc;
  @Autowired TestOrganizations organizations;
  @Autowired QueueView view;
  @Autowired ObjectMapper json;

  @BeforeAll
  void queue() {
    long org = organizations.create("Queue Plan", "send").id();
    jdbc.sql("""
        insert into outbound_message (organization_id, source, from_address, header_message_id, header_date, content)
        select ?, 'api', 'news@plan.example', 'm' || i || '@plan.example', now(), '\\x00'::bytea from generate_series(1, 120) i""")
        .param(org).update();
    // 1,000 recipients per message; every 6th one (20,000) waits: queued, held, deferred (with a reply) or sending.
    jdbc.sql("""
        insert into outbound_recipient (message_id, organization_id, kind, address, address_key, domain, state, last_reply,
                                        last_attempt_at, next_attempt_at)
        select m.id, ?, 'to', a.address, a.address, a.domain,
               case when n % 6 <> 0 then 'delivered' when n % 18 = 0 then 'deferred' when n % 18 = 6 then 'sending'
                    when n % 36 = 12 then 'held' else 'queued' end,
               case when n % 18 = 0 then '451 4.7.1 try later ' || n else '' end,
               case when n % 6 <> 0 or n % 18 = 0 then now() - make_interval(secs => n) end,
               now() + make_interval(secs => n % 600)
        from outbound_message m
        cross join lateral generate_series(1, 1000) r
        cross join lateral (select (m.id * 1000 + r) as n) k
        cross join lateral (select 'r' || k.n || '@d' || (k.n % ?) || '.example' as address, 'd' || (k.n % ?) || '.example' as domain) a
        where m.from_address = 'news@plan.example'""")
        .params(org, DOMAINS, DOMAINS).update();
    jdbc.sql("vacuum analyze outbound_recipient").update();
  }

  String plan(String sql, Map<String, ?> params) {
    return jdbc.sql("explain (format json) " + sql).params(params).query(String.class).single();
  }

  /** Each scan of the plan as "node type on relation (index)". */
  List<String> scans(String plan) {
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
  void there_are_the_rows_the_plan_is_about() {
    assertThat(jdbc.sql("select count(*) from outbound_recipient").query(Long.class).single()).isEqualTo(120_000L);
    assertThat(view.totals().size()).isBetween(PENDING - 100L, PENDING + 100L);
    assertThat(view.totals().destinations()).isGreaterThan(DOMAINS / 2);
    assertThat(view.totals().held()).isBetween(PENDING / 6 - 100L, PENDING / 6 + 100L);
  }

  @Test
  void the_destinations_page_reads_the_pending_index_and_never_scans_the_table() {
    for (String filter : new String[] {"", "d1"}) {
      Map<String, Object> params = Map.of("filter", filter, "size", 50, "offset", 100L);
      List<String> scans = scans(plan(QueueView.DESTINATIONS, params));
      // the groups from the index alone; each page row's last reply one index step; queue_pause is a handful of rows
      assertThat(scans).as("filter '%s'", filter).containsExactly(
          "Index Only Scan on outbound_recipient (outbound_recipient_pending)",
          "Index Scan on outbound_recipient (outbound_recipient_pending)",
          "Seq Scan on queue_pause");
      long started = System.nanoTime();
      QueueView.Page page = view.destinations(filter, 2, 50);
      System.out.printf("queue page (filter '%s'): %d of %d destinations in %.1f ms%n", filter, page.items().size(), page.total(),
          (System.nanoTime() - started) / 1e6);
      assertThat(page.items()).hasSize(50);
      assertThat(page.items().getFirst().lastReply()).startsWith("451 4.7.1 try later");
    }
  }

  @Test
  void the_totals_read_the_pending_index_and_never_scan_the_table() {
    assertThat(scans(plan(QueueView.TOTALS, Map.of()))).containsExactly("Index Only Scan on outbound_recipient (outbound_recipient_pending)");
  }
}
