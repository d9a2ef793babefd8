package dev.herald.audiences;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Events about subscribers, published in the transaction of the change (DESIGN.md rule 5). Each carries
 * what a webhook would send (as Mailchimp's and listmonk's subscriber webhooks do: the subscriber's id,
 * address, name, fields and tags, the status on each list, what changed, and when), so a listener that
 * runs after the commit, or again after a restart, needs no lookup of data that may be gone by then.
 * No more personal data than that: no IP addresses, no consent texts, no history. An asynchronous
 * listener finds them in Spring Modulith's publication registry until it has run.
 */
public final class AudienceEvents {
  private AudienceEvents() {}

  /** The subscriber as a webhook shows them, taken in the transaction of the change. */
  public record SubscriberData(long id, String email, String name, Map<String, Object> fields, List<String> tags,
      List<ListStatus> lists) {
    public SubscriberData {
      // Not Map.copyOf: a field's value may be a JSON null.
      fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
      tags = List.copyOf(tags);
      lists = List.copyOf(lists);
    }

    static SubscriberData of(Subscribers.Subscriber s) {
      return new SubscriberData(s.id(), s.email(), s.name(), s.fields(), s.tags(),
          s.lists().stream().map(m -> new ListStatus(m.listId(), m.status())).toList());
    }

    /**
     * What differs from {@code before}, by name: "email", "name", "tags", "lists", and "fields.KEY" for
     * each custom field added, changed or removed. Sorted, so equal changes give equal events.
     */
    List<String> changesSince(SubscriberData before) {
      List<String> changed = new ArrayList<>();
      if (!email.equals(before.email)) changed.add("email");
      if (!Objects.equals(name, before.name)) changed.add("name");
      TreeSet<String> keys = new TreeSet<>(fields.keySet());
      keys.addAll(before.fields.keySet());
      for (String key : keys) {
        if (!Objects.equals(fields.get(key), before.fields.get(key))) changed.add("fields." + key);
      }
      if (!new TreeSet<>(tags).equals(new TreeSet<>(before.tags))) changed.add("tags");
      if (!new java.util.HashSet<>(lists).equals(new java.util.HashSet<>(before.lists))) changed.add("lists");
      changed.sort(null);
      return changed;
    }
  }

  /** A subscriber's status on one list. */
  public record ListStatus(long listId, SubscriptionStatus status) {}

  public record SubscriberCreated(long organizationId, SubscriberData subscriber, Instant occurredAt) {}

  /** {@code changed} names what differs from before the change ({@link SubscriberData#changesSince}); never empty. */
  public record SubscriberChanged(long organizationId, SubscriberData subscriber, List<String> changed, Instant occurredAt) {}

  /** {@code subscriber}: as they were just before the deletion. */
  public record SubscriberDeleted(long organizationId, SubscriberData subscriber, Instant occurredAt) {}

  /** {@code status}: what the subscription became (unconfirmed when the list asks for double opt-in). */
  public record SubscriberSubscribed(long organizationId, SubscriberData subscriber, long listId, SubscriptionStatus status,
      ConsentChannel channel, Instant occurredAt) {}

  public record SubscriberConfirmed(long organizationId, SubscriberData subscriber, long listId, Instant occurredAt) {}

  /**
   * {@code campaignId}: the campaign whose mail the person left from (its unsubscribe link, or an unsubscribe request
   * mailed back about it), so its report counts them; null when they left another way (the panel, the API, the
   * preference centre).
   */
  public record SubscriberUnsubscribed(long organizationId, SubscriberData subscriber, long listId, String reason, Long campaignId,
      Instant occurredAt) {
    public SubscriberUnsubscribed(long organizationId, SubscriberData subscriber, long listId, String reason, Instant occurredAt) {
      this(organizationId, subscriber, listId, reason, null, occurredAt);
    }
  }

  /**
   * A person was erased (right to erasure): their data is gone, and {@code erasureHash} (hex HMAC-SHA256 of the email
   * key under the installation's own secret, {@link SuppressionScreen#rememberErased}) is the only trace: the hash of
   * the suppression entry that keeps them from being re-added. Deliberately nothing else: no address, no name, no lists,
   * and no plain digest of the address (anyone could compute that from a list of addresses), so neither a listener nor
   * the publication registry keeps what the person asked to have erased. Published in the erasure's transaction.
   */
  public record SubscriberErased(long organizationId, long subscriberId, String erasureHash, Instant occurredAt) {}

  /**
   * Subscribers deleted by a bulk action (a segment or a list of ids), {@code subscriberIds} a batch of at most a
   * thousand of them, published in the deleting transaction beside the bulk action's own event. Only ids: after a
   * delete they are all that is left. Campaigns deletes their send-ledger rows with them.
   */
  public record SubscribersDeleted(long organizationId, List<Long> subscriberIds, Instant occurredAt) {
    public SubscribersDeleted {
      subscriberIds = List.copyOf(subscriberIds);
    }
  }
}
