package dev.herald.audiences;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * An organization's audience at a glance, for the overview page and {@code GET /api/v1/orgs/{org}/audience/summary}:
 * subscribers by status on each list, growth over the last {@value #DAYS} days, the latest imports. Each figure is
 * one query that reads an index range of this organization only, so a page stays fast at a million subscribers.
 */
@Service
class AudienceSummaries {
  static final int DAYS = 30;
  static final int RECENT_IMPORTS = 5;
  /** Organizations have no time zone of their own yet: their days are UTC days. */
  static final ZoneId ZONE = ZoneId.of("UTC");
  /** Every status, the one campaigns send to first: how the page and the API list them. */
  static final List<SubscriptionStatus> STATUSES = Stream.concat(Stream.of(SubscriptionStatus.SUBSCRIBED),
      Arrays.stream(SubscriptionStatus.values()).filter(s -> s != SubscriptionStatus.SUBSCRIBED)).toList();

  private final JdbcClient jdbc;
  private final MailingLists lists;
  private final Imports imports;
  private final Clock clock;

  AudienceSummaries(JdbcClient jdbc, MailingLists lists, Imports imports, Clock clock) {
    this.jdbc = jdbc;
    this.lists = lists;
    this.imports = imports;
    this.clock = clock;
  }

  /**
   * {@code subscribers}: people (one per address), on any number of lists or none. {@code statuses}: subscriptions by
   * status over all lists, where a person on two lists counts twice, and {@code subscriptions} their sum; {@code lists}
   * splits them by list.
   */
  public record Summary(long subscribers, long subscriptions, List<StatusCount> statuses, List<ListCounts> lists, Growth growth,
      List<RecentImport> recentImports, long imports) {}

  public record StatusCount(SubscriptionStatus status, long subscriptions) {}

  /** {@code counts}: by status text, every status present (0 when none); {@code total}: the list's subscriptions. */
  public record ListCounts(long id, String name, Map<String, Long> counts, long total) {}

  /** Days from {@code from} to {@code to}, both included, each of them present (0 on a day without change). */
  public record Growth(String timeZone, LocalDate from, LocalDate to, long newSubscribers, long unsubscribes, List<Day> days) {}

  /**
   * {@code newSubscribers}: people added to the organization that day (by any way: form, panel, API, import);
   * {@code unsubscribes}: people who left at least one list that day.
   */
  public record Day(LocalDate day, long newSubscribers, long unsubscribes) {}

  public record RecentImport(long id, String fileName, ImportStatus status, Long totalRows, long inserted, long updated,
      long skipped, Instant createdAt, Instant finishedAt) {}

  Summary summary(long orgId) {
    List<ListCounts> perList = lists.list(orgId).stream().map(AudienceSummaries::counts).toList();
    Imports.Page latest = imports.page(orgId, 0, RECENT_IMPORTS);
    return new Summary(subscribers(orgId), perList.stream().mapToLong(ListCounts::total).sum(), statuses(perList), perList,
        growth(orgId, perList),
        latest.items().stream().map(AudienceSummaries::recent).toList(), latest.total());
  }

  /** An index-only count over the organization's range of {@code subscriber_org_created}. */
  private long subscribers(long orgId) {
    return jdbc.sql("select count(*) from subscriber where organization_id = ?").param(orgId).query(Long.class).single();
  }

  private static ListCounts counts(MailingLists.MailingList list) {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (SubscriptionStatus s : STATUSES) counts.put(s.text(), list.counts().getOrDefault(s.text(), 0L));
    return new ListCounts(list.id(), list.name(), counts, counts.values().stream().mapToLong(Long::longValue).sum());
  }

  private static List<StatusCount> statuses(List<ListCounts> perList) {
    List<StatusCount> totals = new ArrayList<>();
    for (SubscriptionStatus s : STATUSES) {
      totals.add(new StatusCount(s, perList.stream().mapToLong(l -> l.counts().get(s.text())).sum()));
    }
    return totals;
  }

  /**
   * New subscribers come from {@code subscriber.created_at}: the day the address first entered the organization,
   * whatever added it (an import of 10,000 people shows as 10,000 on its day). Unsubscribes come from
   * {@code subscription.unsubscribed_at}, the one record every way of leaving writes (panel, API, hosted pages,
   * bulk actions, and imports, which may carry the time from another tool's export): consent records miss an
   * import that unsubscribes an existing subscription, the audit log holds no subscriber changes, and
   * {@code subscriber.withdrawn_at} keeps only the latest withdrawal. Someone who left and later came back on
   * the same list is no longer counted as having left (the time is cleared), and deleted subscribers take their
   * days with them. Both queries read an index range (V28 adds the one for unsubscribes).
   */
  private Growth growth(long orgId, List<ListCounts> perList) {
    LocalDate to = LocalDate.ofInstant(clock.instant(), ZONE);
    LocalDate from = to.minusDays(DAYS - 1);
    Timestamp start = Timestamp.from(from.atStartOfDay(ZONE).toInstant());
    Timestamp end = Timestamp.from(to.plusDays(1).atStartOfDay(ZONE).toInstant());
    Map<LocalDate, Long> added = perDay(jdbc.sql("""
        select cast(created_at at time zone :zone as date), count(*) from subscriber
        where organization_id = :org and created_at >= :start and created_at < :end group by 1""")
        .param("org", orgId).param("zone", ZONE.getId()).param("start", start).param("end", end));
    Map<LocalDate, Long> left = perList.isEmpty() ? Map.of() : perDay(jdbc.sql("""
        select cast(unsubscribed_at at time zone :zone as date), count(distinct subscriber_id) from subscription
        where list_id = any(:lists) and unsubscribed_at >= :start and unsubscribed_at < :end group by 1""")
        .param("lists", perList.stream().map(ListCounts::id).toArray(Long[]::new))
        .param("zone", ZONE.getId()).param("start", start).param("end", end));
    List<Day> days = from.datesUntil(to.plusDays(1))
        .map(d -> new Day(d, added.getOrDefault(d, 0L), left.getOrDefault(d, 0L))).toList();
    return new Growth(ZONE.getId(), from, to, days.stream().mapToLong(Day::newSubscribers).sum(),
        days.stream().mapToLong(Day::unsubscribes).sum(), days);
  }

  private static Map<LocalDate, Long> perDay(JdbcClient.StatementSpec query) {
    Map<LocalDate, Long> counts = new HashMap<>();
    query.query(rs -> {
      counts.put(rs.getObject(1, LocalDate.class), rs.getLong(2));
    });
    return counts;
  }

  private static RecentImport recent(Imports.Job j) {
    return new RecentImport(j.id(), j.fileName(), j.status(), j.totalRows(), j.inserted(), j.updated(), j.skipped(), j.createdAt(),
        j.finishedAt());
  }
}
