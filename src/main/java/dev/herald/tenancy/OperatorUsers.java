package dev.herald.tenancy;

import dev.herald.platform.Refused;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The operator's view of people: the list, and locking an account (abuse, a compromised account) so it
 * cannot sign in until unlocked. Locking ends the person's sessions at once; both are in the operator's log.
 */
@Service
class OperatorUsers {
  private final Users users;
  private final Sessions sessions;
  private final AuditLog audit;

  OperatorUsers(Users users, Sessions sessions, AuditLog audit) {
    this.users = users;
    this.sessions = sessions;
    this.audit = audit;
  }

  Users.ListPage search(String q, int page, int size) {
    Refused.checkPage(page, size);
    return users.search(q, page, size);
  }

  /** Returns the account; an account locked already stays so, and its sessions are ended again. */
  @Transactional
  Users.User lock(long operatorId, long userId) {
    Users.User user = users.byId(userId).orElseThrow(() -> Refused.notFound("User"));
    // The operator locking themselves out would leave the installation without anyone to unlock them.
    if (userId == operatorId) throw Refused.conflict(null, "You cannot lock your own account.");
    if (users.lockByOperator(userId)) audit.record(null, "user.locked", "user", userId, user.email());
    sessions.revokeAllExcept(userId, null);
    return users.byId(userId).orElseThrow();
  }

  @Transactional
  Users.User unlock(long userId) {
    Users.User user = users.byId(userId).orElseThrow(() -> Refused.notFound("User"));
    if (users.unlockByOperator(userId)) audit.record(null, "user.unlocked", "user", userId, user.email());
    return users.byId(userId).orElseThrow();
  }
}
