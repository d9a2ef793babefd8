package dev.herald.audiences;

import dev.herald.platform.SqlFragment;
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
   * Why the installation's own list (the operator's, for every organization) suppresses the address, or empty: for
   * mail that belongs to no organization, Herald's own.
   */
  Optional<String> installationRefusal(String emailKey);

  /**
   * The set-based form of {@link #refusal}, for imports of a million rows: an SQL value over the caller's
   * row, which the statement names {@code alias} and whose {@code email_key} column holds the subscriber
   * key, yielding the same reason text, or null. Not a condition: the caller compares it with
   * {@code is null} or {@code is not null}, or stores it. Its parameters (the organization) are its own,
   * named under {@code prefix}.
   */
  SqlFragment refusalSql(long organizationId, String alias, String prefix);

  /**
   * An SQL condition over the caller's row (as {@link #refusalSql}), true when nothing refuses the address: the same
   * people as {@code refusalSql(...) is null}, written as anti-joins so that a statement over a million rows (a
   * campaign's audience) reads the suppression lists once into a hash instead of probing them twice per row. For
   * WHERE only, never negated.
   */
  SqlFragment admittedSql(long organizationId, String alias, String prefix);

  /**
   * An SQL condition over the caller's row (as {@link #refusalSql}), true when the address belongs to a person
   * erased in this organization or the installation: such an address is set aside even by an import that only
   * records people leaving, which would otherwise bring the address back. For WHERE only, never negated.
   */
  SqlFragment erasedSql(long organizationId, String alias, String prefix);

  /**
   * The refusal text {@link #refusalSql} gives an erased person's address: an import records such a line without the
   * address, so that setting the person aside does not store them again.
   */
  String erasedRefusal();

  /**
   * True when every entry suppressing the address records the person's own choice in this organization
   * (they unsubscribed, or asked to be erased), so that their new, confirmed consent on a hosted form may
   * lift it; false when nothing suppresses it or anything else does (a complaint, a bounce, a member's or
   * the operator's entry, a domain).
   */
  boolean onlyWithdrawnByThePerson(long organizationId, String emailKey);

  /**
   * Why the person asked this organization not to be sent mail of this kind, or empty: their processing is restricted
   * (GDPR art. 18: no mail at all), or, when {@code marketing} (a campaign), they objected to direct marketing (art.
   * 21). Not a suppression: they stay on their lists and may still be added; only sending and segments ask this.
   */
  Optional<String> restriction(long organizationId, String emailKey, boolean marketing);

  /** The set-based form of {@link #restriction}: an SQL value over the caller's row (as {@link #refusalSql}), or null. */
  SqlFragment restrictedSql(long organizationId, String alias, String prefix, boolean marketing);

  /**
   * An SQL condition over the caller's row (as {@link #refusalSql}), true when no restriction of {@link #restriction}
   * holds: with {@code marketing} false the people whose processing is not restricted (what segments and exports
   * show), with it true those who may get a campaign as far as restrictions go. For WHERE only, never negated.
   */
  SqlFragment unrestrictedSql(long organizationId, String alias, String prefix, boolean marketing);

  /**
   * Remembers a person erased in the organization, in the caller's transaction: the organization's entries for the
   * address (which hold it in plain text, or its plain SHA-256) go, and one entry holding only a keyed hash of the
   * address (HMAC-SHA256 under a secret of the installation, never a plain digest that anyone could compute from a
   * list of addresses) keeps it from being re-added. Answers that keyed hash in hex, for the erasure's event.
   */
  String rememberErased(long organizationId, String emailKey);
}
