package dev.herald.audiences;

import dev.herald.platform.Refused;
import dev.herald.platform.Text;
import dev.herald.tenancy.AuditLog;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Distribution lists of an organization. */
@Service
public class MailingLists {
  private final JdbcClient jdbc;
  private final AuditLog audit;

  MailingLists(JdbcClient jdbc, AuditLog audit) {
    this.jdbc = jdbc;
    this.audit = audit;
  }

  public record MailingList(long id, String name, String description, String visibility, String optin, String defaultFromName,
      String defaultFromEmail, List<String> tags, Instant createdAt, Map<String, Long> counts) {}

  /** What a person or API client sends to create or change a list. */
  public record ListForm(String name, String description, String visibility, String optin, String defaultFromName,
      String defaultFromEmail, List<String> tags) {}

  private static final String SELECT = """
      select l.id, l.name, l.description, l.visibility, l.optin, l.default_from_name, l.default_from_email, l.tags, l.created_at,
        c.unconfirmed, c.subscribed, c.unsubscribed, c.bounced, c.complained
      from mailing_list l cross join lateral (
        select count(*) filter (where status = 'unconfirmed') unconfirmed, count(*) filter (where status = 'subscribed') subscribed,
               count(*) filter (where status = 'unsubscribed') unsubscribed, count(*) filter (where status = 'bounced') bounced,
               count(*) filter (where status = 'complained') complained
        from subscription s where s.list_id = l.id) c""";

  /** Without counts ({@link MailingList#counts} empty): for lookups and menus, where counting a big list would cost a scan. */
  private static final String SELECT_PLAIN = """
      select l.id, l.name, l.description, l.visibility, l.optin, l.default_from_name, l.default_from_email, l.tags, l.created_at
      from mailing_list l""";

  /** The lists of the organization without their counts, e.g. for a menu of lists. */
  public List<MailingList> names(long orgId) {
    return jdbc.sql(SELECT_PLAIN + " where l.organization_id = ? order by l.name").param(orgId).query(MailingLists::plain).list();
  }

  /** One list without its counts: what a subscribe, an import or a check needs, in constant time. */
  public Optional<MailingList> basic(long orgId, long id) {
    return jdbc.sql(SELECT_PLAIN + " where l.organization_id = ? and l.id = ?").params(orgId, id).query(MailingLists::plain).optional();
  }

  /** A public list and its organization, found by the list's id alone: a hosted form's address names no organization. */
  record Hosted(long organizationId, MailingList list) {}

  Optional<Hosted> findPublic(long id) {
    return jdbc.sql("select organization_id from mailing_list where id = ? and visibility = 'public'").param(id).query(Long.class)
        .optional().flatMap(orgId -> basic(orgId, id).map(list -> new Hosted(orgId, list)));
  }

  /** With the number of subscriptions per status (one count over the list's subscriptions each). */
  public List<MailingList> list(long orgId) {
    return jdbc.sql(SELECT + " where l.organization_id = ? order by l.name").param(orgId).query(MailingLists::map).list();
  }

  public Optional<MailingList> find(long orgId, long id) {
    return jdbc.sql(SELECT + " where l.organization_id = ? and l.id = ?").params(orgId, id).query(MailingLists::map).optional();
  }

  @Transactional
  public MailingList create(long orgId, ListForm form) {
    ListForm f = validate(form);
    if (nameTaken(orgId, f.name(), null)) throw Refused.conflict("name", "A list named " + f.name() + " exists already.");
    long id = jdbc.sql("""
        insert into mailing_list (organization_id, name, description, visibility, optin, default_from_name, default_from_email, tags)
        values (?, ?, ?, ?, ?, ?, ?, ?) returning id""")
        .params(orgId, f.name(), f.description(), f.visibility(), f.optin(), f.defaultFromName(), f.defaultFromEmail(),
            f.tags().toArray(String[]::new))
        .query(Long.class).single();
    audit.record(orgId, "list.created", "list", id, f.name());
    return find(orgId, id).orElseThrow();
  }

  @Transactional
  public Optional<MailingList> update(long orgId, long id, ListForm form) {
    if (find(orgId, id).isEmpty()) return Optional.empty();
    ListForm f = validate(form);
    if (nameTaken(orgId, f.name(), id)) throw Refused.conflict("name", "A list named " + f.name() + " exists already.");
    int n = jdbc.sql("""
        update mailing_list set name = ?, description = ?, visibility = ?, optin = ?, default_from_name = ?, default_from_email = ?,
          tags = ?, updated_at = now() where organization_id = ? and id = ?""")
        .params(f.name(), f.description(), f.visibility(), f.optin(), f.defaultFromName(), f.defaultFromEmail(),
            f.tags().toArray(String[]::new), orgId, id)
        .update();
    if (n == 0) return Optional.empty();
    audit.record(orgId, "list.updated", "list", id, f.name());
    return find(orgId, id);
  }

  @Transactional
  public boolean delete(long orgId, long id) {
    int n = jdbc.sql("delete from mailing_list where organization_id = ? and id = ?").params(orgId, id).update();
    if (n == 1) audit.record(orgId, "list.deleted", "list", id, null);
    return n == 1;
  }

  private boolean nameTaken(long orgId, String name, Long except) {
    return jdbc.sql("select exists(select 1 from mailing_list where organization_id = ? and lower(name) = lower(?) and id <> ?)")
        .params(orgId, name, except == null ? -1 : except).query(Boolean.class).single();
  }

  private static ListForm validate(ListForm f) {
    if (f == null) throw Refused.invalid("name", "Send the list's fields.");
    Text.requireNoControls("name", f.name());
    Text.requireNoControls("description", f.description());
    Text.requireNoControls("defaultFromName", f.defaultFromName());
    String name = f.name() == null ? "" : f.name().trim();
    if (name.isEmpty() || name.length() > 100) throw Refused.invalid("name", "Name the list (1 to 100 characters).");
    String visibility = f.visibility() == null || f.visibility().isBlank() ? "private" : f.visibility().trim();
    if (!visibility.equals("public") && !visibility.equals("private")) {
      throw Refused.invalid("visibility", "visibility is public or private.");
    }
    String optin = f.optin() == null || f.optin().isBlank() ? "double" : f.optin().trim();
    if (!optin.equals("single") && !optin.equals("double")) throw Refused.invalid("optin", "optin is single or double.");
    String fromEmail = blankToNull(f.defaultFromEmail());
    if (fromEmail != null) {
      fromEmail = Addresses.require("defaultFromEmail", fromEmail).address();
    }
    String fromName = blankToNull(f.defaultFromName());
    if (fromName != null && (fromName.length() > 100 || fromName.matches(".*[\\r\\n].*"))) {
      throw Refused.invalid("defaultFromName", "The sender name is one line of at most 100 characters.");
    }
    String description = f.description() == null ? "" : f.description().trim();
    if (description.length() > 2000) throw Refused.invalid("description", "Keep the description under 2000 characters.");
    return new ListForm(name, description, visibility, optin, fromName, fromEmail, Tags.clean("tags", f.tags()));
  }

  static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  private static MailingList plain(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
    return new MailingList(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
        rs.getString(7), List.of((String[]) rs.getArray(8).getArray()), rs.getTimestamp(9).toInstant(), Map.of());
  }

  private static MailingList map(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
    Map<String, Long> counts = new java.util.LinkedHashMap<>();
    for (String status : Subscribers.STATUSES) counts.put(status, rs.getLong(status));
    return new MailingList(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
        rs.getString(7), List.of((String[]) rs.getArray(8).getArray()), rs.getTimestamp(9).toInstant(), counts);
  }
}
