package dev.herald.audiences;

import dev.herald.platform.Refused;
import dev.herald.platform.Text;
import dev.herald.platform.TextEnum;
import dev.herald.tenancy.AuditLog;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
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

  /**
   * {@code counts}: the number of subscriptions per status, keyed by the status's text (JSON keys are texts).
   * {@code publicId}: the random id of the list's hosted form ({@code /p/subscribe/{publicId}}), unguessable on purpose.
   */
  public record MailingList(long id, String name, String description, ListVisibility visibility, OptIn optin, String defaultFromName,
      String defaultFromEmail, List<String> tags, Instant createdAt, Map<String, Long> counts, String publicId) {}

  /** What a person or API client sends to create or change a list; the texts are checked by {@link #validate}. */
  public record ListForm(String name, String description,
      @Schema(implementation = ListVisibility.class, description = "private when absent") String visibility,
      @Schema(implementation = OptIn.class, description = "double when absent") String optin, String defaultFromName,
      String defaultFromEmail, List<String> tags) {}

  /** A list's columns and one count per status, named by the status's text: a new status is counted without a change here. */
  private static final String SELECT = """
      select l.id, l.name, l.description, l.visibility, l.optin, l.default_from_name, l.default_from_email, l.tags, l.created_at,
        l.public_id, %s
      from mailing_list l cross join lateral (select %s from subscription s where s.list_id = l.id) c""".formatted(
      Arrays.stream(SubscriptionStatus.values()).map(st -> "c." + st.text()).collect(Collectors.joining(", ")),
      Arrays.stream(SubscriptionStatus.values()).map(st -> "count(*) filter (where status = '" + st.text() + "') as " + st.text())
          .collect(Collectors.joining(", ")));

  /** Without counts ({@link MailingList#counts} empty): for lookups and menus, where counting a big list would cost a scan. */
  private static final String SELECT_PLAIN = """
      select l.id, l.name, l.description, l.visibility, l.optin, l.default_from_name, l.default_from_email, l.tags, l.created_at,
        l.public_id
      from mailing_list l""";

  /** The lists of the organization without their counts, e.g. for a menu of lists. */
  public List<MailingList> names(long orgId) {
    return jdbc.sql(SELECT_PLAIN + " where l.organization_id = ? order by l.name").param(orgId).query(MailingLists::plain).list();
  }

  /** One list without its counts: what a subscribe, an import or a check needs, in constant time. */
  public Optional<MailingList> basic(long orgId, long id) {
    return jdbc.sql(SELECT_PLAIN + " where l.organization_id = ? and l.id = ?").params(orgId, id).query(MailingLists::plain).optional();
  }

  /** A public list and its organization, found by the list's public id alone: a hosted form's address names no organization. */
  record Hosted(long organizationId, MailingList list) {}

  Optional<Hosted> findPublic(String publicId) {
    return jdbc.sql("select organization_id, id from mailing_list where public_id = ? and visibility = 'public'").param(publicId)
        .query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2)}).optional()
        .flatMap(ids -> basic(ids[0], ids[1]).map(list -> new Hosted(ids[0], list)));
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
    Valid f = validate(form);
    if (nameTaken(orgId, f.name(), null)) throw Refused.conflict("name", "A list named " + f.name() + " exists already.");
    long id = jdbc.sql("""
        insert into mailing_list (organization_id, name, description, visibility, optin, default_from_name, default_from_email, tags)
        values (?, ?, ?, ?, ?, ?, ?, ?) returning id""")
        .params(orgId, f.name(), f.description(), f.visibility().text(), f.optin().text(), f.defaultFromName(), f.defaultFromEmail(),
            f.tags().toArray(String[]::new))
        .query(Long.class).single();
    audit.record(orgId, "list.created", "list", id, f.name());
    return find(orgId, id).orElseThrow();
  }

  @Transactional
  public Optional<MailingList> update(long orgId, long id, ListForm form) {
    if (find(orgId, id).isEmpty()) return Optional.empty();
    Valid f = validate(form);
    if (nameTaken(orgId, f.name(), id)) throw Refused.conflict("name", "A list named " + f.name() + " exists already.");
    int n = jdbc.sql("""
        update mailing_list set name = ?, description = ?, visibility = ?, optin = ?, default_from_name = ?, default_from_email = ?,
          tags = ?, updated_at = now() where organization_id = ? and id = ?""")
        .params(f.name(), f.description(), f.visibility().text(), f.optin().text(), f.defaultFromName(), f.defaultFromEmail(),
            f.tags().toArray(String[]::new), orgId, id)
        .update();
    if (n == 0) return Optional.empty();
    audit.record(orgId, "list.updated", "list", id, f.name());
    return find(orgId, id);
  }

  @Transactional
  public boolean delete(long orgId, long id) {
    // The list's unsubscribed people withdrew: that outlives the list (see Subscribers#subscribe).
    jdbc.sql("""
        update subscriber set withdrawn_at = now() where id in (
          select x.subscriber_id from subscription x join mailing_list l on l.id = x.list_id
          where l.organization_id = ? and x.list_id = ? and x.status = 'unsubscribed')""").params(orgId, id).update();
    int n = jdbc.sql("delete from mailing_list where organization_id = ? and id = ?").params(orgId, id).update();
    if (n == 1) audit.record(orgId, "list.deleted", "list", id, null);
    return n == 1;
  }

  private boolean nameTaken(long orgId, String name, Long except) {
    return jdbc.sql("select exists(select 1 from mailing_list where organization_id = ? and lower(name) = lower(?) and id <> ?)")
        .params(orgId, name, except == null ? -1 : except).query(Boolean.class).single();
  }

  /** A {@link ListForm} checked and normalized. */
  private record Valid(String name, String description, ListVisibility visibility, OptIn optin, String defaultFromName,
      String defaultFromEmail, List<String> tags) {}

  private static Valid validate(ListForm f) {
    if (f == null) throw Refused.invalid("name", "Send the list's fields.");
    Text.requireNoControls("name", f.name());
    Text.requireNoControls("description", f.description());
    Text.requireNoControls("defaultFromName", f.defaultFromName());
    String name = f.name() == null ? "" : f.name().trim();
    if (name.isEmpty() || name.length() > 100) throw Refused.invalid("name", "Name the list (1 to 100 characters).");
    ListVisibility visibility = Objects.requireNonNullElse(TextEnum.parse(ListVisibility.class, "visibility", f.visibility()), ListVisibility.PRIVATE);
    OptIn optin = Objects.requireNonNullElse(TextEnum.parse(OptIn.class, "optin", f.optin()), OptIn.DOUBLE);
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
    return new Valid(name, description, visibility, optin, fromName, fromEmail, Tags.clean("tags", f.tags()));
  }

  static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  private static MailingList plain(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
    return new MailingList(rs.getLong(1), rs.getString(2), rs.getString(3), TextEnum.fromText(ListVisibility.class, rs.getString(4)),
        TextEnum.fromText(OptIn.class, rs.getString(5)), rs.getString(6),
        rs.getString(7), List.of((String[]) rs.getArray(8).getArray()), rs.getTimestamp(9).toInstant(), Map.of(), rs.getString(10));
  }

  private static MailingList map(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
    Map<String, Long> counts = new java.util.LinkedHashMap<>();
    for (SubscriptionStatus status : SubscriptionStatus.values()) counts.put(status.text(), rs.getLong(status.text()));
    return new MailingList(rs.getLong(1), rs.getString(2), rs.getString(3), TextEnum.fromText(ListVisibility.class, rs.getString(4)),
        TextEnum.fromText(OptIn.class, rs.getString(5)), rs.getString(6),
        rs.getString(7), List.of((String[]) rs.getArray(8).getArray()), rs.getTimestamp(9).toInstant(), counts, rs.getString(10));
  }
}
