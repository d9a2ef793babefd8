package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.tenancy.TestOrganizations;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.modulith.events.IncompleteEventPublications;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.ObjectMapper;

/**
 * Spring Modulith's publication registry in use, on the table Flyway made: a publication is written in the
 * transaction of the change, deleted once its listener ran after the commit, and left incomplete (and run
 * again on resubmission, as at a restart) when its listener throws.
 */
@SpringBootTest(properties = "herald.imports.poll=PT0.1S")
@AutoConfigureMockMvc
@Import({AudienceFixtures.class, TestOrganizations.class, EventPublicationTest.FlakyListener.class})
class EventPublicationTest {
  @Autowired AudienceFixtures fixtures;
  @Autowired JdbcClient jdbc;
  @Autowired TransactionTemplate tx;
  @Autowired ApplicationEventPublisher publisher;
  @Autowired IncompleteEventPublications incomplete;
  @Autowired MockMvc mvc;
  @Autowired ObjectMapper json;
  @Autowired Imports imports;

  TestOrganizations.Created org;
  long listId;
  static int counter;

  @BeforeEach
  void organization() {
    org = fixtures.organization("Outbox Co " + (++counter));
    listId = jdbc.sql("insert into mailing_list (organization_id, name, optin) values (?, 'Imported', 'single') returning id")
        .param(org.id()).query(Long.class).single();
  }

  /** An event only a test listens to; its listener fails as often as it is told to. */
  record Pinged(String name) {}

  /** State kept static: the bean is a proxy (async, transactional), whose own fields are not the listener's. */
  static class FlakyListener {
    static final AtomicInteger failuresLeft = new AtomicInteger();
    static final List<String> handled = new CopyOnWriteArrayList<>();

    @ApplicationModuleListener
    void on(Pinged pinged) {
      if (failuresLeft.getAndDecrement() > 0) throw new IllegalStateException("listener down");
      handled.add(pinged.name());
    }
  }

  long publications(String listener) {
    return jdbc.sql("select count(*) from event_publication where listener_id like ?").param("%" + listener + "%").query(Long.class).single();
  }

  @Test
  void a_publication_is_stored_with_the_change_and_deleted_once_its_listener_ran() {
    long jobId = 4242;
    tx.executeWithoutResult(status -> {
      publisher.publishEvent(new Imports.SubscribersImported(org.id(), listId, jobId, 3, 1, 4, 2));
      assertThat(publications("ImportAudit")).as("written in the transaction of the change").isEqualTo(1);
      assertThat(finishedAudit(jobId)).as("the listener runs only after the commit").isEmpty();
    });
    await("the audit entry is written", () -> !finishedAudit(jobId).isEmpty());
    assertThat(finishedAudit(jobId)).containsExactly("3 added, 1 updated, 4 existing added to the list or status changed, 2 set aside, list " + listId);
    await("the completed publication is deleted", () -> publications("ImportAudit") == 0);

    // Rolled back: no publication, and the listener never runs.
    tx.executeWithoutResult(status -> {
      publisher.publishEvent(new Imports.SubscribersImported(org.id(), listId, 4343, 1, 0, 0, 0));
      status.setRollbackOnly();
    });
    assertThat(publications("ImportAudit")).isZero();
    assertThat(finishedAudit(4343)).isEmpty();
  }

  @Test
  void a_real_import_finishing_is_audited_after_its_merge() throws Exception {
    ImportCalls calls = new ImportCalls(mvc, json, imports, org, listId);
    var job = calls.finished(calls.upload("people.csv", "email,name\nann@example.com,Ann\nbob@example.com,Bob\nnot-an-address,X\n"
        .getBytes(StandardCharsets.UTF_8), Map.of(), 202));
    assertThat(job.get("status").asString()).isEqualTo("finished");
    long jobId = job.get("id").asLong();
    await("the import's audit entry", () -> !finishedAudit(jobId).isEmpty());
    assertThat(finishedAudit(jobId)).containsExactly("2 added, 0 updated, 0 existing added to the list or status changed, 1 set aside, list " + listId);
    await("no publication left", () -> publications("ImportAudit") == 0);
  }

  @Test
  void a_listener_that_throws_leaves_its_publication_incomplete_until_it_is_resubmitted() {
    FlakyListener.failuresLeft.set(1);
    tx.executeWithoutResult(status -> publisher.publishEvent(new Pinged("first")));
    await("the publication is marked failed", () -> jdbc.sql("""
        select count(*) from event_publication where listener_id like '%FlakyListener%' and status = 'FAILED'
          and completion_date is null and serialized_event like '%first%'""").query(Long.class).single() == 1);
    assertThat(FlakyListener.handled).isEmpty();

    // What a node does at its start (spring.modulith.events.republish-outstanding-events-on-restart).
    incomplete.resubmitIncompletePublications(publication -> true);
    await("handled on the second attempt", () -> FlakyListener.handled.contains("first"));
    await("and then deleted", () -> publications("FlakyListener") == 0);
  }

  List<String> finishedAudit(long jobId) {
    return jdbc.sql("select detail from audit_event where organization_id = ? and action = 'import.finished' and object_id = ?")
        .params(org.id(), Long.toString(jobId)).query(String.class).list();
  }

  static void await(String what, BooleanSupplier condition) {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) throw new AssertionError("waited 20 s for: " + what);
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
