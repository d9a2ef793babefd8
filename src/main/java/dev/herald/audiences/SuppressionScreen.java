package dev.herald.audiences;

import java.util.Optional;

/**
 * The port through which audiences asks whether an address may be (re-)added by an operator-driven
 * path (imports, bulk upserts, bulk "add to list"). The suppression capability implements it; it
 * sits to the right of audiences, so audiences owns this interface and never calls it directly.
 */
public interface SuppressionScreen {

  /**
   * Why the address may not be added in this organization (its own list or the installation-wide
   * one, by address, by domain, or as an erased person's hash), or empty when it may.
   *
   * @param emailKey the subscriber key of the address ({@link EmailAddress#key()})
   */
  Optional<String> refusal(long organizationId, String emailKey);

  /**
   * The set-based form of {@link #refusal}, for imports of a million rows: an SQL expression that
   * yields the same reason text, or null, for one row. It may use the named parameter {@code :org}
   * (the organization id, which the caller binds) and the given column expression holding the email
   * key; it binds nothing else.
   */
  String refusalSql(String emailKeyColumn);

  /**
   * An SQL boolean expression, true when the address belongs to a person erased in this organization or
   * the installation: such an address is set aside even by an import that only records people leaving,
   * which would otherwise bring the address back. Same parameters as {@link #refusalSql}.
   */
  String erasedSql(String emailKeyColumn);

  /**
   * True when every entry suppressing the address records the person's own choice in this organization
   * (they unsubscribed, or asked to be erased), so that their new, confirmed consent on a hosted form may
   * lift it; false when nothing suppresses it or anything else does (a complaint, a bounce, a member's or
   * the operator's entry, a domain).
   */
  boolean onlyWithdrawnByThePerson(long organizationId, String emailKey);
}
