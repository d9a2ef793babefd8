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
 * anyone suppressed; adding records consent; unsubscribing records the withdrawal).
 */
@Service
class BulkActions {
  public static final List<String> ACTIONS = List.of("add_to_list", "remove_from_list", "unsubscribe", "delete", "tag", "untag");
  static final int MAX_IDS = 10_000;
  private final JdbcClient jdbc;
  private final Segments segments;
  private final MailingLists lists;
  private final AuditLog audit;
  private final ApplicationEventPublisher events;
  private final SuppressionScreen screen;

  BulkActions(JdbcClient jdbc, Segments segments, MailingLists lists, AuditLog audit, ApplicationEventPublisher events,
      SuppressionScreen screen) {
    this.screen = screen;
    this.jdbc = jdbc;
    this.segments = segments;
    this.lists = lists;
    this.audit = audit;
    this.events = events;
  }

  /** What to do, to whom: {@code subscriberIds} or {@code segmentId}, not both. */
  public record Request(String action, List<Long> subscriberIds, Long segmentId, Long listId, String tag, String basis) {}

  /** Published once per bulk action, not per subscriber. */
  public record SubscribersChangedInBulk(long organizationId, String action, long affected) {}

  @Transactional
  public long apply(long orgId, Request r, String actor, String ip) {
    String action = r.action() == null ? "" : r.action().trim();
    if (!ACTIONS.contains(action)) throw Refused.invalid("action", "action is one of " + String.join(", ", ACTIONS) + ".");
    SqlFragment targets = target(orgId, r);
    Map<String, Object> p = new LinkedHashMap<>(targets.paramsWith(Map.of("org", orgId)));
    String who = targets.sqlOver("s");
    long affected = switch (action) {
      case "add_to_list" -> addToList(orgId, who, p, r, actor, ip);
      case "remove_from_list" -> {
        p.put("list", requireList(orgId, r.listId()));
        jdbc.sql("update consent_record c set withdrawn_at = now() from subscriber s where c.subscriber_id = s.id and c.list_id = :list"
            + " and c.withdrawn_at is null and " + who).params(p).update();
        yield jdbc.sql("delete from subscription x using subscriber s where s.id = x.subscriber_id and x.list_id = :list and " + who)
            .params(p).update();
      }
      case "unsubscribe" -> unsubscribe(orgId, who, p, r);
      case "delete" -> jdbc.sql("delete from subscriber s where " + who).params(p).update();
      case "tag", "untag" -> {
        String tag = Tags.clean("tag", r.tag() == null ? List.of() : List.of(r.tag())).stream().findFirst()
            .orElseThrow(() -> Refused.invalid("tag", "Name the tag."));
        p.put("tag", new String[] {tag});
        yield action.equals("tag")
            ? jdbc.sql("update subscriber s set tags = s.tags || cast(:tag as text[]), updated_at = now() where " + who
                + " and not s.tags @> cast(:tag as text[])").params(p).update()
            : jdbc.sql("update subscriber s set tags = array_remove(s.tags, (cast(:tag as text[]))[1]), updated_at = now() where " + who
                + " and s.tags @> cast(:tag as text[])").params(p).update();
      }
      default -> throw new IllegalStateException(action);
    };
    audit.record(orgId, "subscribers.bulk_" + action, r.segmentId() != null ? "segment" : "subscribers",
        r.segmentId() != null ? r.segmentId() : null, affected + " affected" + (r.listId() != null ? ", list " + r.listId() : ""));
    events.publishEvent(new SubscribersChangedInBulk(orgId, action, affected));
    return affected;
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

  private long addToList(long orgId, String who, Map<String, Object> p, Request r, String actor, String ip) {
    p.put("list", requireList(orgId, r.listId()));
    if (r.basis() == null || r.basis().isBlank()) throw Refused.invalid("basis", "Say how these people gave consent to this list.");
    Text.requireNoControls("basis", r.basis());
    p.put("basis", r.basis().trim());
    p.put("actor", actor);
    p.put("ip", ip);
    // New subscriptions only: people already on the list keep their status, whatever it is (unsubscribed,
    // bounced and complained stay so), and nobody who complained anywhere or is suppressed is added.
    return jdbc.sql("""
        with added as (
          insert into subscription (list_id, subscriber_id, status, source, confirmed_at)
          select :list, s.id, 'subscribed', 'panel', now() from subscriber s
          where\s""" + who + """
             and not exists (select 1 from subscription c join mailing_list cl on cl.id = c.list_id
                             where c.subscriber_id = s.id and cl.organization_id = :org and c.status = 'complained')
             and\s""" + screen.refusalSql("s.email_key") + """
             is null
          on conflict (list_id, subscriber_id) do nothing
          returning subscriber_id)
        insert into consent_record (organization_id, subscriber_id, list_id, channel, channel_ref, basis, ip, confirmed_at)
        select :org, subscriber_id, :list, 'panel', :actor, :basis, :ip, now() from added""").params(p).update();
  }

  private long unsubscribe(long orgId, String who, Map<String, Object> p, Request r) {
    String onList = "";
    if (r.listId() != null) {
      p.put("list", requireList(orgId, r.listId()));
      onList = " and x.list_id = :list";
    }
    String scope = "x.subscriber_id = s.id and x.status in ('subscribed', 'unconfirmed')" + onList + " and " + who;
    jdbc.sql("""
        update consent_record c set withdrawn_at = now() from subscription x, subscriber s
        where c.subscriber_id = x.subscriber_id and c.list_id = x.list_id and c.withdrawn_at is null and\s""" + scope)
        .params(p).update();
    return jdbc.sql("update subscription x set status = 'unsubscribed', unsubscribed_at = now(), updated_at = now() from subscriber s where "
        + scope).params(p).update();
  }

  private long requireList(long orgId, Long listId) {
    if (listId == null || lists.basic(orgId, listId).isEmpty()) throw Refused.invalid("listId", "Choose a list of this organization.");
    return listId;
  }
}
