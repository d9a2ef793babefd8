package dev.herald.tenancy;

import dev.herald.platform.Refused;
import dev.herald.platform.Text;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Custom user groups: a named set of permissions given to chosen members on top of their role. */
@Service
class Groups {
  private final JdbcClient jdbc;
  private final Organizations organizations;
  private final AuditLog audit;

  Groups(JdbcClient jdbc, Organizations organizations, AuditLog audit) {
    this.jdbc = jdbc;
    this.organizations = organizations;
    this.audit = audit;
  }

  record Group(long id, String name, List<String> permissions, List<Long> memberIds) {}

  List<Group> list(long orgId) {
    return jdbc.sql("""
        select g.id, g.name, g.permissions,
               coalesce(array(select user_id from user_group_member where group_id = g.id order by user_id), '{}')
        from user_group g where g.organization_id = ? order by g.name""").param(orgId)
        .query((rs, n) -> new Group(rs.getLong(1), rs.getString(2), List.of((String[]) rs.getArray(3).getArray()),
            List.of((Long[]) rs.getArray(4).getArray())))
        .list();
  }

  /** Creates a group with permissions the actor holds themselves. */
  @Transactional
  long create(long orgId, long actorId, String name, List<String> permissionCodes) {
    String clean = name == null ? "" : Text.requireOneLine("name", name).trim();
    if (clean.isEmpty() || clean.length() > 60) throw Refused.invalid("name", "Name the group (1 to 60 characters).");
    organizations.lock(orgId);
    String[] permissions = validPermissions(permissionCodes);
    requireHeld(orgId, actorId, permissions);
    if (jdbc.sql("select exists(select 1 from user_group where organization_id = ? and name = ?)").params(orgId, clean)
        .query(Boolean.class).single()) {
      throw Refused.conflict("name", "A group named " + clean + " exists already.");
    }
    long id = jdbc.sql("insert into user_group (organization_id, name, permissions) values (?, ?, ?) returning id")
        .params(orgId, clean, permissions).query(Long.class).single();
    audit.record(orgId, "group.created", "group", id, clean);
    return id;
  }

  /**
   * Replaces a group's permissions and members; members must belong to the organization. The actor must
   * hold every permission the group held and will hold, so nobody passes on (or takes, by joining) more
   * than they have.
   */
  @Transactional
  boolean update(long orgId, long actorId, long groupId, List<String> permissionCodes, List<Long> memberIds) {
    String[] permissions = validPermissions(permissionCodes);
    organizations.lock(orgId);
    List<String> before = jdbc.sql("select unnest(permissions) from user_group where organization_id = ? and id = ?")
        .params(orgId, groupId).query(String.class).list();
    requireHeld(orgId, actorId, before.toArray(String[]::new));
    requireHeld(orgId, actorId, permissions);
    int n = jdbc.sql("update user_group set permissions = ? where organization_id = ? and id = ?")
        .params(permissions, orgId, groupId).update();
    if (n == 0) return false;
    jdbc.sql("delete from user_group_member where group_id = ?").param(groupId).update();
    for (Long userId : memberIds == null ? List.<Long>of() : memberIds) {
      jdbc.sql("""
          insert into user_group_member (group_id, user_id)
          select ?, user_id from membership where organization_id = ? and user_id = ?""")
          .params(groupId, orgId, userId).update();
    }
    audit.record(orgId, "group.updated", "group", groupId, String.join(", ", permissions));
    return true;
  }

  @Transactional
  boolean delete(long orgId, long groupId) {
    int n = jdbc.sql("delete from user_group where organization_id = ? and id = ?").params(orgId, groupId).update();
    if (n == 1) audit.record(orgId, "group.deleted", "group", groupId, null);
    return n == 1;
  }

  private void requireHeld(long orgId, long actorId, String[] codes) {
    Set<Permission> held = organizations.permissionsOf(orgId, actorId);
    List<String> missing = Arrays.stream(codes).filter(c -> Permission.fromCode(c).map(p -> !held.contains(p)).orElse(false)).toList();
    if (!missing.isEmpty()) {
      throw Refused.invalid("permissions", "You can only give permissions you hold yourself; you do not hold " + String.join(", ", missing) + ".");
    }
  }

  private static String[] validPermissions(List<String> codes) {
    Set<String> valid = new TreeSet<>();
    List<String> unknown = new ArrayList<>();
    for (String c : codes == null ? List.<String>of() : codes) {
      if (Permission.fromCode(c.trim()).isPresent()) valid.add(c.trim());
      else unknown.add(c);
    }
    if (!unknown.isEmpty()) throw Refused.invalid("permissions", "Unknown permission(s): " + String.join(", ", unknown));
    if (valid.contains(Permission.ACCOUNT_EXPORT.code())) {
      throw Refused.invalid("permissions", "account:export belongs to the owners' role only; no group can give it.");
    }
    return valid.toArray(String[]::new);
  }
}
