/**
 * Suppression: addresses and whole domains that are never mailed and never (re-)added by an import,
 * per organization and for the whole installation (the operator's list), including the hashes that
 * are all that remains of erased people. Audiences screens imports through its
 * {@link dev.herald.audiences.SuppressionScreen} port, which this capability implements.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Suppression")
package dev.herald.suppression;
