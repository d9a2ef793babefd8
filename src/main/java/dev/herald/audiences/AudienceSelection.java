package dev.herald.audiences;

import dev.herald.platform.SqlFragment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * The people a sender may mail, as SQL for the sender's own statements: how a campaign fixes its audience into its
 * ledger with one set-based statement, and checks at hand-off that a person is still subscribed, without naming
 * audiences' tables (DESIGN.md: a module never queries another module's tables).
 */
@Service
public class AudienceSelection {
  /**
   * The {@code work_mem} for a statement over {@link #recipients} of a large audience: its aggregate and hash joins
   * hold a row per person (about 110 MB at 1,000,000 with PostgreSQL's default hash_mem_multiplier of 2), and the
   * default 4 MB sends them to disk. Set for the caller's transaction only ({@code set_config(..., true)}).
   */
  public static final String WORK_MEM = "64MB";
  private final JdbcClient jdbc;
  private final Segments segments;
  private final SuppressionScreen screen;

  AudienceSelection(JdbcClient jdbc, Segments segments, SuppressionScreen screen) {
    this.jdbc = jdbc;
    this.segments = segments;
    this.screen = screen;
  }

  /**
   * Who to include and exclude: the members of {@code lists}, the people of {@code segments}, minus the members of
   * {@code excludedLists} (whatever their status there) and the people of {@code excludedSegments}.
   */
  public record Selection(List<Long> lists, List<Long> segments, List<Long> excludedLists, List<Long> excludedSegments) {
    public Selection {
      lists = List.copyOf(lists);
      segments = List.copyOf(segments);
      excludedLists = List.copyOf(excludedLists);
      excludedSegments = List.copyOf(excludedSegments);
    }
  }

  /** The ids among {@code ids} that are not lists of the organization. */
  public List<Long> unknownLists(long orgId, List<Long> ids) {
    if (ids.isEmpty()) return List.of();
    List<Long> known = jdbc.sql("select id from mailing_list where organization_id = ? and id = any (?)")
        .params(orgId, ids.toArray(Long[]::new)).query(Long.class).list();
    return ids.stream().filter(id -> !known.contains(id)).toList();
  }

  /** The ids among {@code ids} that are not saved segments of the organization. */
  public List<Long> unknownSegments(long orgId, List<Long> ids) {
    if (ids.isEmpty()) return List.of();
    List<Long> known = jdbc.sql("select id from segment where organization_id = ? and id = any (?)")
        .params(orgId, ids.toArray(Long[]::new)).query(Long.class).list();
    return ids.stream().filter(id -> !known.contains(id)).toList();
  }

  /**
   * The people of the selection, once each, as a query of rows {@code (subscriber_id, list_id, email, email_key)}:
   * only people {@code subscribed} (never unconfirmed, unsubscribed, bounced or complained) on the list through which
   * they get the mail; {@code list_id} is that list: the first included list they are subscribed to, or for a person
   * matched by a segment alone the first list they are subscribed to. A segment's person subscribed to no list is not
   * mailed. The caller writes {@code from (} + the text + {@code ) } + {@link SqlFragment#alias()}; a segment deleted
   * since is left out. The parameters are all named {@code prefix...}. Suppression is the caller's to screen.
   *
   * <p>Set-based for audiences of millions, without a probe per person: the list each person gets it through is one
   * aggregate over the subscriptions (of the included lists only, when no segment is included), hash-joined to the
   * subscribers; an included segment is one hashed set of ids; exclusions are anti-joins. A correlated subquery per
   * person (a LATERAL pick of the list, an {@code exists} per row) made 1,000,000 people take tens of seconds. Run it
   * with a {@code work_mem} that holds the hashes ({@link #WORK_MEM}), or PostgreSQL sends them to disk.
   */
  public SqlFragment recipients(long orgId, Selection selection, String prefix) {
    SqlFragment.checkPrefix(prefix);
    Map<String, Object> params = new LinkedHashMap<>();
    String org = prefix + "org", lists = prefix + "lists", excluded = prefix + "xlists";
    params.put(org, orgId);
    List<String> segmentSets = new ArrayList<>();
    List<String> conditions = new ArrayList<>();
    int n = 0;
    for (long id : selection.segments()) {
      var f = segments.predicate(orgId, id, prefix + "s" + (n++) + "_");
      if (f.isEmpty()) continue;
      params.putAll(f.get().params());
      // an IN over the segment's ids, not an exists per person: PostgreSQL hashes the set once (a hashed SubPlan)
      segmentSets.add("sub.id in (select s.id from subscriber s where " + f.get().sqlOver(Segments.ALIAS) + ")");
    }
    String via;
    if (segmentSets.isEmpty()) {
      if (selection.lists().isEmpty()) return new SqlFragment("""
          select sub.id as subscriber_id, cast(0 as bigint) as list_id, sub.email, sub.email_key
            from subscriber sub where sub.organization_id = :%s and false""".formatted(org), params, "aud");
      params.put(lists, selection.lists().toArray(Long[]::new));
      // one row per (list, subscriber) by the primary key, so a single list needs no aggregate
      via = selection.lists().size() == 1
          ? "select y.subscriber_id, y.list_id from subscription y where y.list_id = any (cast(:" + lists + " as bigint[]))"
              + " and y.status = 'subscribed'"
          : "select y.subscriber_id, min(y.list_id) as list_id from subscription y where y.list_id = any (cast(:" + lists
              + " as bigint[])) and y.status = 'subscribed' group by y.subscriber_id";
    } else {
      params.put(lists, selection.lists().toArray(Long[]::new));
      // every list the person is subscribed to counts for a segment's person; an included list comes first
      via = """
          select y.subscriber_id, coalesce(min(y.list_id) filter (where y.list_id = any (cast(:%1$s as bigint[]))), min(y.list_id)) as list_id,
                 bool_or(y.list_id = any (cast(:%1$s as bigint[]))) as listed
            from subscription y
           where y.status = 'subscribed' and y.list_id in (select l.id from mailing_list l where l.organization_id = :%2$s)
           group by y.subscriber_id""".formatted(lists, org);
      segmentSets.addFirst("via.listed");
      conditions.add("(" + String.join(" or ", segmentSets) + ")");
    }
    if (!selection.excludedLists().isEmpty()) {
      params.put(excluded, selection.excludedLists().toArray(Long[]::new));
      conditions.add("not exists (select 1 from subscription z where z.subscriber_id = sub.id and z.list_id = any (cast(:" + excluded
          + " as bigint[])))");
    }
    for (long id : selection.excludedSegments()) {
      var f = segments.predicate(orgId, id, prefix + "x" + (n++) + "_");
      if (f.isEmpty()) continue;
      params.putAll(f.get().params());
      // never a negated fragment (SqlFragment): the whole exists is negated instead
      conditions.add("not exists (select 1 from subscriber s where s.id = sub.id and " + f.get().sqlOver(Segments.ALIAS) + ")");
    }
    conditions.addFirst("sub.organization_id = :" + org);
    String sql = """
        select sub.id as subscriber_id, via.list_id, sub.email, sub.email_key
          from (%s) via
          join subscriber sub on sub.id = via.subscriber_id
         where %s""".formatted(via, String.join(" and ", conditions));
    return new SqlFragment(sql, params, "aud");
  }

  /**
   * How many people a start would fix now: those of {@link #recipients} that the suppression lists do not refuse and
   * who neither restricted processing nor objected to marketing, each once (a campaign form's estimate). Reads as many
   * rows as the start does: the caller bounds its time.
   */
  public long count(long orgId, Selection selection) {
    SqlFragment audience = recipients(orgId, selection, "aud_");
    SqlFragment suppressed = screen.refusalSql(orgId, audience.alias(), "sup_");
    SqlFragment unrestricted = screen.unrestrictedSql(orgId, audience.alias(), "rst_", true);
    return jdbc.sql("select count(*) from (" + audience.sqlOver("aud") + ") aud where " + suppressed.sqlOver("aud") + " is null and "
            + unrestricted.sqlOver("aud"))
        .params(unrestricted.paramsWith(suppressed.paramsWith(audience.params()))).query(Long.class).single();
  }

  /**
   * A condition over the caller's row (named {@code alias}, with columns {@code subscriber_id} and {@code list_id}):
   * the person is still {@code subscribed} on that list. For WHERE only, never negated.
   */
  public SqlFragment stillSubscribed(String alias) {
    if (alias.equals("sub_x")) throw new IllegalArgumentException("sub_x is this fragment's own alias; name the row otherwise.");
    return SqlFragment.of("exists (select 1 from subscription sub_x where sub_x.subscriber_id = " + alias + ".subscriber_id"
        + " and sub_x.list_id = " + alias + ".list_id and sub_x.status = 'subscribed')", alias);
  }

  /**
   * A condition over the caller's row (named {@code alias}, with a column {@code subscriber_id}): that person no longer
   * exists (deleted or erased). For WHERE only; it is itself the negative, so a caller never negates it.
   */
  public SqlFragment subscriberGone(String alias) {
    if (alias.equals("sub_g")) throw new IllegalArgumentException("sub_g is this fragment's own alias; name the row otherwise.");
    return SqlFragment.of("not exists (select 1 from subscriber sub_g where sub_g.id = " + alias + ".subscriber_id)", alias);
  }
}
