package dev.herald.audiences;

import java.time.Duration;
import java.time.Instant;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The confirmation mails in the sandbox mailbox. They are sent after the request's commit, on another thread (so a
 * form's answer does not wait for them), so a test that expects one waits for it a bounded time.
 */
final class ConfirmationMails {
  private ConfirmationMails() {}

  /** How many confirmation mails {@code recipient} has, once there are {@code expected} or 10 seconds have passed. */
  static long await(JdbcClient jdbc, String recipient, long expected) {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
    while (true) {
      long n = count(jdbc, recipient);
      if (n >= expected || Instant.now().isAfter(deadline)) return n;
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return n;
      }
    }
  }

  static long count(JdbcClient jdbc, String recipient) {
    return jdbc.sql("select count(*) from sandbox_message where recipient = ? and purpose = 'double_opt_in'").param(recipient)
        .query(Long.class).single();
  }

  /** The newest confirmation mail's body, once {@code recipient} has at least one. */
  static String latest(JdbcClient jdbc, String recipient) {
    await(jdbc, recipient, 1);
    return jdbc.sql("select body_text from sandbox_message where recipient = ? and purpose = 'double_opt_in' order by id desc limit 1")
        .param(recipient).query(String.class).single();
  }
}
