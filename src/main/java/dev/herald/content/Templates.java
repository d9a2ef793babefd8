package dev.herald.content;

import dev.herald.platform.Refused;
import dev.herald.platform.Text;
import dev.herald.platform.TextEnum;
import dev.herald.tenancy.AuditLog;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * An organization's templates: campaign templates (layouts that wrap a campaign's body where they write
 * {@code {{ content }}}) and snippets (included by name from templates and bodies). Every save compiles the source
 * with the organization's snippets ({@link TemplateEngine}), so a template that is stored is one that compiled: an
 * error is refused on {@code source} with its line and column ("Line 3, column 7: ...") when saving, not found when a
 * campaign starts. Deleting or renaming a snippet that another template includes is refused for the same reason.
 */
@Service
public class Templates {
  /** Far above any real newsletter layout; keeps one template from filling the database or the editor. */
  static final int MAX_SOURCE = 500_000;
  static final int MAX_NAME = 100;
  /** {@code {{ content }}}, also with whitespace control ({@code {{- content -}}}) or filters. */
  private static final Pattern CONTENT = Pattern.compile("\\{\\{-?\\s*content\\s*(\\|[^}]*)?-?}}");
  /** How templates include a snippet: a name fits inside quotes and reads like a file's name. */
  private static final Pattern SNIPPET_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");
  private static final String COLUMNS = "id, name, kind, category_id, format, source, created_at, updated_at";

  private final JdbcClient jdbc;
  private final AuditLog audit;
  private final TemplateEngine engine;

  Templates(JdbcClient jdbc, AuditLog audit, TemplateEngine engine) {
    this.jdbc = jdbc;
    this.audit = audit;
    this.engine = engine;
  }

  /** A stored template; {@code categoryId} null when it has no category. */
  public record Template(long id, String name, TemplateKind kind, Long categoryId, ContentFormat format, String source,
      Instant createdAt, Instant updatedAt) {}

  /** What a caller gives to create or change a template; {@code categoryId} null for none. */
  public record Draft(String name, TemplateKind kind, Long categoryId, ContentFormat format, String source) {}

  /** The template, or refused as not found (a 404 for the API and the pages alike). */
  public Template get(long orgId, long id) {
    return find(orgId, id).orElseThrow(() -> notFound(id));
  }

  public Optional<Template> find(long orgId, long id) {
    return jdbc.sql("select " + COLUMNS + " from template where organization_id = ? and id = ?")
        .params(orgId, id).query(Templates::row).optional();
  }

  /** The organization's templates of one kind (every kind for null), by name. */
  public List<Template> list(long orgId, TemplateKind kind) {
    return list(orgId, kind, null);
  }

  /** As {@link #list(long, TemplateKind)}, only those in the category {@code categoryId} when it is not null. */
  public List<Template> list(long orgId, TemplateKind kind, Long categoryId) {
    return jdbc.sql("select " + COLUMNS + """
         from template where organization_id = :org
          and (cast(:kind as text) is null or kind = :kind)
          and (cast(:category as bigint) is null or category_id = :category)
        order by kind, lower(name), id""")
        .param("org", orgId).param("kind", kind == null ? null : kind.text()).param("category", categoryId)
        .query(Templates::row).list();
  }

  /**
   * The organization's snippets by name, for {@link TemplateEngine#compile}: what {@code {% include 'name' %}}
   * reaches, and nothing else. Each look-up reads the stored snippet (a compile resolves includes once).
   */
  public SnippetLookup snippets(long orgId) {
    return name -> jdbc.sql("select source from template where organization_id = ? and kind = 'snippet' and name = ?")
        .params(orgId, name).query(String.class).optional();
  }

  @Transactional
  public Template create(long orgId, Draft draft) {
    if (draft.kind() == null) throw Refused.invalid("kind", "kind is one of campaign, snippet.");
    Draft d = checked(orgId, draft, draft.kind());
    try {
      long id = jdbc.sql("""
          insert into template (organization_id, kind, name, category_id, format, source) values (?, ?, ?, ?, ?, ?)
          returning id""").params(orgId, d.kind().text(), d.name(), d.categoryId(), d.format().text(), d.source())
          .query(Long.class).single();
      audit.record(orgId, "template.created", "template", id, d.kind().text() + " " + d.name());
      return find(orgId, id).orElseThrow();
    } catch (DuplicateKeyException taken) {
      throw nameTaken(d);
    }
  }

  /** Changes everything but the kind, which is fixed (a snippet is found by its name, a campaign keeps its template). */
  @Transactional
  public Template update(long orgId, long id, Draft draft) {
    Template before = get(orgId, id);
    if (draft.kind() != null && draft.kind() != before.kind()) {
      throw Refused.invalid("kind", "A template's kind cannot change; create a " + draft.kind().text() + " instead.");
    }
    Draft d = checked(orgId, draft, before.kind());
    if (before.kind() == TemplateKind.SNIPPET && !before.name().equals(d.name())) requireNotIncluded(orgId, before, "name");
    try {
      jdbc.sql("""
          update template set name = ?, category_id = ?, format = ?, source = ?, updated_at = now()
          where organization_id = ? and id = ?""")
          .params(d.name(), d.categoryId(), d.format().text(), d.source(), orgId, id).update();
    } catch (DuplicateKeyException taken) {
      throw nameTaken(d);
    }
    audit.record(orgId, "template.updated", "template", id, before.kind().text() + " " + d.name());
    return get(orgId, id);
  }

  /** A snippet still included by another template is refused, naming them: deleting it would break them. Answers what was deleted. */
  @Transactional
  public Template delete(long orgId, long id) {
    Template t = get(orgId, id);
    if (t.kind() == TemplateKind.SNIPPET) requireNotIncluded(orgId, t, "id");
    jdbc.sql("delete from template where organization_id = ? and id = ?").params(orgId, id).update();
    audit.record(orgId, "template.deleted", "template", id, t.kind().text() + " " + t.name());
    return t;
  }

  private static Refused notFound(long id) {
    return Refused.notFound("Template " + id);
  }

  private Draft checked(long orgId, Draft draft, TemplateKind kind) {
    String name = name(draft.name(), kind);
    ContentFormat format = draft.format() == null ? ContentFormat.HTML : draft.format();
    // Browsers submit a textarea's lines with CRLF; stored with LF, as the API's clients send them.
    String source = draft.source() == null ? "" : draft.source().replace("\r\n", "\n");
    Text.requireNoControls("source", source);
    if (source.length() > MAX_SOURCE) {
      throw Refused.invalid("source", "A template is at most " + MAX_SOURCE + " characters; this one has " + source.length() + ".");
    }
    if (kind == TemplateKind.CAMPAIGN && !CONTENT.matcher(source).find()) {
      throw Refused.invalid("source", "A campaign template must write {{ content }} where the campaign's body goes.");
    }
    // Compiled with the snippets as they are stored: an include of a snippet that does not exist is an error here.
    engine.compile(source, snippets(orgId));
    Long category = draft.categoryId();
    if (category != null && !jdbc.sql("select exists(select 1 from template_category where organization_id = ? and id = ?)")
        .params(orgId, category).query(Boolean.class).single()) {
      throw Refused.invalid("categoryId", "There is no category " + category + " in this organization.");
    }
    return new Draft(name, kind, category, format, source);
  }

  private static String name(String name, TemplateKind kind) {
    Text.requireOneLine("name", name);
    if (name == null || name.isBlank()) throw Refused.invalid("name", "Give the " + kind.words().toLowerCase() + " a name.");
    String n = name.strip();
    if (n.length() > MAX_NAME) throw Refused.invalid("name", "A name is at most " + MAX_NAME + " characters.");
    if (kind == TemplateKind.SNIPPET && !SNIPPET_NAME.matcher(n).matches()) {
      throw Refused.invalid("name", "A snippet's name is how templates include it ({% include 'footer' %}): letters, "
          + "digits, -, _ and ., starting with a letter or digit.");
    }
    return n;
  }

  private static Refused nameTaken(Draft d) {
    return Refused.conflict("name", "A " + d.kind().words().toLowerCase() + " named " + d.name() + " exists already.");
  }

  /** Templates of the organization whose source includes the snippet (by either quote). */
  private void requireNotIncluded(long orgId, Template snippet, String field) {
    Pattern include = Pattern.compile("\\{%-?\\s*(include|render)\\s+['\"]" + Pattern.quote(snippet.name()) + "['\"]");
    List<String> users = list(orgId, null).stream().filter(t -> t.id() != snippet.id())
        .filter(t -> include.matcher(t.source()).find()).map(Template::name).toList();
    if (!users.isEmpty()) {
      throw Refused.conflict(field, "Included by " + String.join(", ", users) + "; change "
          + (users.size() == 1 ? "it" : "them") + " first.");
    }
  }

  private static Template row(ResultSet rs, int n) throws SQLException {
    return new Template(rs.getLong(1), rs.getString(2), TextEnum.fromText(TemplateKind.class, rs.getString(3)),
        rs.getObject(4, Long.class), TextEnum.fromText(ContentFormat.class, rs.getString(5)), rs.getString(6),
        rs.getTimestamp(7).toInstant(), rs.getTimestamp(8).toInstant());
  }
}
