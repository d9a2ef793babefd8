package dev.herald.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.messages.LinkTracking;
import dev.herald.tenancy.TestOrganizations;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * An organization's opens and clicks go with it, as the foreign key's cascade did before V85 dropped the key: by the
 * trigger on organization, and with no event of a batch in flight left behind, whichever of the batch and the deletion
 * commits first (the writer holds the organization's advisory lock shared, the deletion exclusively).
 */
@SpringBootTest
@Import(TestOrganizations.class)
class TrackingEventsOfDeletedOrganizationTest {
  static final String BROWSER = TrackingIngestionTest.BROWSER;

  @Autowired JdbcClient jdbc;
  @Autowired DataSource dataSource;
  @Autowired LinkTracking tokens;
  @Autowired TestOrganizations organizations;
  @Autowired TrackingStore store;
  final ExecutorService executor = Executors.newSingleThreadExecutor();

  @AfterEach
  void tearDown() {
    executor.shutdownNow();
  }

  static Hit open(TrackedMail.Sent sent) {
    return new Hit(EventKind.OPEN, sent.organizationId(), sent.messageId(), sent.recipients().get(0), 0, null, Instant.now(), "203.0.113.45",
        BROWSER, false);
  }

  long events(long organizationId) {
    return jdbc.sql("select count(*) from tracking_event where organization_id = ?").param(organizationId).query(Long.class).single();
  }

  void delete(long organizationId) {
    jdbc.sql("delete from organization where id = ?").param(organizationId).update();
  }

  /** Waits (at most 20 s) until a session of this database waits for an advisory lock. */
  void untilWaitingForTheLock() throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    while (Instant.now().isBefore(deadline)) {
      long waiting = jdbc.sql("""
          select count(*) from pg_locks where locktype = 'advisory' and not granted
            and database = (select oid from pg_database where datname = current_database())""").query(Long.class).single();
      if (waiting > 0) return;
      Thread.sleep(20);
    }
    throw new AssertionError("nobody waited for the organization's lock within 20 s");
  }

  @Test
  void an_organizations_events_go_with_it_and_the_others_stay() {
    TrackedMail mail = new TrackedMail(jdbc, tokens);
    TrackedMail.Sent gone = mail.campaign(organizations.create("Gone Co", "send").id(), List.of("https://shop.example/a"), "ann@one.example");
    TrackedMail.Sent kept = mail.campaign(organizations.create("Kept Co", "send").id(), List.of("https://shop.example/a"), "bob@two.example");
    assertThat(store.write(List.of(open(gone), open(gone), open(kept)))).isEqualTo(3);
    assertThat(events(gone.organizationId())).isEqualTo(2);

    delete(gone.organizationId());
    assertThat(events(gone.organizationId())).isZero();
    assertThat(events(kept.organizationId())).isEqualTo(1);
  }

  @Test
  void a_batch_stored_while_its_organization_is_deleted_leaves_no_event_whichever_commits_first() throws Exception {
    TrackedMail mail = new TrackedMail(jdbc, tokens);
    // The deletion first: the batch waits for it, then finds the organization's recipients gone and stores nothing.
    TrackedMail.Sent first = mail.campaign(organizations.create("Deleted First Co", "send").id(), List.of("https://shop.example/a"),
        "ann@one.example");
    try (Connection deleting = dataSource.getConnection(); Statement s = deleting.createStatement()) {
      deleting.setAutoCommit(false);
      s.executeUpdate("delete from organization where id = " + first.organizationId());
      Future<Integer> stored = executor.submit(() -> store.write(List.of(open(first))));
      untilWaitingForTheLock();
      assertThat(stored.isDone()).as("the batch waits for the deletion").isFalse();
      deleting.commit();
      assertThat(stored.get(20, TimeUnit.SECONDS)).isZero();
    }
    assertThat(events(first.organizationId())).isZero();

    // The batch first (a transaction holding the lock as the writer's does, its row inserted): the deletion waits for it
    // to commit, then deletes its row.
    TrackedMail.Sent second = mail.campaign(organizations.create("Stored First Co", "send").id(), List.of("https://shop.example/a"),
        "bob@two.example");
    try (Connection writing = dataSource.getConnection(); Statement s = writing.createStatement()) {
      writing.setAutoCommit(false);
      s.execute("select pg_advisory_xact_lock_shared(hashtextextended('tracking-event:' || " + second.organizationId() + ", 0))");
      s.executeUpdate("insert into tracking_event (organization_id, kind, occurred_at, message_id) values (" + second.organizationId()
          + ", 'open', now(), " + second.messageId() + ")");
      Future<?> deleted = executor.submit(() -> delete(second.organizationId()));
      untilWaitingForTheLock();
      assertThat(deleted.isDone()).as("the deletion waits for the batch").isFalse();
      writing.commit();
      deleted.get(20, TimeUnit.SECONDS);
    }
    assertThat(events(second.organizationId())).isZero();
  }
}
