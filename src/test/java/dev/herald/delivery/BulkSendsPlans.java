package dev.herald.delivery;

import dev.herald.delivery.BulkSends.BulkRecipient;
import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.tenancy.TestOrganizations;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * On demand, not in the suite: a campaign of 100,000 recipients handed to the queue in chunks of 1,000 (the time of
 * {@link BulkSends#add}), held, and the worker's claim and due-domain queries (EXPLAIN ANALYZE) with those held rows
 * and 1,000 waiting ones of another message on the same domains; then release and the plans again.
 * {@code mvn test -Dtest=BulkSendsPlans -Dherald.bench=true}.
 */
@EnabledIfSystemProperty(named = "herald.bench", matches = "true")
@SpringBootTest(properties = "herald.roles=web")
@Import(TestOrganizations.class)
class BulkSendsPlans {
  static final int RECIPIENTS = 100_000, CHUNK = 1_000, DOMAINS = 100;

  @Autowired TestOrganizations organizations;
  @Autowired SendingDomains sendingDomains;
  @Autowired BulkSends bulk;
  @Autowired DeliveryQueue queue;
  @Autowired JdbcClient jdbc;
  @Autowired TransactionTemplate tx;
  @Autowired Clock clock;

  @Test
  void print_the_plans() {
    long org = organizations.create("Bulk Plans", "send").id();
    long domain = new TestSendingDomains(sendingDomains, jdbc).verified(org, "plans.example");
    long campaign = bulk.open(org, domain, MessageSourceKind.CAMPAIGN, "news@plans.example", "Plans");
    long other = bulk.open(org, domain, MessageSourceKind.CAMPAIGN, "news@plans.example", "Other");
    var threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long parseCpu = threads.getCurrentThreadCpuTime();
    for (int i = 0; i < RECIPIENTS; i++) dev.herald.mail.EmailAddress.parse("p" + i + "@d" + (i % DOMAINS) + ".example");
    System.out.printf("parsing %,d addresses: %.2f s CPU%n", RECIPIENTS, (threads.getCurrentThreadCpuTime() - parseCpu) / 1e9);
    double pgCpu = allBackendsCpu();
    long jvmCpu = threads.getCurrentThreadCpuTime();
    long started = System.nanoTime();
    for (int from = 0; from < RECIPIENTS; from += CHUNK) {
      List<BulkRecipient> chunk = new ArrayList<>(CHUNK);
      for (int i = from; i < from + CHUNK; i++) chunk.add(new BulkRecipient(i, "r" + i + "@d" + (i % DOMAINS) + ".example"));
      tx.executeWithoutResult(s -> bulk.add(campaign, chunk));
    }
    double addSeconds = (System.nanoTime() - started) / 1e9;
    System.out.printf("add: JVM thread CPU %.2f s; PostgreSQL CPU of the pool's backends %.2f s (load %s)%n",
        (threads.getCurrentThreadCpuTime() - jvmCpu) / 1e9, allBackendsCpu() - pgCpu, loadAverage());
    List<BulkRecipient> waiting = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) waiting.add(new BulkRecipient(i, "w" + i + "@d" + (i % DOMAINS) + ".example"));
    bulk.add(other, waiting);
    System.out.printf("add: %,d recipients in chunks of %,d: %.2f s (%.0f rows/s)%n", RECIPIENTS, CHUNK, addSeconds, RECIPIENTS / addSeconds);
    jdbc.sql("analyze outbound_recipient").update();
    tx.executeWithoutResult(st -> {
      explain("add: one chunk of 1,000 (rolled back)", """
          insert into outbound_recipient (message_id, organization_id, kind, address, address_key, domain, source_ref, state, last_reply)
          select m.id, m.organization_id, 'to', 'x' || i || '@d' || (i %% 100) || '.example', 'x' || i || '@d' || (i %% 100) || '.example',
            'd' || (i %% 100) || '.example', i, 'queued', ''
          from outbound_message m, generate_series(1, 1000) i where m.id = %d
          on conflict (message_id, address_key) do nothing""".formatted(other));
      st.setRollbackOnly();
    });

    String insert = """
        insert into outbound_recipient (message_id, organization_id, kind, address, address_key, domain, source_ref, state, last_reply)
        select m.id, m.organization_id, 'to', 'y' || i || '@d' || (i %% 100) || '.example', 'y' || i || '@d' || (i %% 100) || '.example',
          'd' || (i %% 100) || '.example', i, 'queued', ''
        from outbound_message m, generate_series(1, 50000) i where m.id = %d""".formatted(other);
    String conflict = " on conflict (message_id, address_key) do nothing";
    for (int round = 0; round < 3; round++) {
      cpu("50,000 rows as add writes them", null, insert + conflict);
      cpu("50,000 rows, no organization key", "alter table outbound_recipient drop constraint outbound_recipient_organization_id_fkey",
          insert + conflict);
      cpu("50,000 rows, no on conflict", null, insert);
      cpu("50,000 rows, no org_address index", "drop index outbound_recipient_org_address", insert + conflict);
      cpu("50,000 rows, no pending index", "drop index outbound_recipient_pending", insert + conflict);
      cpu("50,000 rows, no message index", "drop index outbound_recipient_message", insert + conflict);
    }

    started = System.nanoTime();
    bulk.hold(campaign);
    System.out.printf("hold of %,d rows: %.2f s%n", RECIPIENTS, (System.nanoTime() - started) / 1e9);
    jdbc.sql("analyze outbound_recipient").update();
    plans("held");
    started = System.nanoTime();
    bulk.release(campaign);
    System.out.printf("release of %,d rows: %.2f s%n", RECIPIENTS, (System.nanoTime() - started) / 1e9);
    jdbc.sql("analyze outbound_recipient").update();
    plans("released");
    started = System.nanoTime();
    bulk.states(campaign);
    System.out.printf("states of %,d rows: %.3f s%n", RECIPIENTS, (System.nanoTime() - started) / 1e9);
    started = System.nanoTime();
    List<DeliveryQueue.Claimed> claimed = queue.claim("d7.example", 10, Set.of());
    System.out.printf("claim of 10 (released): %.1f ms, %d rows%n", (System.nanoTime() - started) / 1e6, claimed.size());
  }

  /** The CPU seconds of the backend running {@code sql} after {@code setup}, in a transaction rolled back. */
  private void cpu(String name, String setup, String sql) {
    tx.executeWithoutResult(st -> {
      if (setup != null) jdbc.sql(setup).update();
      long pid = jdbc.sql("select pg_backend_pid()").query(Long.class).single();
      double before = backendCpu(pid);
      jdbc.sql(sql).update();
      System.out.printf("%s: %.2f s CPU (load %s)%n", name, backendCpu(pid) - before, loadAverage());
      st.setRollbackOnly();
    });
  }

  private static double backendCpu(long pid) {
    try {
      String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", String.valueOf(pid), "stat")).split(" ");
      return (Long.parseLong(f[13]) + Long.parseLong(f[14])) / 100.0;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** CPU seconds of every PostgreSQL backend of the test's server (the pool's connections), from /proc. */
  private double allBackendsCpu() {
    try {
      String dir = jdbc.sql("show data_directory").query(String.class).single();
      long postmaster = Long.parseLong(java.nio.file.Files.readAllLines(java.nio.file.Path.of(dir, "postmaster.pid")).getFirst().strip());
      double ticks = 0;
      for (ProcessHandle p : ProcessHandle.of(postmaster).orElseThrow().children().toList()) {
        String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", String.valueOf(p.pid()), "stat")).split(" ");
        ticks += Long.parseLong(f[13]) + Long.parseLong(f[14]);
      }
      return ticks / 100.0;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String loadAverage() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).substring(0, 14);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void plans(String when) {
    // The claim's due half and the due-domain count, as DeliveryQueue writes them, read-only (no lock, no update).
    explain(when + ": claim (due half)", """
        select id from outbound_recipient
        where domain = 'd7.example' and state in ('queued', 'deferred') and next_attempt_at <= now()
          and (organization_id is null or not (organization_id = any (array[]::bigint[])))
          and not exists (select 1 from queue_pause p where p.domain in ('d7.example', '*'))
        order by next_attempt_at, id limit 10""");
    explain(when + ": due domains", """
        select domain, count(*), min(at) from (
          select domain, next_attempt_at as at from outbound_recipient
          where state in ('queued', 'deferred') and next_attempt_at <= now()
            and (organization_id is null or not (organization_id = any (array[]::bigint[])))
          union all
          select domain, lease_until from outbound_recipient
          where state = 'sending' and lease_until < now() and (organization_id is null or not (organization_id = any (array[]::bigint[])))
        ) due
        where not exists (select 1 from queue_pause p where p.domain in (due.domain, '*'))
        group by domain order by 3, 1 limit 500""");
  }

  private void explain(String name, String sql) {
    System.out.println("---- " + name);
    jdbc.sql("explain (analyze, buffers) " + sql).query(String.class).list().forEach(System.out::println);
  }
}
