package dev.herald.tenancy;

import java.io.Serializable;
import java.security.Principal;

/**
 * The signed-in person, kept in the (PostgreSQL-backed) session. Its name is the user id, which is
 * what Spring Session indexes, so all of a user's sessions can be listed and revoked.
 */
public record HeraldUser(long id, String email, String displayName, boolean operator) implements Principal, Serializable {
  @Override
  public String getName() {
    return Long.toString(id);
  }
}
