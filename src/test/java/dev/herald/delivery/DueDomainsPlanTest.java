package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.tenancy.TestOrganizations;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The worker's look for due domains ({@link DeliveryQueue#dueDomains}) over a queue of due, deferred, stale, held and
 * delivered rows: it finds the same domains in the same order as counting every due row did (the query it replaced,
 * kept here), with the counts capped, while reading a few index entries per domain and never the table. With {@code -Dherald.bench=true}
 * the queue has 1,000,000 recipients and both plans are printed (EXPLAIN ANALYZE); times are only printed.
 */
@SpringBootTest
@Import(TestOrganizations.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DueDomainsPlanTest {
  static final boolean BENCH = Boolean.getBoolean("herald.bench");
  static final int RECIPIENTS = BENCH ? 1_000_000 : 40_000, DOMAINS = BENCH ? 2_003 : 401, CAP = 30;
  static final Instant NOW = Instant.now();

  /** What dueDomains was until it was made cheap: every due row counted per poll. */
  static final String COUNT_EVERY_ROW = """
      select domain, count(*), min(at) from (
        select domain, next_attempt_at as at from outbound_recipient
        where state in ('queued', 'deferred') and next_attempt_at <= :now
          and (organization_id is null or not (organization_id = any (:held)))
        union all
        select domain, lease_until from outbound_recipient
        where state = 'sending' and lease_until < :now and (organization_id is null or not (organization_id = any (:held)))
      ) due
      where not exists (select 1 from queue_pause p where p.domain in (due.domain, '*'))
      group by domain order by 3, 1 limit :limit""";

  @Autowired JdbcClient jdbc;
  @Autowired TestOrganizations organizations;

  long held;
  DeliveryQueue queue;

  @BeforeAll
  void queue() {
    long seeding = System.nanoTime();
    long org = organizations.create("Due Plan", "send").id();
    held = organizations.create("Due Plan Held", "send").id();
    jdbc.sql("""
        insert into outbound_message (organization_id, source, from_address, header_message_id, header_date, content)
        select case when i % 10 = 0 then ? else ? end, 'api', 'news@due.example', 'm' || i || '@due.example', now(), '\\x00'::bytea
        from generate_series(1, 100) i""").params(held, org).update();
    // Per 20 rows: 8 delivered history, 5 queued due, 3 deferred due, 2 deferred later, 2 sending (in flight; one in
    // a thousand rows with its lease run out: a dead node leaves at most its in-flight batches, batch size × lanes);
    // a tenth of the messages belong to the held organization. Due times spread over a day.
    jdbc.sql("""
        insert into outbound_recipient (message_id, organization_id, kind, address, address_key, domain, state, attempts,
                                        next_attempt_at, lease_until, lease_attempt)
        select m.id, m.organization_id, 'to', a.address, a.address, a.domain,
               case when k.n % 20 < 8 then 'delivered' when k.n % 20 < 13 then 'queued' when k.n % 20 < 18 then 'deferred'
                    else 'sending' end,
               case when k.n % 20 < 13 then 0 else 1 end,
               case when k.n % 20 in (16, 17) then cast(:now as timestamptz) + make_interval(secs => k.n % 7200)
                    else cast(:now as timestamptz) - make_interval(secs => (k.n * 7919) % 86400) end,
               case when k.n % 20 = 18 and k.n % 1000 = 18 then cast(:now as timestamptz) - make_interval(secs => k.n % 600)
                    when k.n % 20 >= 18 then cast(:now as timestamptz) + interval '10 minutes' end,
               case when k.n % 20 >= 18 then 1 else 0 end
        from outbound_message m
        cross join lateral generate_series(1, :per) r
        cross join lateral (select (m.id * :per + r) as n) k
        cross join lateral (select 'r' || k.n || '@d' || (k.n % :domains) || '.example' as address,
                                   'd' || (k.n % :domains) || '.example' as domain) a
        where m.from_address = 'news@due.example'""")
        .param("now", Timestamp.from(NOW)).param("per", RECIPIENTS / 100).param("domains", DOMAINS).update();
    jdbc.sql("insert into queue_pause (domain, paused_by) values ('d7.example', 'plan test')").update();
    jdbc.sql("vacuum analyze outbound_recipient").update();
    queue = new DeliveryQueue(jdbc, Clock.fixed(NOW, ZoneOffset.UTC), "plan", Duration.ofMinutes(15));
    System.out.printf("seeded %,d recipients in %.1f s%n", RECIPIENTS, (System.nanoTime() - seeding) / 1e9);
  }

  List<DeliveryQueue.DueDomain> everyRowCounted(int limit) {
    return jdbc.sql(COUNT_EVERY_ROW).param("now", Timestamp.from(NOW)).param("held", new Long[] {held}).param("limit", limit)
        .query((rs, i) -> new DeliveryQueue.DueDomain(rs.getString(1), Math.min(CAP, rs.getLong(2)))).list();
  }

  @Test
  void it_finds_the_domains_in_the_order_counting_every_row_did_with_the_counts_capped() {
    for (int limit : new int[] {DeliveryWorker.DOMAINS_PER_POLL, 25}) {
      List<DeliveryQueue.DueDomain> found = queue.dueDomains(Set.of(held), limit, CAP);
      List<DeliveryQueue.DueDomain> counted = everyRowCounted(limit);
      assertThat(found).as("limit %d", limit).extracting(DeliveryQueue.DueDomain::domain)
          .containsExactlyElementsOf(counted.stream().map(DeliveryQueue.DueDomain::domain).toList())
          .hasSize(Math.min(limit, DOMAINS - 1)).doesNotContain("d7.example");
      // The held organization's due rows are counted (from the index alone), up to the cap.
      for (int i = 0; i < found.size(); i++) assertThat(found.get(i).due()).isBetween(counted.get(i).due(), (long) CAP);
      assertThat(found).extracting(DeliveryQueue.DueDomain::due).contains((long) CAP);
    }
    // Counts below the cap are exact.
    List<DeliveryQueue.DueDomain> small = queue.dueDomains(Set.of(), 3, 1_000_000);
    assertThat(small).hasSize(3).allSatisfy(d -> assertThat(d.due()).isEqualTo(
        jdbc.sql("""
            select count(*) from outbound_recipient where domain = ? and (state in ('queued', 'deferred') and next_attempt_at <= ?
              or state = 'sending' and lease_until < ?)""")
            .params(d.domain(), Timestamp.from(NOW), Timestamp.from(NOW)).query(Long.class).single()));
  }

  @Test
  void it_reads_a_few_index_entries_per_domain_never_every_due_row() {
    String analyzed = String.join("\n", jdbc.sql("explain (analyze, buffers) " + sql())
        .param("now", Timestamp.from(NOW)).param("held", new Long[] {held}).param("limit", DeliveryWorker.DOMAINS_PER_POLL).param("cap", CAP)
        .query(String.class).list());
    assertThat(analyzed).doesNotContain("Seq Scan on outbound_recipient");
    long dueRows = jdbc.sql("select count(*) from outbound_recipient where state in ('queued', 'deferred') and next_attempt_at <= ?")
        .param(Timestamp.from(NOW)).query(Long.class).single();
    long started = System.nanoTime();
    queue.dueDomains(Set.of(held), DeliveryWorker.DOMAINS_PER_POLL, CAP);
    double cheap = (System.nanoTime() - started) / 1e6;
    started = System.nanoTime();
    everyRowCounted(DeliveryWorker.DOMAINS_PER_POLL);
    double counted = (System.nanoTime() - started) / 1e6;
    System.out.printf("due domains over %,d recipients (%,d due, %d domains): %.1f ms; counting every due row: %.1f ms%n",
        RECIPIENTS, dueRows, DOMAINS, cheap, counted);
    if (BENCH) {
      System.out.println(analyzed);
      System.out.println(String.join("\n", jdbc.sql("explain (analyze, buffers) " + COUNT_EVERY_ROW).param("now", Timestamp.from(NOW))
          .param("held", new Long[] {held}).param("limit", DeliveryWorker.DOMAINS_PER_POLL).query(String.class).list()));
    }
  }

  /** The statement dueDomains runs. */
  static String sql() {
    return DeliveryQueue.DUE_DOMAINS;
  }
}
