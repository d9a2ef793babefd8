package dev.herald.audiences;

import dev.herald.platform.Refused;
import dev.herald.platform.SqlFragment;
import dev.herald.platform.Text;
import dev.herald.tenancy.AuditLog;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * One action on many subscribers at once, chosen by id or by segment: add to a list, remove from a
 * list, unsubscribe, delete, tag, untag. Each is one set-based statement in one transaction, with the
 * same rules as single changes (nobody who complained, bounced or left a list is put back on it, nor
 * anyone suppressed; adding records consent; unsubscribing records the withdrawal). The statement
 * returns the ids it changed, read in batches, and each batch is published as one
 * {@link SubscribersChangedInBulk}.
 */
@Service
class BulkActions {
  public static final List<String> ACTIONS = List.of("add_to_list", "remove_from_list", "unsubscribe", "delete", "tag", "untag");
  static final int MAX_IDS = 10_000;
  /** Subscriber ids per {@link SubscribersChangedInBulk}, and rows per fetch from the changing statement. */
  static final int EVENT_BATCH = 1_000;
  private final JdbcClient jdbc;
  private final Segments segments;
  private final MailingLists lists;
  private final AuditLog audit;
  private final ApplicationEventPublisher events;
  private final SuppressionScreen screen;
  private final java.time.Clock clock;
  private final DoubleOptIn doubleOptIn;

  BulkActions(JdbcClient jdbc, Segments segments, MailingLists lists, AuditLog audit, ApplicationEventPublisher events,
      SuppressionScreen screen, java.time.Clock clock, DoubleOptIn doubleOptIn) {
    this.doubleOptIn = doubleOptIn;
    this.screen = screen;
    this.clock = clock;
    this.jdbc = jdbc;
    this.segments = segments;
    this.lists = lists;
    this.audit = audit;
    this.events = events;
  }

  /** What to do, to whom: {@code subscriberIds} or {@code segmentId}, not both. */
  public record Request(String action, List<Long> subscriberIds, Long segmentId, Long listId, String tag, String basis) {}

  /**
   * The subscribers one bulk action changed, at most {@link #EVENT_BATCH} of them: an action over a million
   * subscribers publishes a thousand of these, all in its transaction. {@code listId}: the list added to,
   * removed from or unsubscribed from (null: unsubscribed from every list, or a tag action); {@code tag}:
   * the tag added or removed. The ids name whom it concerns; after a delete they are all that is left, and a
   * receiver matches them with what earlier events told it (a snapshot per person, as the single-subscriber
   * events carry, is what this event exists to avoid).
   *
   * <p>Why batches of ids, not an event per subscriber: a million events would be a million objects and a
   * million rows in the publication registry for each listener; a batch is one object and one row per
   * thousand. Nor one event for the whole action with every id: that would hold all of them in one object
   * (and one serialized row) at once. With batches, the changing statement is read {@link #EVENT_BATCH} rows per
   * fetch (PostgreSQL keeps the rest of the result on the server), so building the events never holds more
   * than one batch. What stays in memory until the commit is what Spring keeps for listeners that run after
   * it: the batches themselves, about 20 MB of ids for a million subscribers, and only if such a listener exists.
   */
  public record SubscribersChangedInBulk(long organizationId, String action, Long listId, String tag, List<Long> subscriberIds,
      java.time.Instant occurredAt) {
    public SubscribersChangedInBulk {
      subscriberIds = List.copyOf(subscriberIds);
    }
  }

  @Transactional
  public long apply(long orgId, Request r, String actor, String ip) {
    String action = r.action() == null ? "" : r.action().trim();
    if (!ACTIONS.contains(action)) throw Refused.invalid("action", "action is one of " + String.join(", ", ACTIONS) + ".");
    SqlFragment targets = target(orgId, r);
    Map<String, Object> p = new LinkedHashMap<>(targets.paramsWith(Map.of("org", orgId)));
    String who = targets.sqlOver("s");
    String tag = null;
    Long listId = null;
    // Each case is a statement that changes the rows and returns (subscriber id, rows changed for it).
    String changing = switch (action) {
      case "add_to_list" -> {
        listId = requireList(orgId, r.listId());
        yield addToList(orgId, who, p, listId, r, actor, ip);
      }
      case "remove_from_list" -> {
        listId = requireList(orgId, r.listId());
        p.put("list", listId);
        jdbc.sql("update consent_record c set withdrawn_at = now() from subscriber s where c.subscriber_id = s.id and c.list_id = :list"
            + " and c.withdrawn_at is null and " + who).params(p).update();
        yield "delete from subscription x using subscriber s where s.id = x.subscriber_id and x.list_id = :list and " + who
            + " returning x.subscriber_id, 1";
      }
      case "unsubscribe" -> {
        listId = r.listId() == null ? null : requireList(orgId, r.listId());
        yield unsubscribe(who, p, listId);
      }
      case "delete" -> "delete from subscriber s where " + who + " returning s.id, 1";
      case "tag", "untag" -> {
        tag = Tags.clean("tag", r.tag() == null ? List.of() : List.of(r.tag())).stream().findFirst()
            .orElseThrow(() -> Refused.invalid("tag", "Name the tag."));
        p.put("tag", new String[] {tag});
        yield action.equals("tag")
            ? "update subscriber s set tags = s.tags || cast(:tag as text[]), updated_at = now() where " + who
                + " and not s.tags @> cast(:tag as text[]) returning s.id, 1"
            : "update subscriber s set tags = array_remove(s.tags, (cast(:tag as text[]))[1]), updated_at = now() where " + who
                + " and s.tags @> cast(:tag as text[]) returning s.id, 1";
      }
      default -> throw new IllegalStateException(action);
    };
    long affected = changeAndPublish(orgId, action, listId, tag, changing, p);
    if (action.equals("add_to_list")) mailWithdrawnPeople(orgId, listId);
    audit.record(orgId, "subscribers.bulk_" + action, r.segmentId() != null ? "segment" : "subscribers",
        r.segmentId() != null ? r.segmentId() : null, affected + " affected" + (r.listId() != null ? ", list " + r.listId() : ""));
    return affected;
  }

  /**
   * Runs the changing statement and publishes its subscriber ids, {@link #EVENT_BATCH} per event, as the
   * rows arrive (see {@link SubscribersChangedInBulk} on why). Returns the rows changed (subscriptions for
   * list actions, subscribers otherwise), as the API has always counted them.
   */
  private long changeAndPublish(long orgId, String action, Long listId, String tag, String changing, Map<String, Object> p) {
    long[] affected = {0};
    List<Long> batch = new java.util.ArrayList<>(EVENT_BATCH);
    java.time.Instant at = clock.instant();
    jdbc.sql(changing).params(p).withFetchSize(EVENT_BATCH).query((org.springframework.jdbc.core.RowCallbackHandler) rs -> {
      batch.add(rs.getLong(1));
      affected[0] += rs.getLong(2);
      if (batch.size() == EVENT_BATCH) {
        publish(orgId, action, listId, tag, batch, at);
        batch.clear();
      }
    });
    if (!batch.isEmpty()) publish(orgId, action, listId, tag, batch, at);
    return affected[0];
  }

  private void publish(long orgId, String action, Long listId, String tag, List<Long> batch, java.time.Instant at) {
    events.publishEvent(new SubscribersChangedInBulk(orgId, action, listId, tag, batch, at));
    if (action.equals("delete")) events.publishEvent(new AudienceEvents.SubscribersDeleted(orgId, batch, at));
  }

  /** The condition over {@code subscriber s} choosing the subscribers, scoped to the organization. */
  private SqlFragment target(long orgId, Request r) {
    boolean byIds = r.subscriberIds() != null && !r.subscriberIds().isEmpty();
    if (byIds == (r.segmentId() != null)) {
      throw Refused.invalid("subscriberIds", "Choose subscribers by subscriberIds or by segmentId (one of them).");
    }
    if (byIds) {
      if (r.subscriberIds().size() > MAX_IDS) throw Refused.invalid("subscriberIds", "At most " + MAX_IDS + " ids; use a segment for more.");
      // A null would match nobody in "= any(...)", so the call would quietly affect fewer than asked.
      for (int i = 0; i < r.subscriberIds().size(); i++) {
        if (r.subscriberIds().get(i) == null) {
          throw Refused.invalid("subscriberIds", "subscriberIds holds subscriber ids; element " + i + " is null.");
        }
      }
      return new SqlFragment("s.organization_id = :ids_org and s.id = any(cast(:ids as bigint[]))",
          Map.of("ids_org", orgId, "ids", r.subscriberIds().toArray(Long[]::new)), "s");
    }
    return segments.predicate(orgId, r.segmentId(), "seg_")
        .orElseThrow(() -> Refused.invalid("segmentId", "Segment " + r.segmentId() + " not found."));
  }

  private String addToList(long orgId, String who, Map<String, Object> p, long listId, Request r, String actor, String ip) {
    p.put("list", listId);
    if (r.basis() == null || r.basis().isBlank()) throw Refused.invalid("basis", "Say how these people gave consent to this list.");
    Text.requireNoControls("basis", r.basis());
    p.put("basis", r.basis().trim());
    p.put("actor", actor);
    p.put("ip", ip);
    SqlFragment suppressed = screen.refusalSql(orgId, "s", "sup_");
    p.putAll(suppressed.paramsWith(p));
    // New subscriptions only: people already on the list keep their status, whatever it is (unsubscribed,
    // bounced and complained stay so), and nobody who complained anywhere or is suppressed is added. Someone who
    // withdrew in the organization is added unconfirmed and asked by mail (see Subscribers#subscribe); apply mails them.
    return """
        with added as (
          insert into subscription (list_id, subscriber_id, status, source, confirmed_at)
          select :list, s.id, case when\s""" + WITHDREW + """
             then 'unconfirmed' else 'subscribed' end, 'panel', case when\s""" + WITHDREW + """
             then null else now() end
          from subscriber s
          where\s""" + who + """
             and not exists (select 1 from subscription c join mailing_list cl on cl.id = c.list_id
                             where c.subscriber_id = s.id and cl.organization_id = :org and c.status = 'complained')
             and\s""" + suppressed.sqlOver("s") + """
             is null
          on conflict (list_id, subscriber_id) do nothing
          returning subscriber_id, status),
        consented as (
          insert into consent_record (organization_id, subscriber_id, list_id, channel, channel_ref, basis, ip, confirmed_at)
          select :org, subscriber_id, :list, 'panel', :actor, :basis, :ip, case when status = 'subscribed' then now() end from added
          returning subscriber_id)
        select subscriber_id, 1 from consented""";
  }

  /** Whether subscriber {@code s} withdrew in the organization (a subscriber belongs to one): as Subscribers#withdrew. */
  private static final String WITHDREW = """
      (s.withdrawn_at is not null or exists (select 1 from subscription w where w.subscriber_id = s.id and w.status = 'unsubscribed'))""";

  /**
   * Mails the confirmation to the people {@link #addToList} added unconfirmed: the list's unconfirmed subscriptions this
   * transaction created (their {@code created_at} is its start, {@code now()}).
   */
  private void mailWithdrawnPeople(long orgId, long listId) {
    MailingLists.MailingList list = lists.basic(orgId, listId).orElseThrow();
    List<Long> waiting = jdbc.sql("""
        select subscriber_id from subscription where list_id = ? and status = 'unconfirmed' and source = 'panel' and created_at = now()""")
        .param(listId).query(Long.class).list();
    for (long subscriberId : waiting) doubleOptIn.sendConfirmation(orgId, subscriberId, list);
  }

  private String unsubscribe(String who, Map<String, Object> p, Long listId) {
    String onList = "";
    if (listId != null) {
      p.put("list", listId);
      onList = " and x.list_id = :list";
    }
    String scope = "x.subscriber_id = s.id and x.status in ('subscribed', 'unconfirmed')" + onList + " and " + who;
    jdbc.sql("""
        update consent_record c set withdrawn_at = now() from subscription x, subscriber s
        where c.subscriber_id = x.subscriber_id and c.list_id = x.list_id and c.withdrawn_at is null and\s""" + scope)
        .params(p).update();
    // One row per subscriber (with how many of their subscriptions changed), so an id is in one event only.
    return "with changed as (update subscription x set status = 'unsubscribed', unsubscribed_at = now(), updated_at = now()"
        + " from subscriber s where " + scope + " returning x.subscriber_id)"
        + " select subscriber_id, count(*) from changed group by subscriber_id";
  }

  private long requireList(long orgId, Long listId) {
    if (listId == null || lists.basic(orgId, listId).isEmpty()) throw Refused.invalid("listId", "Choose a list of this organization.");
    return listId;
  }
}
