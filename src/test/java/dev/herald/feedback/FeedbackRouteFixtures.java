package dev.herald.feedback;

import dev.herald.testsupport.RouteFixtures;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * For the route walk: a mailbox monitor of the organization (named after it, so a response showing it to another
 * organization is seen), and an open sender alert (a pause) for the operator's routes.
 */
class FeedbackRouteFixtures implements RouteFixtures {
  private final Mailboxes mailboxes;
  private final JdbcClient jdbc;

  FeedbackRouteFixtures(Mailboxes mailboxes, JdbcClient jdbc) {
    this.mailboxes = mailboxes;
    this.jdbc = jdbc;
  }

  @Override
  public Map<String, Long> create(Organization org) {
    long mailbox = mailboxes.create(org.id(), new Mailboxes.Input(org.name() + " bounces", MailboxProtocol.IMAP, "imap.example.net", null,
        MailboxTls.IMPLICIT, true, "bounces", "route-walk-password", null, AfterProcessing.DELETE, null));
    long alert = jdbc.sql("""
        insert into sender_alert (organization_id, level, metric, rate, threshold, sent, counted, raised_at)
        values (?, 'pause', 'complaints', 0.01, 0.003, 1000, 10, now())
        on conflict (organization_id, level) where lifted_at is null do update set rate = excluded.rate returning id""")
        .param(org.id()).query(Long.class).single();
    return Map.of("mailboxes/{id}", mailbox, "feedback-mailboxes/{id}", mailbox, "sender-alerts/{id}", alert);
  }
}
