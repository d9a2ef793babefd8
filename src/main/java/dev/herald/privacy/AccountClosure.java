package dev.herald.privacy;

import dev.herald.platform.Dates;
import dev.herald.platform.HeraldProperties;
import dev.herald.platform.SystemMail;
import dev.herald.tenancy.OrganizationClosures;
import dev.herald.tenancy.OrganizationClosures.Closure;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Closing an account (issue 13): the owner closes the organization with its slug typed to confirm; from that commit
 * its campaigns' hand-offs, the delivery queue, imports and mailbox polls hold its work, its API keys and hosted pages
 * are refused (tenancy's closed state, checked where a suspension is), and the owners are mailed. Within the grace
 * period (the operator's setting, 30 days by default) an owner reopens it and everything goes on where it stopped;
 * after it, {@link AccountPurgeWorker} deletes it.
 */
@Service
class AccountClosure {
  private final OrganizationClosures closures;
  private final SystemMail mail;
  private final HeraldProperties properties;

  AccountClosure(OrganizationClosures closures, SystemMail mail, HeraldProperties properties) {
    this.closures = closures;
    this.mail = mail;
    this.properties = properties;
  }

  @Transactional
  Closure close(long organizationId, String confirmation) {
    Closure closed = closures.close(organizationId, confirmation);
    for (String owner : closed.ownerEmails()) {
      mail.send(new SystemMail.SystemMessage(owner, "Your organization " + closed.name() + " is closed",
          "The organization " + closed.name() + " (" + closed.slug() + ") was closed on " + Dates.time(closed.closedAt()) + ".\n\n"
              + "Its campaigns and queued mail are held, and its API keys, SMTP credentials and hosted pages refused.\n"
              + "Until " + Dates.time(closed.purgeAfter()) + " an owner can reopen it, or download an export of all its data, here:\n"
              + properties.link("/o/" + closed.slug() + "/closure") + "\n\n"
              + "After that date all its data is deleted for good, and you will get a last mail saying so.",
          "account_closed"));
    }
    return closed;
  }

  @Transactional
  Closure reopen(long organizationId) {
    return closures.reopen(organizationId);
  }
}
