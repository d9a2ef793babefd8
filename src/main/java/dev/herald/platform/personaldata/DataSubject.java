package dev.herald.platform.personaldata;

import java.util.List;

/**
 * The person a data-subject request is about, in one organization: the address as the requester wrote it, its
 * key ({@code dev.herald.mail.EmailAddress#key()}: what every capability compares), its SHA-256 digest
 * ({@code dev.herald.mail.AddressDigest}, for tables that keep only that), and the ids of the subscriber rows with
 * that key, looked up before any capability erases anything (so capabilities to the right can still find rows keyed
 * by subscriber id).
 */
public record DataSubject(long organizationId, String address, String addressKey, byte[] addressDigest, List<Long> subscriberIds) {
  public DataSubject {
    subscriberIds = List.copyOf(subscriberIds);
  }
}
