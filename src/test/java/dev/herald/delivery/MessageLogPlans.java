package dev.herald.delivery;

import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.tenancy.TestOrganizations;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * On demand, not in the suite: the message list's query plans and times with each filter over an organization of
 * 500,000 messages and 1,000,000 recipients (and as many attempts), printed for a person to read (EXPLAIN ANALYZE).
 * {@code mvn test -Dtest=MessageLogPlans -Dherald.bench=true}; about a minute to seed.
 */
@EnabledIfSystemProperty(named = "herald.bench", matches = "true")
@SpringBootTest
@Import(TestOrganizations.class)
class MessageLogPlans {
  static final int MESSAGES = 500_000;

  @Autowired TestOrganizations organizations;
  @Autowired SendingDomains sendingDomains;
  @Autowired MessageLog log;
  @Autowired JdbcClient jdbc;

  @Test
  void print_the_plans() {
    long org = organizations.create("Plans Co", "send").id();
    TestSendingDomains domains = new TestSendingDomains(sendingDomains, jdbc);
    long main = domains.verified(org, "main.example"), side = domains.verified(org, "side.example");
    long seeding = System.nanoTime();
    seed(org, main, side);
    System.out.printf("seeded %,d messages, %,d recipients, %,d attempts in %.1f s%n", count("outbound_message"), count("outbound_recipient"),
        count("outbound_attempt"), (System.nanoTime() - seeding) / 1e9);

    Instant now = Instant.now();
    long middle = jdbc.sql("select id from outbound_message where organization_id = ? order by id limit 1 offset ?")
        .params(org, MESSAGES / 2).query(Long.class).single();
    Map<String, MessageLog.Filter> filters = new LinkedHashMap<>();
    filters.put("none", MessageLog.Filter.NONE);
    for (RecipientState s : RecipientState.values()) filters.put("state " + s.text(), new MessageLog.Filter(s, null, null, null, null, null));
    filters.put("tag receipt (10%)", new MessageLog.Filter(null, "receipt", null, null, null, null));
    filters.put("tag rare (0.1%)", new MessageLog.Filter(null, "rare", null, null, null, null));
    filters.put("tag absent", new MessageLog.Filter(null, "absent", null, null, null, null));
    filters.put("recipient (5 messages)", new MessageLog.Filter(null, null, "r123-1@x123.example", null, null, null));
    filters.put("domain side (5%)", new MessageLog.Filter(null, null, null, side, null, null));
    filters.put("one day, 10 days back", new MessageLog.Filter(null, null, null, null, now.minus(10, ChronoUnit.DAYS),
        now.minus(9, ChronoUnit.DAYS)));
    filters.put("bounced + side domain", new MessageLog.Filter(RecipientState.BOUNCED, null, null, side, null, null));
    for (var e : filters.entrySet()) {
      explain(e.getKey(), MessageLog.pageQuery(org, e.getValue(), null, MessageLog.PAGE_SIZE));
    }
    explain("page from the middle", MessageLog.pageQuery(org, MessageLog.Filter.NONE, new MessageLog.Cursor(middle, false), MessageLog.PAGE_SIZE));
    explain("newer, from the middle", MessageLog.pageQuery(org, MessageLog.Filter.NONE, new MessageLog.Cursor(middle, true), MessageLog.PAGE_SIZE));

    String since = "now() - interval '24 hours'";
    for (String q : List.of("select count(*) from outbound_message where organization_id = :org and created_at >= " + since,
        "select outcome, count(distinct recipient_id) from outbound_attempt where organization_id = :org and attempted_at >= " + since
            + " group by outcome")) {
      explain("last day: " + q, new MessageLog.PageQuery(q, Map.of("org", org)));
    }
    for (int i = 0; i < 3; i++) {
      long t = System.nanoTime();
      MessageLog.Page page = log.page(org, MessageLog.Filter.NONE, null, MessageLog.PAGE_SIZE);
      long p = System.nanoTime();
      MessageLog.LastDay day = log.lastDay(org);
      long d = System.nanoTime();
      System.out.printf("whole page (%d rows with their recipients): %.1f ms; last day %s: %.1f ms%n", page.rows().size(), (p - t) / 1e6, day,
          (d - p) / 1e6);
    }
  }

  private void seed(long org, long main, long side) {
    jdbc.sql("""
        insert into outbound_message (organization_id, sending_domain_id, source, from_address, subject, header_message_id, header_date,
          content, tags, created_at)
        select ?, case when g % 20 = 0 then ? else ? end, 'api', 'news@main.example', 'Subject ' || g, '<' || g || '@main.example>', now(),
          '\\x41'::bytea, case when g % 1000 = 7 then '{rare}'::text[] when g % 10 = 0 then '{receipt}' else '{}' end,
          now() - (? - g) * interval '3 seconds'
        from generate_series(1, ?) g""").params(org, side, main, MESSAGES, MESSAGES).update();
    // Two recipients each: 97 % delivered, 2 % bounced, 0.5 % deferred, 0.3 % expired (made rare below), 0.2 % not sent, none queued.
    jdbc.sql("""
        insert into outbound_recipient (message_id, organization_id, kind, address, address_key, domain, state, attempts, last_reply,
          last_attempt_at, finished_at, created_at)
        select m.id, m.organization_id, 'to', a.address, a.address, 'x.example', s.state, 1, '250 ok', m.created_at, m.created_at, m.created_at
        from outbound_message m cross join generate_series(1, 2) k
        cross join lateral (select 'r' || (m.id % 100000) || '-' || k || '@x' || (m.id % 1000) || '.example' as address) a
        cross join lateral (select case when (m.id * 7 + k * 13) % 1000 < 970 then 'delivered' when (m.id * 7 + k * 13) % 1000 < 990 then 'bounced'
          when (m.id * 7 + k * 13) % 1000 < 995 then 'deferred' when (m.id * 7 + k * 13) % 1000 < 998 then 'expired' else 'failed' end as state) s
        where m.organization_id = ?""").param(org).update();
    jdbc.sql("""
        insert into outbound_attempt (recipient_id, message_id, organization_id, attempted_at, reply_code, reply_text, outcome)
        select id, message_id, organization_id, last_attempt_at, 250, 'ok', state from outbound_recipient
        where organization_id = ? and state <> 'failed'""").param(org).update();
    // Expired made rare (about 60 recipients), the case V43's index is for.
    jdbc.sql("update outbound_recipient set state = 'delivered' where organization_id = ? and state = 'expired' and id % 50 <> 0")
        .param(org).update();
    for (String table : List.of("outbound_message", "outbound_recipient", "outbound_attempt")) jdbc.sql("vacuum analyze " + table).update();
  }

  private long count(String table) {
    return jdbc.sql("select count(*) from " + table).query(Long.class).single();
  }

  private void explain(String name, MessageLog.PageQuery query) {
    List<String> plan = jdbc.sql("explain (analyze, buffers, costs off) " + query.sql()).params(query.params()).query(String.class).list();
    System.out.println("---- " + name);
    plan.forEach(line -> System.out.println("  " + line));
  }
}
