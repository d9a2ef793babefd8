package dev.herald.tenancy;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Organizations, memberships and the permissions a member holds through role and groups. */
@Repository
class Organizations {
  private final JdbcClient jdbc;

  Organizations(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  record Organization(long id, String slug, String name) {}

  record MembershipView(long organizationId, String slug, String name, Role role) {}

  record Member(long userId, String email, String displayName, Role role, java.time.Instant joinedAt, List<String> groups) {}

  Optional<Organization> bySlug(String slug) {
    return jdbc.sql("select id, slug, name from organization where slug = ?").param(slug).query(Organization.class).optional();
  }

  Optional<Organization> byId(long id) {
    return jdbc.sql("select id, slug, name from organization where id = ?").param(id).query(Organization.class).optional();
  }

  long create(String slug, String name) {
    return jdbc.sql("insert into organization (slug, name) values (?, ?) returning id").params(slug, name)
        .query(Long.class).single();
  }

  boolean slugTaken(String slug) {
    return jdbc.sql("select exists(select 1 from organization where slug = ?)").param(slug).query(Boolean.class).single();
  }

  List<Organization> all() {
    return jdbc.sql("select id, slug, name from organization order by name").query(Organization.class).list();
  }

  void addMember(long orgId, long userId, Role role) {
    jdbc.sql("""
        insert into membership (organization_id, user_id, role) values (?, ?, ?)
        on conflict (organization_id, user_id) do nothing""").params(orgId, userId, role.name()).update();
  }

  List<MembershipView> membershipsOf(long userId) {
    return jdbc.sql("""
        select o.id as organization_id, o.slug, o.name, m.role from membership m join organization o on o.id = m.organization_id
        where m.user_id = ? order by o.name""").param(userId)
        .query((rs, n) -> new MembershipView(rs.getLong(1), rs.getString(2), rs.getString(3), Role.valueOf(rs.getString(4))))
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
