package dev.herald.feedback;

import dev.herald.platform.OrganizationArchive;
import org.springframework.stereotype.Component;

/**
 * Feedback's part of an organization's export: its mailbox monitors (never their passwords), every bounce, complaint and
 * mailed unsubscribe recorded (read through a cursor, in the organization's time index order), and sender alerts.
 */
@Component
public class FeedbackAccountExport implements OrganizationArchive.Part {

  @Override
  public String capability() {
    return "feedback";
  }

  @Override
  public void export(long organizationId, OrganizationArchive archive) {
    archive.table("feedback", "mailbox_monitors", "Mailbox monitors for bounces and complaints (passwords are not exported)", """
        select id, name, protocol, host, port, tls, verify_certificate, username, folder, after_processing, processed_folder, enabled,
               last_poll_at, last_success_at, last_error, processed_total, created_at
        from feedback_mailbox where organization_id = ? order by id""", organizationId);
    archive.table("feedback", "feedback_events",
        "Every bounce, complaint and mailed unsubscribe of the organization's mail: its class, reason and source, the address and"
            + " message it was about, the receiving server's reply, and what Herald did", """
        select id, occurred_at, source, feedback_class, reason, action, address, message_id, recipient_id, campaign_id, subscriber_id,
               list_id, status, reply_code, diagnostic, remote_mta, feedback_type
        from feedback_event where organization_id = ? order by occurred_at, id""", organizationId);
    archive.table("feedback", "sender_alerts", "Warnings and sending pauses raised for high complaint or bounce rates", """
        select id, level, metric, rate, threshold, sent, counted, raised_at, lifted_at, lifted_by
        from sender_alert where organization_id = ? order by id""", organizationId);
  }
}
