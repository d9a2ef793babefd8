package dev.herald.tenancy;

import dev.herald.platform.Refused;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * A person deletes their own account (issue 13): their memberships and group memberships go, and with the account
 * its password, two-factor secret and recovery codes, sign-in history, policy acceptances and tokens (the foreign keys
 * cascade); what the audit log keeps of their actions stays, anonymized (no address, no IP address), because the
 * organizations' logs must still say what was done. Refused while they are the last owner of an open organization
 * (hand it over, or close it, first) or the installation's last operator. The caller then ends their sessions.
 */
@Service
class AccountDeletion {
  /** What the audit log shows as the actor of a deleted person's past actions. */
  static final String DELETED_ACTOR = "deleted user";
  private final Users users;
  private final Organizations organizations;
  private final Accounts accounts;
  private final AuditLog audit;
  private final JdbcClient jdbc;

  AccountDeletion(Users users, Organizations organizations, Accounts accounts, AuditLog audit, JdbcClient jdbc) {
    this.users = users;
    this.organizations = organizations;
    this.accounts = accounts;
    this.audit = audit;
    this.jdbc = jdbc;
  }

  @Transactional
  void delete(long userId, String password) {
    Users.User user = users.byId(userId).orElseThrow(() -> Refused.notFound("Account"));
    if (!accounts.passwordMatches(userId, password)) {
      throw Refused.invalid("deletePassword", "Your password is not correct; nothing was deleted.");
    }
    requireNotLastOwner(userId);
    if (user.operator()) {
      // Locks the operators' rows, so two operators deleting themselves at once cannot both pass.
      List<Long> operators = jdbc.sql("select id from app_user where operator order by id for update").query(Long.class).list();
      if (operators.size() <= 1) {
        throw Refused.conflict("account", "You are the installation's only operator; make someone else an operator before deleting your account.");
      }
    }
    anonymizeAuditLog(user);
    forgetAddress(user);
    jdbc.sql("delete from app_user where id = ?").param(userId).update();
    audit.recordAs(null, null, DELETED_ACTOR, "user.deleted", "user", userId, null, null);
  }

  /** Each organization where they are an owner needs another owner, unless its owner closed it (it is being deleted). */
  private void requireNotLastOwner(long userId) {
    for (Organizations.MembershipView m : organizations.membershipsOf(userId)) {
      if (m.role() != Role.owner || m.closed()) continue;
      organizations.lock(m.organizationId());
      if (organizations.countOwners(m.organizationId()) <= 1) {
        throw Refused.conflict("account", "You are the last owner of " + m.name() + " (" + m.slug() + "): make another member an owner, "
            + "or close the organization, before deleting your account. Nothing was deleted.");
      }
    }
  }

  /** Their past actions stay in the audit logs, without their address or the IP addresses they came from. */
  private void anonymizeAuditLog(Users.User user) {
    jdbc.sql("update audit_event set actor = ?, ip = null where actor_user_id = ? or lower(actor) = lower(?)")
        .params(DELETED_ACTOR, user.id(), user.email()).update();
    // Entries about their account (sign-up, password changes) name it by id; a detail could hold the address.
    jdbc.sql("update audit_event set detail = null where object_type = 'user' and object_id = ?").param(Long.toString(user.id())).update();
  }

  /** What is kept by address rather than by account: failed sign-ins, mail limits, invitations not accepted. */
  private void forgetAddress(Users.User user) {
    jdbc.sql("delete from login_event where user_id = ? or lower(email) = lower(?)").params(user.id(), user.email()).update();
    jdbc.sql("delete from mail_limit_event where key = ? or key = ?").params("user:" + user.id(), "email:" + user.email().toLowerCase(java.util.Locale.ROOT))
        .update();
    jdbc.sql("delete from invitation where lower(email) = lower(?) and accepted_at is null").param(user.email()).update();
  }
}
