package dev.herald.tenancy;

import static dev.herald.tenancy.Permission.*;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
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
  // A campaign is written with templates and media, so the campaign scopes reach templates too (issue 11 names
  // campaigns:read/write for the templates and media API); templates:* stays for a key that may touch only those.
  campaigns_read("campaigns:read", CAMPAIGNS_READ, TEMPLATES_READ),
  campaigns_write("campaigns:write", CAMPAIGNS_READ, CAMPAIGNS_WRITE, TEMPLATES_READ, TEMPLATES_WRITE),
  templates_read("templates:read", TEMPLATES_READ), templates_write("templates:write", TEMPLATES_READ, TEMPLATES_WRITE),
  domains_read("domains:read", DOMAINS_READ), domains_write("domains:write", DOMAINS_READ, DOMAINS_WRITE),
  reports_read("reports:read", REPORTS_READ),
  privacy("privacy", PRIVACY_READ, PRIVACY_WRITE),
  // The whole organization's export through the API: apart from privacy (which handles one person's requests), and
  // only an owner can put it on a key (ApiKeys.create).
  account_export("account:export", ACCOUNT_EXPORT),
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

  /** As the panel shows it: "Change lists and subscribers" for {@code lists:write}. */
  public String words() {
    return switch (this) {
      case send -> "Send mail";
      case lists_read -> "Read lists and subscribers";
      case lists_write -> "Change lists and subscribers";
      case lists_export -> "Export subscribers";
      case suppressions_read -> "Read the suppression list";
      case suppressions_write -> "Change the suppression list";
      case campaigns_read -> "Read campaigns";
      case campaigns_write -> "Change campaigns";
      case templates_read -> "Read templates";
      case templates_write -> "Change templates";
      case domains_read -> "Read sending domains";
      case domains_write -> "Change sending domains";
      case reports_read -> "Read reports";
      case privacy -> "See privacy requests and erase people";
      case account_export -> "Export all the organization's data (owners only)";
      case members_read -> "Read members";
      case audit_read -> "Read the audit log";
    };
  }

  /** The words of a stored scope code; a code no longer known is shown as it is. */
  public static String wordsOf(String code) {
    return fromCode(code).map(ApiScope::words).orElse(code);
  }

  /**
   * The scopes the API keys page offers: those of capabilities Herald has today. Keys holding other scopes keep them; their codes are still accepted and shown.
   */
  static List<ApiScope> offered() {
    // account:export is in no group (owners only) but its capability exists
    return Arrays.stream(values()).filter(s -> s == account_export || s.grants.stream().anyMatch(PermissionGroups::exists)).toList();
  }

  Set<Permission> grants() {
    return grants;
  }

  /** The scopes that grant {@code permission}, narrowest first (fewest grants; declaration order among equals). */
  static List<ApiScope> granting(Permission permission) {
    return Arrays.stream(values()).filter(s -> s.grants.contains(permission))
        .sorted(java.util.Comparator.comparingInt(s -> s.grants.size())).toList();
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
