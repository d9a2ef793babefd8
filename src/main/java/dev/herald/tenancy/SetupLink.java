package dev.herald.tenancy;

import dev.herald.platform.HeraldProperties;
import dev.herald.platform.NodeRole;
import dev.herald.platform.NodeRoles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * On a start with no operator yet, prints a one-time link (valid 24 h by default) to create the
 * operator's account. There is no default password anywhere; the link is the only way in.
 */
@Component
class SetupLink {
  private static final Logger log = LoggerFactory.getLogger(SetupLink.class);
  private final Accounts accounts;
  private final NodeRoles roles;
  private final HeraldProperties properties;

  SetupLink(Accounts accounts, NodeRoles roles, HeraldProperties properties) {
    this.accounts = accounts;
    this.roles = roles;
    this.properties = properties;
  }

  @EventListener(ApplicationReadyEvent.class)
  void printWhenNoOperator() {
    if (!roles.has(NodeRole.web)) return;
    accounts.issueSetupToken().ifPresent(token -> log.warn("""

        ================================================================================
         Herald has no operator yet. Create the operator account within {} hours at:
           {}
         The link works once; restart Herald to print a new one.
        ================================================================================""",
        properties.setupLinkValidity().toHours(), properties.link("/setup?token=" + token)));
  }
}
