package dev.herald.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.platform.Leases.Lease;
import dev.herald.platform.Leases.Outcome;
import dev.herald.testsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Two nodes (two {@link Leases} with their own names, one database, one clock the test moves) share a
 * job table with the standard lease columns. After a takeover the stale owner's renew, fail, finish and
 * release change nothing and answer LOST, and the new owner's state is what it wrote. {@link LeasedJobs} runs the jobs a
 * node claims, up to its concurrency.
 */
@SpringBootTest
class LeasesTest {
  static final Duration TERM = Duration.ofMinutes(2);
  @Autowired JdbcClient jdbc;
  @Autowired TransactionTemplate tx;
  // Microseconds: what PostgreSQL keeps of a timestamp, so times read back compare equal.
  final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.MICROS));
  Leases nodeA;
  Leases nodeB;

  record Row(String status, String failure, String owner, long attempt, Instant until) {}

  @BeforeEach
  void table() {
    jdbc.sql("""
        create table if not exists lease_test_job (
          id bigserial primary key, status text not null, failure text, lease_owner text,
          lease_attempt bigint not null default 0, lease_until timestamptz, result text, owner_id bigint)""").update();
    jdbc.sql("truncate lease_test_job").update();
    nodeA = new Leases(jdbc, clock, "node-a", "lease_test_job", TERM);
    nodeB = new Leases(jdbc, clock, "node-b", "lease_test_job", TERM);
  }

  long job(String status, long owner) {
    return jdbc.sql("insert into lease_test_job (status, owner_id) values (?, ?) returning id").params(status, owner).query(Long.class).single();
  }

  long job(String status) {
    return jdbc.sql("insert into lease_test_job (status) values (?) returning id").param(status).query(Long.class).single();
  }

  Row row(long id) {
    return jdbc.sql("select status, failure, lease_owner, lease_attempt, lease_until from lease_test_job where id = ?").param(id)
        .query((rs, n) -> new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
            rs.getTimestamp(5) == null ? null : rs.getTimestamp(5).toInstant()))
        .single();
  }

  @Test
  void a_claim_takes_the_oldest_queued_job_and_no_other_node_gets_it_while_the_lease_holds() {
    long draft = job("draft");
    long first = job("queued");
    long second = job("queued");
    Lease a = nodeA.claim().orElseThrow();
    assertThat(a.jobId()).isEqualTo(first);
    assertThat(row(first)).isEqualTo(new Row("running", null, "node-a", 1, clock.instant().plus(TERM)));
    Lease b = nodeB.claim().orElseThrow();
    assertThat(b.jobId()).as("the next queued job, not A's").isEqualTo(second);
    assertThat(nodeB.finish(b)).isEqualTo(Outcome.DONE);
    clock.advance(TERM.minusSeconds(1));
    assertThat(nodeB.claim()).as("A's lease still holds; a draft is never claimed").isEmpty();
    assertThat(row(draft).status()).isEqualTo("draft");

    assertThat(nodeA.renew(a)).isEqualTo(Outcome.DONE);
    clock.advance(TERM.minusSeconds(1));
    assertThat(nodeB.claim()).as("renewed").isEmpty();
    assertThat(row(first).until()).isEqualTo(clock.instant().plusSeconds(1));
  }

  @Test
  void after_a_takeover_the_stale_owner_changes_nothing_and_is_told_it_lost_the_lease() {
    long id = job("queued");
    Lease stale = nodeA.claim().orElseThrow();
    clock.advance(TERM.plusSeconds(1)); // A stalled (a long pause, a partition): its lease ran out
    Lease current = nodeB.claim().orElseThrow();
    assertThat(current).isEqualTo(new Lease(id, 2));
    Row taken = new Row("running", null, "node-b", 2, clock.instant().plus(TERM));
    assertThat(row(id)).isEqualTo(taken);

    clock.advance(Duration.ofSeconds(30));
    assertThat(nodeA.renew(stale)).isEqualTo(Outcome.LOST);
    assertThat(nodeA.fail(stale, "stale failure")).isEqualTo(Outcome.LOST);
    assertThat(nodeA.finish(stale)).isEqualTo(Outcome.LOST);
    assertThat(nodeA.release(stale)).isEqualTo(Outcome.LOST);
    assertThat(row(id)).as("B's lease untouched: not renewed by A, not failed, finished or released").isEqualTo(taken);

    assertThat(nodeB.renew(current)).isEqualTo(Outcome.DONE);
    assertThat(nodeB.finish(current)).isEqualTo(Outcome.DONE);
    Row finished = new Row("finished", null, "node-b", 2, null);
    assertThat(row(id)).isEqualTo(finished);
    assertThat(nodeA.fail(stale, "stale failure")).as("B's finished job is not marked failed by A").isEqualTo(Outcome.LOST);
    assertThat(row(id)).isEqualTo(finished);
    assertThat(nodeB.finish(current)).as("finished once").isEqualTo(Outcome.LOST);
    clock.advance(TERM.multipliedBy(10));
    assertThat(nodeA.claim()).as("a finished job is never claimed again").isEmpty();
  }

  /**
   * Regression (issue 9): one organization's second import waited behind nothing, but another's first
   * waited behind it. With fair sharing the idle owner goes first; a held owner's jobs stay queued.
   */
  @Test
  void claims_take_the_oldest_job_of_an_idle_owner_before_a_second_of_a_busy_one_and_leave_held_owners_queued() {
    Leases fairA = new Leases(jdbc, clock, "node-a", "lease_test_job", TERM, "owner_id");
    Leases fairB = new Leases(jdbc, clock, "node-b", "lease_test_job", TERM, "owner_id");
    long busyFirst = job("queued", 1);
    long busySecond = job("queued", 1);
    long idle = job("queued", 2);
    long held = job("queued", 3);
    assertThat(fairA.claim(java.util.List.of(3L)).orElseThrow().jobId()).isEqualTo(busyFirst);
    assertThat(fairB.claim(java.util.List.of(3L)).orElseThrow().jobId()).as("owner 2 has nothing running").isEqualTo(idle);
    assertThat(fairA.claim(java.util.List.of(3L)).orElseThrow().jobId()).isEqualTo(busySecond);
    assertThat(fairB.claim(java.util.List.of(3L))).as("owner 3 is held").isEmpty();
    assertThat(row(held).status()).isEqualTo("queued");
    assertThat(fairB.claim(java.util.List.of()).orElseThrow().jobId()).as("once no longer held").isEqualTo(held);

    // A running job whose lease ran out does not count as its owner's: every lease runs out, every owner is idle.
    clock.advance(TERM.plusSeconds(1));
    assertThat(fairA.claim(java.util.List.of()).orElseThrow().jobId()).as("the oldest of all").isEqualTo(busyFirst);
    assertThat(fairA.claim(java.util.List.of()).orElseThrow().jobId()).as("owner 1 runs one again, owner 2 none").isEqualTo(idle);
  }

  @Test
  void a_failed_job_keeps_its_failure_and_is_not_claimed_again() {
    long id = job("queued");
    Lease lease = nodeA.claim().orElseThrow();
    assertThat(nodeA.fail(lease, "the file is empty")).isEqualTo(Outcome.DONE);
    assertThat(row(id)).isEqualTo(new Row("failed", "the file is empty", "node-a", 1, null));
    assertThat(nodeA.renew(lease)).isEqualTo(Outcome.LOST);
    clock.advance(TERM.multipliedBy(10));
    assertThat(nodeB.claim()).isEmpty();
  }

  @Test
  void a_lease_that_ran_out_but_was_not_taken_over_is_still_its_owners() {
    long id = job("queued");
    Lease lease = nodeA.claim().orElseThrow();
    clock.advance(TERM.plusMinutes(5));
    assertThat(nodeA.renew(lease)).isEqualTo(Outcome.DONE);
    assertThat(nodeB.claim()).isEmpty();
    assertThat(row(id).owner()).isEqualTo("node-a");
  }

  @Test
  void a_released_job_is_claimed_at_once_by_another_node_and_never_deleted() {
    long id = job("queued");
    Lease a = nodeA.claim().orElseThrow();
    assertThat(nodeA.release(a)).isEqualTo(Outcome.DONE);
    assertThat(row(id)).isEqualTo(new Row("queued", null, "node-a", 1, null));
    Lease b = nodeB.claim().orElseThrow();
    assertThat(b).isEqualTo(new Lease(id, 2));
    assertThat(nodeA.renew(a)).isEqualTo(Outcome.LOST);
    assertThat(jdbc.sql("select count(*) from lease_test_job").query(Long.class).single()).isEqualTo(1);
  }

  /**
   * What lets a capability fence its own writes: after a renew the row stays locked until the transaction
   * ends, and claims skip it even when the clock says the lease ran out, so nobody takes over in between.
   */
  @Test
  void a_renewed_job_is_not_taken_over_until_the_owners_transaction_ends() {
    long id = job("queued");
    Lease a = nodeA.claim().orElseThrow();
    Optional<Lease> claimedMeanwhile = tx.execute(status -> {
      assertThat(nodeA.renew(a)).isEqualTo(Outcome.DONE);
      jdbc.sql("update lease_test_job set result = 'A wrote this' where id = ?").param(id).update();
      clock.advance(TERM.plusSeconds(1));
      // Another node, on its own connection, while A's transaction still holds the row.
      return CompletableFuture.supplyAsync(() -> nodeB.claim()).join();
    });
    assertThat(claimedMeanwhile).isEmpty();
    assertThat(jdbc.sql("select result from lease_test_job where id = ?").param(id).query(String.class).single()).isEqualTo("A wrote this");
    assertThat(nodeB.claim()).as("once A committed and its lease ran out").contains(new Lease(id, 2));
  }

  @Test
  void the_table_name_must_be_a_plain_identifier() {
    for (String bad : new String[] {"import_job; drop table organization", "Import_Job", "public.import_job", "", "1job"}) {
      assertThatThrownBy(() -> new Leases(jdbc, clock, "node-a", bad, TERM)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> new Leases(jdbc, clock, "node-a", "lease_test_job", Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void this_node_is_named_by_host_and_process() {
    assertThat(Leases.thisNode()).endsWith(":" + ProcessHandle.current().pid());
  }

  @Test
  void leased_jobs_run_what_they_claim_up_to_their_concurrency_and_claim_nothing_once_stopping() throws Exception {
    long first = job("queued");
    long second = job("queued");
    long third = job("queued");
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    LeasedJobs jobs = new LeasedJobs(nodeA, 2, "lease-test-", lease -> {
      try {
        if (go.await(30, java.util.concurrent.TimeUnit.SECONDS)) nodeA.finish(lease);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertThat(jobs.claim(java.util.List.of())).isEqualTo(2);
    assertThat(jobs.running()).extracting(Lease::jobId).containsExactlyInAnyOrder(first, second);
    assertThat(jobs.claim(java.util.List.of())).as("no slot is free").isZero();
    assertThat(row(third).status()).isEqualTo("queued");

    go.countDown();
    waitUntil(() -> jobs.running().isEmpty());
    assertThat(row(first).status()).isEqualTo("finished");
    assertThat(row(second).status()).isEqualTo("finished");
    assertThat(jobs.claim(java.util.List.of())).as("slots are given back when a job ends").isEqualTo(1);
    waitUntil(() -> jobs.running().isEmpty());
    assertThat(row(third).status()).isEqualTo("finished");

    jobs.stopClaiming();
    long fourth = job("queued");
    assertThat(jobs.stopping()).isTrue();
    assertThat(jobs.claim(java.util.List.of())).isZero();
    assertThat(jobs.awaitRunning(Duration.ofSeconds(30))).isTrue();
    assertThat(row(fourth).status()).as("left for another node").isEqualTo("queued");
  }

  static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waited 30 s").isLessThan(deadline);
      Thread.sleep(10);
    }
  }
}
