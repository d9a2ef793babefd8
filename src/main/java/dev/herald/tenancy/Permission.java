package dev.herald.tenancy;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/** What a person or API key may do inside one organization, per resource. Write implies read. */
public enum Permission {
  LISTS_READ("lists:read", "See lists, subscribers and segments"),
  LISTS_WRITE("lists:write", "Change lists, subscribers, segments and imports"),
  /** Downloading subscribers in bulk: apart from reading, as a copy of everyone's personal data leaves Herald. */
  LISTS_EXPORT("lists:export", "Export subscribers"),
  SUPPRESSIONS_READ("suppressions:read", "Read suppression lists"),
  SUPPRESSIONS_WRITE("suppressions:write", "Change suppression lists"),
  CAMPAIGNS_READ("campaigns:read", "See campaigns"), CAMPAIGNS_WRITE("campaigns:write", "Change campaigns"),
  TEMPLATES_READ("templates:read", "See templates"), TEMPLATES_WRITE("templates:write", "Change templates"),
  DOMAINS_READ("domains:read", "See sending domains"), DOMAINS_WRITE("domains:write", "Change sending domains"),
  API_KEYS_READ("api_keys:read", "See API keys"), API_KEYS_WRITE("api_keys:write", "Create and revoke API keys"),
  REPORTS_READ("reports:read", "Read reports"),
  PRIVACY_READ("privacy:read", "See privacy requests"), PRIVACY_WRITE("privacy:write", "Erase people"),
  BILLING_READ("billing:read", "See billing"), BILLING_WRITE("billing:write", "Change billing"),
  /**
   * Exporting everything the organization holds (privacy's account export): every subscriber, message and event at once.
   * Owners only: no other role holds it, no group can give it, and only an owner can put it on an API key.
   */
  ACCOUNT_EXPORT("account:export", "Export all the organization's data"),
  MEMBERS_READ("members:read", "See members and groups"), MEMBERS_WRITE("members:write", "Invite members and change roles and groups"),
  AUDIT_READ("audit:read", "Read the audit log"),
  SEND("send", "Send mail"),
  /** Sent messages: senders, subjects, recipients and their delivery (what a mail log shows). */
  MESSAGES_READ("messages:read", "See sent messages and their delivery"),
  /**
   * The stored message itself (its body and attachments): apart from reading the log, as a message may hold what
   * only its recipients should see.
   */
  MESSAGES_CONTENT("messages:content", "See the content of sent messages");

  private final String code;
  private final String label;

  Permission(String code, String label) {
    this.code = code;
    this.label = label;
  }

  /** What the panel shows for it; the code is what the API, API keys and the database know. */
  public String label() {
    return label;
  }

  /** The label of a stored code, or the code itself when no permission has it any more. */
  public static String labelOf(String code) {
    return fromCode(code).map(Permission::label).orElse(code);
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
