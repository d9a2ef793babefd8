package dev.herald.tenancy;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/** What a person or API key may do inside one organization, per resource. Write implies read. */
public enum Permission {
  LISTS_READ("lists:read"), LISTS_WRITE("lists:write"),
  /** Downloading subscribers in bulk: apart from reading, as a copy of everyone's personal data leaves Herald. */
  LISTS_EXPORT("lists:export"),
  SUPPRESSIONS_READ("suppressions:read"), SUPPRESSIONS_WRITE("suppressions:write"),
  CAMPAIGNS_READ("campaigns:read"), CAMPAIGNS_WRITE("campaigns:write"),
  TEMPLATES_READ("templates:read"), TEMPLATES_WRITE("templates:write"),
  DOMAINS_READ("domains:read"), DOMAINS_WRITE("domains:write"),
  API_KEYS_READ("api_keys:read"), API_KEYS_WRITE("api_keys:write"),
  REPORTS_READ("reports:read"),
  PRIVACY_READ("privacy:read"), PRIVACY_WRITE("privacy:write"),
  BILLING_READ("billing:read"), BILLING_WRITE("billing:write"),
  MEMBERS_READ("members:read"), MEMBERS_WRITE("members:write"),
  AUDIT_READ("audit:read"),
  SEND("send");

  private final String code;

  Permission(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }

  public static Optional<Permission> fromCode(String code) {
    return Arrays.stream(values()).filter(p -> p.code.equals(code)).findFirst();
  }

  /** Adds the read permission that each write permission implies. */
  static Set<Permission> withImplied(Set<Permission> granted) {
    EnumSet<Permission> all = granted.isEmpty() ? EnumSet.noneOf(Permission.class) : EnumSet.copyOf(granted);
    for (Permission p : granted) {
      if (p.code.endsWith(":write")) fromCode(p.code.replace(":write", ":read")).ifPresent(all::add);
    }
    return all;
  }
}
