package dev.herald.tenancy;

import static dev.herald.tenancy.Permission.*;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * What an API key can be granted. Deliberately narrower than {@link Permission}: a key can never
 * manage keys, members or billing, so a leaked key cannot mint new access.
 */
public enum ApiScope {
  send(SEND),
  lists_read("lists:read", LISTS_READ), lists_write("lists:write", LISTS_READ, LISTS_WRITE),
  lists_export("lists:export", LISTS_READ, LISTS_EXPORT),
  suppressions_read("suppressions:read", SUPPRESSIONS_READ),
  suppressions_write("suppressions:write", SUPPRESSIONS_READ, SUPPRESSIONS_WRITE),
  campaigns_read("campaigns:read", CAMPAIGNS_READ), campaigns_write("campaigns:write", CAMPAIGNS_READ, CAMPAIGNS_WRITE),
  templates_read("templates:read", TEMPLATES_READ), templates_write("templates:write", TEMPLATES_READ, TEMPLATES_WRITE),
  domains_read("domains:read", DOMAINS_READ), domains_write("domains:write", DOMAINS_READ, DOMAINS_WRITE),
  reports_read("reports:read", REPORTS_READ),
  privacy("privacy", PRIVACY_READ, PRIVACY_WRITE),
  members_read("members:read", MEMBERS_READ),
  audit_read("audit:read", AUDIT_READ);

  private final String code;
  private final Set<Permission> grants;

  ApiScope(Permission only) {
    this(only.code(), only);
  }

  ApiScope(String code, Permission first, Permission... rest) {
    this.code = code;
    this.grants = EnumSet.of(first, rest);
  }

  public String code() {
    return code;
  }

  Set<Permission> grants() {
    return grants;
  }

  public static Optional<ApiScope> fromCode(String code) {
    return Arrays.stream(values()).filter(s -> s.code.equals(code)).findFirst();
  }

  static Set<Permission> permissionsOf(Iterable<String> codes) {
    EnumSet<Permission> all = EnumSet.noneOf(Permission.class);
    for (String c : codes) fromCode(c).ifPresent(s -> all.addAll(s.grants));
    return all;
  }
}
