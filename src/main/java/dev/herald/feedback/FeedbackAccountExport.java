package dev.herald.feedback;

import dev.herald.platform.OrganizationArchive;
import org.springframework.stereotype.Component;

/** Feedback's part of an organization's export: its mailbox monitors (never their passwords) and the bounces and complaints. */
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
  }
}
