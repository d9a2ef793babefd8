package dev.herald.tenancy;

import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Service;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Who did what to which object, when and from where. Written in the caller's transaction, so an
 * action and its record commit together. Capabilities call {@link #record} for every change.
 */
@Service
public class AuditLog {
  private final JdbcClient jdbc;

  AuditLog(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** Records an action by whoever the current request is authenticated as ("system" outside a request). */
  public void record(Long organizationId, String action, String objectType, Object objectId, String detail) {
    Authentication auth = SecurityContextHolder.getContext().getAuthentication();
    Object principal = auth == null ? null : auth.getPrincipal();
    Long actorId = principal instanceof HeraldUser u ? u.id() : null;
    String actor = switch (principal) {
      case HeraldUser u -> u.email();
      case ApiKeyPrincipal k -> k.getName();
      case null, default -> "system";
    };
    recordAs(organizationId, actorId, actor, action, objectType, objectId, detail, currentIp());
  }

  void recordAs(Long organizationId, Long actorUserId, String actor, String action, String objectType, Object objectId,
      String detail, String ip) {
    jdbc.sql("""
        insert into audit_event (organization_id, actor_user_id, actor, action, object_type, object_id, detail, ip)
        values (?, ?, ?, ?, ?, ?, ?, ?)""")
        .params(organizationId, actorUserId, actor, action, objectType, objectId == null ? null : objectId.toString(), detail, ip)
        .update();
  }

  public record Entry(long id, Long organizationId, String actor, String action, String objectType, String objectId,
      String detail, String ip, Instant at) {}

  /** Filter values may be blank. {@code organizationId} null = the operator's own log. */
  public record Filter(String actor, String action, Instant from, Instant to) {}

  private static final String WHERE = """
      where organization_id is not distinct from :org
        and (:actor = '' or actor ilike '%' || :actor || '%')
        and (:action = '' or action like :action || '%')
        and (cast(:from as timestamptz) is null or at >= cast(:from as timestamptz))
        and (cast(:to as timestamptz) is null or at < cast(:to as timestamptz))""";

  List<Entry> search(Long organizationId, Filter f, int limit) {
    return filtered("select id, organization_id, actor, action, object_type, object_id, detail, ip, at from audit_event "
        + WHERE + " order by at desc, id desc limit :limit", organizationId, f)
        .param("limit", limit)
        .query(Entry.class).list();
  }

  /** One page of the panel's log and how many entries match in all. */
  record Page(List<Entry> items, long total, int page, int size) {}

  /**
   * Newest first by time and then id, so rows of the same instant keep their order from one page to the next. Offset
   * paging: the pager shows "page 3 of 40", and a person reads a few pages, where an offset costs little.
   */
  Page page(Long organizationId, Filter f, int page, int size) {
    List<Entry> items = filtered("select id, organization_id, actor, action, object_type, object_id, detail, ip, at from audit_event "
        + WHERE + " order by at desc, id desc limit :size offset :offset", organizationId, f)
        .param("size", size).param("offset", (long) page * size)
        .query(Entry.class).list();
    long total = filtered("select count(*) from audit_event " + WHERE, organizationId, f).query(Long.class).single();
    return new Page(items, total, page, size);
  }

  private JdbcClient.StatementSpec filtered(String sql, Long organizationId, Filter f) {
    return jdbc.sql(sql)
        .param("org", organizationId)
        .param("actor", f.actor() == null ? "" : f.actor().trim())
        .param("action", f.action() == null ? "" : f.action().trim())
        .param("from", f.from() == null ? null : java.sql.Timestamp.from(f.from()))
        .param("to", f.to() == null ? null : java.sql.Timestamp.from(f.to()));
  }

  static String currentIp() {
    if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attrs) {
      HttpServletRequest request = attrs.getRequest();
      return request.getRemoteAddr();
    }
    return null;
  }
}
