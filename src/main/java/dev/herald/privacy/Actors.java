package dev.herald.privacy;

import dev.herald.tenancy.HeraldUser;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/** Who takes a step of a request, as its history names them: a member's address, an API key, or "system". */
final class Actors {
  static final String SELF_SERVICE = "the person (self-service)";

  private Actors() {}

  static String current() {
    Authentication auth = SecurityContextHolder.getContext().getAuthentication();
    if (auth == null) return "system";
    return auth.getPrincipal() instanceof HeraldUser u ? u.email() : auth.getName();
  }
}
