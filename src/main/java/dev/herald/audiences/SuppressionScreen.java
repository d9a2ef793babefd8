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
}
