package dev.herald.feedback;

import dev.herald.tenancy.OrganizationPurge;
import org.springframework.stereotype.Component;

/**
 * A deleted organization's mailbox monitors go with their passwords: the cascade deletes the rows but would leave
 * the passwords in Secrets, named by no row any more.
 */
@Component
class MailboxesPurge implements OrganizationPurge {
  private final Mailboxes mailboxes;

  MailboxesPurge(Mailboxes mailboxes) {
    this.mailboxes = mailboxes;
  }

  @Override
  public void beforeDelete(long organizationId) {
    mailboxes.deleteAll(organizationId);
  }
}
