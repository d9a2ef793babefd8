package dev.herald.tenancy;

import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Organizations, memberships and the permissions a member holds through role and groups. Public only
 * for {@link #isSuspended}, which other capabilities ask before serving an organization's hosted pages,
 * and {@link #suspendedIds}, whose background jobs wait; everything else stays inside tenancy.
 */
@Repository
public class Organizations {
  private final JdbcClient jdbc;
  private final SubscriberCounts subscriberCounts;

  Organizations(JdbcClient jdbc, SubscriberCounts subscriberCounts) {
    this.jdbc = jdbc;
    this.subscriberCounts = subscriberCounts;
  }

  /**
   * {@code suspendedAt} is null while the operator has not suspended the organization, {@code closedAt} and
   * {@code purgeAfter} while its owner has not closed it.
   */
  record Organization(long id, String slug, String name, Instant suspendedAt, String suspendedReason, Instant closedAt,
      Instant purgeAfter) {
    public boolean suspended() {
      return suspendedAt != null;
    }

    public boolean closed() {
      return closedAt != null;
    }
  }

  private static final String ORG_COLUMNS = "id, slug, name, suspended_at, suspended_reason, closed_at, purge_after";

  record MembershipView(long organizationId, String slug, String name, Role role, boolean suspended, boolean closed) {}

  /** A row of the operator's list: members counted by the page's query, subscribers by one more for the whole page. */
  record Listed(long id, String slug, String name, Instant createdAt, long members, long subscribers, Instant suspendedAt,
      String suspendedReason) {
    public boolean suspended() {
      return suspendedAt != null;
    }
  }

  record ListPage(List<Listed> items, long total, int page, int size) {}

  record Member(long userId, String email, String displayName, Role role, java.time.Instant joinedAt, List<String> groups) {}

  Optional<Organization> bySlug(String slug) {
    return jdbc.sql("select " + ORG_COLUMNS + " from organization where slug = ?").param(slug).query(Organization.class).optional();
  }

  Optional<Organization> byId(long id) {
    return jdbc.sql("select " + ORG_COLUMNS + " from organization where id = ?").param(id).query(Organization.class).optional();
  }

  /**
   * Whether the operator suspended this organization or its owner closed it: its hosted pages are then not served
   * (nor its mail sent).
   */
  public boolean isSuspended(long orgId) {
    return jdbc.sql("select exists(select 1 from organization where id = ? and (suspended_at is not null or closed_at is not null))")
        .param(orgId).query(Boolean.class).single();
  }

  /**
   * The organizations the operator suspended or their owner closed: their background work (imports, campaign
   * hand-offs, the delivery queue, mailbox polls) waits until they are resumed or reopened.
   */
  public List<Long> suspendedIds() {
    return jdbc.sql("select id from organization where suspended_at is not null or closed_at is not null").query(Long.class).list();
  }

  /**
   * The name an organization's hosted pages show (its forms say whom a person subscribes to), or empty
   * when there is no such organization or the operator suspended it, whose hosted pages are then gone.
   */
  public Optional<String> activeName(long orgId) {
    return jdbc.sql("select name from organization where id = ? and suspended_at is null and closed_at is null").param(orgId).query(String.class).optional();
  }

  /**
   * The organization's name, suspended or not: its preference centre stays open while it is suspended (people
   * can still leave), and says whose lists they are.
   */
  public Optional<String> name(long orgId) {
    return jdbc.sql("select name from organization where id = ?").param(orgId).query(String.class).optional();
  }

  /** An organization as other capabilities' operator screens name it (delivery's pool and server assignments). */
  public record Named(long id, String slug, String name) {}

  /** The organization with this id, for screens that show whom something is assigned to. */
  public Optional<Named> named(long orgId) {
    return jdbc.sql("select id, slug, name from organization where id = ?").param(orgId).query(Named.class).optional();
  }

  /** The organization with this slug (what the operator types to pick one). */
  public Optional<Named> namedBySlug(String slug) {
    return jdbc.sql("select id, slug, name from organization where slug = ?").param(slug == null ? "" : slug.strip())
        .query(Named.class).optional();
  }

  /** Every organization by name, for operator screens that pick some (privacy's breach form). */
  public List<Named> allNamed() {
    return jdbc.sql("select id, slug, name from organization order by lower(name), id").query(Named.class).list();
  }

  /** A member of an organization as other capabilities mail them (privacy's breach notices): who, and through which one. */
  public record MemberContact(long userId, String email, String displayName, long organizationId, String organizationSlug,
      String organizationName) {}

  /**
   * The members of these organizations, each person once (through the first of their organizations by name), ordered by
   * address.
   */
  public List<MemberContact> memberContacts(java.util.Collection<Long> orgIds) {
    if (orgIds.isEmpty()) return List.of();
    return jdbc.sql("""
        select distinct on (u.id) u.id, u.email, u.display_name, o.id, o.slug, o.name
        from membership m join app_user u on u.id = m.user_id join organization o on o.id = m.organization_id
        where m.organization_id in (:orgs)
        order by u.id, lower(o.name), o.id""").param("orgs", List.copyOf(orgIds))
        .query((rs, n) -> new MemberContact(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5),
            rs.getString(6)))
        .list().stream().sorted(java.util.Comparator.comparing(MemberContact::email)).toList();
  }

  /**
   * Newest first, filtered by {@code q} (part of the name or slug, case-insensitive), with each
   * organization's member count in the page's statement and the subscriber counts of the whole page in
   * one question to audiences: three queries whatever the page size.
   */
  ListPage search(String q, int page, int size) {
    String pattern = q == null ? "" : dev.herald.platform.Text.requireNoControls("q", q).strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    String where = " where (:q = '' or name ilike '%' || :q || '%' or slug ilike '%' || :q || '%')";
    long total = jdbc.sql("select count(*) from organization" + where).param("q", pattern).query(Long.class).single();
    List<Listed> items = jdbc.sql("""
        with shown as (select id, slug, name, created_at, suspended_at, suspended_reason from organization""" + where + """

          order by created_at desc, id desc limit :size offset :offset)
        select s.id, s.slug, s.name, s.created_at,
               (select count(*) from membership m where m.organization_id = s.id) as members,
               s.suspended_at, s.suspended_reason
        from shown s order by s.created_at desc, s.id desc""")
        .param("q", pattern).param("size", size).param("offset", (long) page * size)
        .query((rs, n) -> new Listed(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant(), rs.getLong(5),
            0, rs.getTimestamp(6) == null ? null : rs.getTimestamp(6).toInstant(), rs.getString(7)))
        .list();
    Map<Long, Long> subscribers = items.isEmpty() ? Map.of() : subscriberCounts.byOrganization(items.stream().map(Listed::id).toList());
    List<Listed> counted = items.stream().map(o -> new Listed(o.id(), o.slug(), o.name(), o.createdAt(), o.members(),
        subscribers.getOrDefault(o.id(), 0L), o.suspendedAt(), o.suspendedReason())).toList();
    return new ListPage(counted, total, page, size);
  }

  /** Suspends (or changes the reason of a suspension, keeping its start); false when there is no such organization. */
  boolean suspend(long id, String reason) {
    return jdbc.sql("update organization set suspended_at = coalesce(suspended_at, now()), suspended_reason = ? where id = ?")
        .params(reason, id).update() == 1;
  }

  /** False when the organization does not exist or is not suspended. */
  boolean resume(long id) {
    return jdbc.sql("update organization set suspended_at = null, suspended_reason = '' where id = ? and suspended_at is not null")
        .param(id).update() == 1;
  }

  /**
   * Closes the organization (its owner's decision), to be purged after {@code purgeAfter}; false when there is no
   * such organization or it is closed already.
   */
  boolean close(long id, Instant closedAt, Instant purgeAfter) {
    return jdbc.sql("update organization set closed_at = ?, purge_after = ? where id = ? and closed_at is null")
        .params(java.sql.Timestamp.from(closedAt), java.sql.Timestamp.from(purgeAfter), id).update() == 1;
  }

  /** Reopens a closed organization before its purge; false when it was not closed. */
  boolean reopen(long id) {
    return jdbc.sql("update organization set closed_at = null, purge_after = null where id = ? and closed_at is not null")
        .param(id).update() == 1;
  }

  /** The closed organizations whose grace period ended by {@code now}, oldest first. */
  List<Organization> purgeDue(Instant now, int limit) {
    return jdbc.sql("select " + ORG_COLUMNS + " from organization where closed_at is not null and purge_after <= ? order by purge_after, id limit ?")
        .params(java.sql.Timestamp.from(now), limit).query(Organization.class).list();
  }

  /** Owners' addresses, for the mails about the organization's closure. */
  List<String> ownerEmails(long orgId) {
    return jdbc.sql("""
        select u.email from membership m join app_user u on u.id = m.user_id
        where m.organization_id = ? and m.role = 'owner' order by u.id""").param(orgId).query(String.class).list();
  }

  /** Deletes the organization; every table that belongs to it cascades (see the migrations). */
  boolean delete(long id) {
    return jdbc.sql("delete from organization where id = ?").param(id).update() == 1;
  }

  long create(String slug, String name) {
    return jdbc.sql("insert into organization (slug, name) values (?, ?) returning id").params(slug, name)
        .query(Long.class).single();
  }

  boolean slugTaken(String slug) {
    return jdbc.sql("select exists(select 1 from organization where slug = ?)").param(slug).query(Boolean.class).single();
  }

  List<Organization> all() {
    return jdbc.sql("select " + ORG_COLUMNS + " from organization order by name").query(Organization.class).list();
  }

  void addMember(long orgId, long userId, Role role) {
    jdbc.sql("""
        insert into membership (organization_id, user_id, role) values (?, ?, ?)
        on conflict (organization_id, user_id) do nothing""").params(orgId, userId, role.name()).update();
  }

  List<MembershipView> membershipsOf(long userId) {
    return jdbc.sql("""
        select o.id as organization_id, o.slug, o.name, m.role, o.suspended_at is not null, o.closed_at is not null
        from membership m join organization o on o.id = m.organization_id
        where m.user_id = ? order by o.name""").param(userId)
        .query((rs, n) -> new MembershipView(rs.getLong(1), rs.getString(2), rs.getString(3), Role.valueOf(rs.getString(4)),
            rs.getBoolean(5), rs.getBoolean(6)))
        .list();
  }

  Optional<Role> roleOf(long orgId, long userId) {
    return jdbc.sql("select role from membership where organization_id = ? and user_id = ?").params(orgId, userId)
        .query(String.class).optional().map(Role::valueOf);
  }

  /** Role permissions plus those of every group the user is in; empty when not a member. */
  Set<Permission> permissionsOf(long orgId, long userId) {
    Optional<Role> role = roleOf(orgId, userId);
    if (role.isEmpty()) return EnumSet.noneOf(Permission.class);
    EnumSet<Permission> all = EnumSet.copyOf(role.get().permissions());
    jdbc.sql("""
        select unnest(g.permissions) from user_group g join user_group_member gm on gm.group_id = g.id
        where g.organization_id = ? and gm.user_id = ?""").params(orgId, userId)
        .query(String.class).list()
        .forEach(code -> Permission.fromCode(code).ifPresent(all::add));
    return Permission.withImplied(all);
  }

  List<Member> members(long orgId) {
    return jdbc.sql("""
        select u.id, u.email, u.display_name, m.role, m.created_at,
               coalesce(array(select g.name from user_group g join user_group_member gm on gm.group_id = g.id
                              where g.organization_id = m.organization_id and gm.user_id = u.id order by g.name), '{}') as groups
        from membership m join app_user u on u.id = m.user_id
        where m.organization_id = ? order by lower(u.email)""").param(orgId)
        .query((rs, n) -> new Member(rs.getLong(1), rs.getString(2), rs.getString(3), Role.valueOf(rs.getString(4)),
            rs.getTimestamp(5).toInstant(), List.of((String[]) rs.getArray(6).getArray())))
        .list();
  }

  /**
   * Locks the organization's row until the transaction ends, so that changes to its memberships take
   * turns: a check such as "another owner remains" then still holds when the change is written.
   */
  void lock(long orgId) {
    jdbc.sql("select id from organization where id = ? for update").param(orgId).query(Long.class).optional();
  }

  int countOwners(long orgId) {
    return jdbc.sql("select count(*) from membership where organization_id = ? and role = 'owner'").param(orgId)
        .query(Integer.class).single();
  }

  boolean setRole(long orgId, long userId, Role role) {
    return jdbc.sql("update membership set role = ? where organization_id = ? and user_id = ?")
        .params(role.name(), orgId, userId).update() == 1;
  }

  boolean removeMember(long orgId, long userId) {
    jdbc.sql("""
        delete from user_group_member gm using user_group g
        where gm.group_id = g.id and g.organization_id = ? and gm.user_id = ?""").params(orgId, userId).update();
    return jdbc.sql("delete from membership where organization_id = ? and user_id = ?").params(orgId, userId).update() == 1;
  }
}
