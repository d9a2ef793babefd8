package dev.herald.tenancy;

/**
 * The port through which a capability to the right of tenancy removes, when an organization is deleted, what the
 * foreign keys' cascade cannot reach: rows of other modules' tables keyed by name rather than by a foreign key, such
 * as the encrypted DKIM private keys that {@code domains} keeps in {@code platform.Secrets}. Called in the deleting
 * transaction, before the organization's row goes, so a failure deletes nothing.
 */
public interface OrganizationPurge {

  /** Removes what the organization's deletion would otherwise leave behind. */
  void beforeDelete(long organizationId);
}
