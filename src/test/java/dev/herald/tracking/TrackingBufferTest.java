package dev.herald.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import dev.herald.messages.LinkTracking;
import dev.herald.tenancy.TestOrganizations;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;

/**
 * When the database does not take events (a lock on the events table stands in for a slow or lost database), the
 * endpoints keep answering from the buffer until it is full, then 503 with Retry-After; nothing answered is lost once
 * the database is back. A node stopping gracefully stores what its buffer holds before it goes.
 */
@SpringBootTest(properties = {"herald.tracking.buffer=100", "herald.tracking.batch=10", "herald.tracking.flush=20ms",
    "herald.shutdown-timeout=30s"})
@AutoConfigureMockMvc
@Import(TestOrganizations.class)
class TrackingBufferTest {
  @Autowired MockMvc mvc;
  @Autowired JdbcClient jdbc;
  @Autowired DataSource dataSource;
  @Autowired LinkTracking tokens;
  @Autowired TestOrganizations organizations;
  @Autowired TrackingWriter writer;

  MockHttpServletResponse open(TrackedMail mail, TrackedMail.Sent sent) throws Exception {
    return mvc.perform(get(mail.openPath(sent, 0)).header("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0"))
        .andReturn().getResponse();
  }

  long stored(long messageId) {
    return jdbc.sql("select count(*) from tracking_event where message_id = ?").param(messageId).query(Long.class).single();
  }

  void waitFor(long messageId, long count) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    while (stored(messageId) < count && Instant.now().isBefore(deadline)) Thread.sleep(20);
    assertThat(stored(messageId)).isEqualTo(count);
  }

  /** Holds an exclusive lock on the events table: the writer's insert waits behind it until rollback. */
  Connection lockEvents() throws Exception {
    Connection hold = dataSource.getConnection();
    hold.setAutoCommit(false);
    try (Statement s = hold.createStatement()) {
      s.execute("lock table tracking_event in access exclusive mode");
    }
    return hold;
  }

  @Test
  void a_full_buffer_answers_503_and_every_event_answered_200_is_stored_once_the_database_is_back() throws Exception {
    TestOrganizations.Created org = organizations.create("Busy Co", "send");
    TrackedMail mail = new TrackedMail(jdbc, tokens);
    TrackedMail.Sent sent = mail.apiMessage(org.id(), List.of("https://shop.example/a"), "ann@one.example");
    int answered = 0;
    MockHttpServletResponse busy = null;
    try (Connection hold = lockEvents()) {
      for (int i = 0; i < 2_000 && busy == null; i++) {
        MockHttpServletResponse r = open(mail, sent);
        if (r.getStatus() == 200) answered++;
        else busy = r;
      }
      assertThat(busy).as("the buffer of 100 fills").isNotNull();
      assertThat(busy.getStatus()).isEqualTo(503);
      assertThat(busy.getHeader("Retry-After")).isEqualTo("5");
      assertThat(busy.getHeader("Cache-Control")).isEqualTo("no-store");
      assertThat(busy.getContentAsString()).as("a fixed line, not the error page").isEqualTo("Busy, try again later.\n");
      assertThat(busy.getForwardedUrl()).as("no error dispatch").isNull();
      assertThat(answered).as("the buffer and the batch waiting on the database").isBetween(100, 111);
      try (Statement s = hold.createStatement(); var rs = s.executeQuery("select count(*) from tracking_event where message_id = " + sent.messageId())) {
        rs.next();
        assertThat(rs.getLong(1)).as("nothing got past the lock").isZero();
      }
      hold.rollback();
    }
    waitFor(sent.messageId(), answered);
    assertThat(open(mail, sent).getStatus()).as("room again").isEqualTo(200);
    waitFor(sent.messageId(), answered + 1);
  }

  @Test
  void stopping_stores_the_buffered_events_before_the_node_goes() throws Exception {
    TestOrganizations.Created org = organizations.create("Drain Co", "send");
    TrackedMail mail = new TrackedMail(jdbc, tokens);
    TrackedMail.Sent sent = mail.apiMessage(org.id(), List.of("https://shop.example/a"), "ann@one.example");
    Thread stopping;
    try (Connection hold = lockEvents()) {
      for (int i = 0; i < 60; i++) assertThat(open(mail, sent).getStatus()).isEqualTo(200);
      stopping = Thread.ofPlatform().start(writer::stop); // as the context does, after the web server stopped
      Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
      while (writer.isRunning() && Instant.now().isBefore(deadline)) Thread.sleep(10);
      assertThat(writer.isRunning()).isFalse();
      assertThat(stopping.isAlive()).as("stop waits for the drain").isTrue();
      hold.rollback();
    }
    try {
      stopping.join(Duration.ofSeconds(30));
      assertThat(stopping.isAlive()).isFalse();
      assertThat(stored(sent.messageId())).as("stored before stop returned").isEqualTo(60);
    } finally {
      writer.start();
    }
  }
}
