package dev.herald.tenancy;

import dev.herald.platform.NodeRole;
import dev.herald.platform.NodeRoles;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Removes sign-ups nobody confirmed once their link has expired: the account and the organization it created. Anyone
 * can sign up with someone else's address; until now that left an organization with a name the stranger chose behind,
 * owned by an account on the address, which the address's owner found when they signed up themselves. An account
 * whose address is confirmed (by the sign-up link or a password reset) is never touched, nor an organization with any
 * other member. Every worker node sweeps hourly; two sweeping at once delete the same rows, which is harmless.
 */
@Component
class AbandonedSignUps implements SchedulingConfigurer {
  private static final Logger log = LoggerFactory.getLogger(AbandonedSignUps.class);
  static final Duration SWEEP = Duration.ofHours(1);
  private final JdbcClient jdbc;
  private final AuditLog audit;
  private final NodeRoles roles;
  private final Clock clock;

  AbandonedSignUps(JdbcClient jdbc, AuditLog audit, NodeRoles roles, Clock clock) {
    this.jdbc = jdbc;
    this.audit = audit;
    this.roles = roles;
    this.clock = clock;
  }

  @Override
  public void configureTasks(ScheduledTaskRegistrar registrar) {
    registrar.addFixedDelayTask(() -> {
      if (roles.has(NodeRole.worker)) sweep();
    }, SWEEP);
  }

  /** An account made by a sign-up whose link expired unused: sign-up is the only way to an unconfirmed account. */
  private static final String ABANDONED = """
      (u.email_confirmed_at is null and not u.operator and u.created_at < :cutoff)""";

  /** Deletes the abandoned sign-ups; returns how many accounts went. */
  @Transactional
  int sweep() {
    Timestamp cutoff = Timestamp.from(clock.instant().minus(Accounts.SIGNUP_LINK_VALIDITY));
    record Org(long id, String name, String slug) {}
    String members = "select 1 from membership m join app_user u on u.id = m.user_id where m.organization_id = o.id and ";
    var orgs = jdbc.sql("select o.id, o.name, o.slug from organization o where exists (" + members + ABANDONED + ")"
            + " and not exists (" + members + "not " + ABANDONED + ")")
        .param("cutoff", cutoff).query((rs, n) -> new Org(rs.getLong(1), rs.getString(2), rs.getString(3))).list();
    for (Org org : orgs) {
      // The operator's log keeps it, as for an organization the operator deletes (the organization's own log goes with it).
      audit.record(null, "signup.expired", "organization", org.id(), "name=" + org.name() + ", slug=" + org.slug());
      jdbc.sql("delete from organization where id = ?").param(org.id()).update();
    }
    int accounts = jdbc.sql("delete from app_user u where " + ABANDONED).param("cutoff", cutoff).update();
    if (accounts > 0) log.info("Removed {} sign-ups never confirmed and their {} organizations", accounts, orgs.size());
    return accounts;
  }
}
