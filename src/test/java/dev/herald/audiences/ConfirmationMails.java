package dev.herald.audiences;

import java.time.Duration;
import java.time.Instant;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The confirmation mails in the sandbox mailbox. A request queues them ({@link DoubleOptIn.ConfirmationMailDue}) and
 * they are written after its commit on another thread, so a test settles the queue before it reads the mailbox.
 */
final class ConfirmationMails {
  private ConfirmationMails() {}

  /**
   * Waits until every queued confirmation mail is written (its publication completed and deleted), 10 seconds at most.
   * The publication is stored in the transaction that queued the mail, so after a request it is there until sent.
   */
  static void settle(JdbcClient jdbc) {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
    while (Instant.now().isBefore(deadline) && jdbc.sql("select count(*) from event_publication where event_type = ?")
        .param(DoubleOptIn.ConfirmationMailDue.class.getName()).query(Long.class).single() > 0) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** How many confirmation mails {@code recipient} has, once the queue is settled. */
  static long count(JdbcClient jdbc, String recipient) {
    settle(jdbc);
    return jdbc.sql("select count(*) from sandbox_message where recipient = ? and purpose = 'double_opt_in'").param(recipient)
        .query(Long.class).single();
  }

  /** The newest confirmation mail's body, once the queue is settled. */
  static String latest(JdbcClient jdbc, String recipient) {
    settle(jdbc);
    return jdbc.sql("select body_text from sandbox_message where recipient = ? and purpose = 'double_opt_in' order by id desc limit 1")
        .param(recipient).query(String.class).single();
  }
}
