package dev.herald.privacy;

import dev.herald.platform.Refused;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Staff access to an organization's personal data (issue 13, transparency): each request an operator of the
 * installation makes under an organization ({@code /o/{org}/...} or {@code /api/v1/orgs/{org}/...}) is written down with
 * who, when, and which page or API route, and the organization reads its own log. Operators reach an organization's
 * pages only as members of it (tenancy's route table grants the operator nothing there), so this is the account that
 * both runs the installation and holds a membership, say one a customer invited for support; the organization sees
 * everything such an account looked at. The same request repeated within {@link #REPEAT} (a page that polls, a reload)
 * is one entry.
 */
@Service
class StaffAccessLog {
  static final Duration REPEAT = Duration.ofMinutes(1);
  static final int MAX_PATH = 500;
  private final JdbcClient jdbc;
  private final Clock clock;

  StaffAccessLog(JdbcClient jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  record Entry(long id, String email, String method, String path, Instant accessedAt) {}

  record Page(List<Entry> items, long total, int page, int size) {}

  void record(long organizationId, long userId, String email, String method, String path) {
    Instant now = clock.instant();
    String p = path.length() > MAX_PATH ? path.substring(0, MAX_PATH) : path;
    jdbc.sql("""
        insert into staff_access (organization_id, user_id, email, method, path, accessed_at)
        select :org, :user, :email, :method, :path, :now
        where not exists (select 1 from staff_access where organization_id = :org and user_id = :user and method = :method and path = :path
                          and accessed_at > :since)""")
        .param("org", organizationId).param("user", userId).param("email", email).param("method", method).param("path", p)
        .param("now", Timestamp.from(now)).param("since", Timestamp.from(now.minus(REPEAT))).update();
  }

  /**
   * Deletes at most {@code limit} entries older than {@code cutoff} (of one organization, or of all when null): the
   * retention engine's call for the audit log's schedule.
   */
  int purge(Long organizationId, Instant cutoff, int limit) {
    return jdbc.sql("""
        delete from staff_access where id in (select id from staff_access where accessed_at < :cutoff
          and (cast(:org as bigint) is null or organization_id = :org) order by id limit :limit)""")
        .param("cutoff", Timestamp.from(cutoff)).param("org", organizationId).param("limit", limit).update();
  }

  /** The organization's entries, newest first. */
  Page page(long organizationId, int page, int size) {
    Refused.checkPage(page, size);
    List<Entry> items = jdbc.sql("""
        select id, email, method, path, accessed_at from staff_access where organization_id = ?
        order by accessed_at desc, id desc limit ? offset ?""").params(organizationId, size, (long) page * size)
        .query((rs, n) -> new Entry(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getTimestamp(5).toInstant()))
        .list();
    long total = jdbc.sql("select count(*) from staff_access where organization_id = ?").param(organizationId).query(Long.class).single();
    return new Page(items, total, page, size);
  }
}
