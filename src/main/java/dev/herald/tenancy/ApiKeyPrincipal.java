package dev.herald.tenancy;

import java.security.Principal;
import java.util.Set;

/** A request authenticated by an API key: bound to one organization and the key's scopes. */
record ApiKeyPrincipal(long keyId, long organizationId, String prefix, Set<Permission> permissions) implements Principal {
  @Override
  public String getName() {
    return "api-key:" + prefix;
  }
}
