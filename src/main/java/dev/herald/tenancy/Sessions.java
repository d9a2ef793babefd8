package dev.herald.tenancy;

import dev.herald.platform.Tokens;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.Session;
import org.springframework.stereotype.Component;

/**
 * Signed-in sessions, stored by Spring Session in PostgreSQL and indexed by user id, so a person can
 * see theirs and a password change can end all the others on every node.
 */
@Component
class Sessions {
  static final String IP = "herald.ip";
  static final String USER_AGENT = "herald.userAgent";
  static final String SIGNED_IN_AT = "herald.signedInAt";

  private final FindByIndexNameSessionRepository<? extends Session> repository;
  private final SecurityContextRepository contexts = new HttpSessionSecurityContextRepository();
  private final SecurityContextHolderStrategy holder = SecurityContextHolder.getContextHolderStrategy();

  Sessions(FindByIndexNameSessionRepository<? extends Session> repository) {
    this.repository = repository;
  }

  /** Starts an authenticated session for the user, with a new session id (no fixation). */
  void signIn(HeraldUser user, HttpServletRequest request, HttpServletResponse response) {
    // A new session rather than changeSessionId(): no fixation, and no pre-sign-in state carried over
    // (with Spring Session, attributes set right after an id change were observed to be lost).
    var previous = request.getSession(false);
    if (previous != null) previous.invalidate();
    var session = request.getSession(true);
    session.setAttribute(FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME, user.getName());
    session.setAttribute(IP, request.getRemoteAddr());
    String agent = request.getHeader("User-Agent");
    session.setAttribute(USER_AGENT, agent == null ? "" : agent.substring(0, Math.min(agent.length(), 300)));
    session.setAttribute(SIGNED_IN_AT, Instant.now());
    SecurityContext context = holder.createEmptyContext();
    context.setAuthentication(UsernamePasswordAuthenticationToken.authenticated(user, null, AuthorityUtils.NO_AUTHORITIES));
    holder.setContext(context);
    contexts.saveContext(context, request, response);
  }

  /** One row of the account page's session list. */
  record SessionView(String handle, String ip, String userAgent, Instant signedInAt, Instant lastActive, boolean current) {
    /** "Chrome on Linux": what the browser is, said the way people say it (the raw header is the row's title). */
    public String device() {
      return UserAgents.describe(userAgent);
    }

    /** A session whose sign-in recorded neither an address nor a browser (one begun outside the sign-in pages). */
    public boolean unrecorded() {
      return (ip == null || ip.isBlank()) && (userAgent == null || userAgent.isBlank());
    }
  }

  List<SessionView> of(long userId, String currentSessionId) {
    return repository.findByPrincipalName(Long.toString(userId)).entrySet().stream()
        .map(e -> view(e.getKey(), e.getValue(), currentSessionId))
        .sorted(Comparator.comparing(SessionView::lastActive).reversed())
        .toList();
  }

  /** Ends one of the user's sessions, named by its handle (never by the session id itself). */
  boolean revoke(long userId, String handle) {
    for (Map.Entry<String, ? extends Session> e : repository.findByPrincipalName(Long.toString(userId)).entrySet()) {
      if (handle(e.getKey()).equals(handle)) {
        repository.deleteById(e.getKey());
        return true;
      }
    }
    return false;
  }

  /** Ends every session of the user but {@code keepSessionId} (null ends all). */
  int revokeAllExcept(long userId, String keepSessionId) {
    int ended = 0;
    for (String id : repository.findByPrincipalName(Long.toString(userId)).keySet()) {
      if (!id.equals(keepSessionId)) {
        repository.deleteById(id);
        ended++;
      }
    }
    return ended;
  }

  private static SessionView view(String id, Session s, String currentSessionId) {
    Instant signedIn = s.getAttribute(SIGNED_IN_AT);
    return new SessionView(handle(id), s.getAttribute(IP), s.getAttribute(USER_AGENT),
        signedIn == null ? s.getCreationTime() : signedIn, s.getLastAccessedTime(), id.equals(currentSessionId));
  }

  private static String handle(String sessionId) {
    return Tokens.hash(sessionId).substring(0, 20);
  }
}
