package dev.herald.content;

import dev.herald.platform.Refused;
import dev.herald.platform.Text;
import dev.herald.tenancy.AuditLog;
import java.util.List;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** An organization's template categories: names to sort templates by. Deleting one keeps its templates, uncategorized. */
@Service
public class TemplateCategories {
  static final int MAX_NAME = 100;
  private final JdbcClient jdbc;
  private final AuditLog audit;

  TemplateCategories(JdbcClient jdbc, AuditLog audit) {
    this.jdbc = jdbc;
    this.audit = audit;
  }

  /** {@code templates}: how many templates are in it. */
  public record Category(long id, String name, long templates) {}

  public List<Category> list(long orgId) {
    return jdbc.sql("""
        select c.id, c.name, (select count(*) from template t where t.category_id = c.id)
        from template_category c where c.organization_id = ? order by lower(c.name), c.id""")
        .param(orgId).query((rs, n) -> new Category(rs.getLong(1), rs.getString(2), rs.getLong(3))).list();
  }

  /** The category, or refused as not found (a 404 for the API and the pages alike). */
  public Category get(long orgId, long id) {
    return find(orgId, id).orElseThrow(() -> notFound(id));
  }

  public Optional<Category> find(long orgId, long id) {
    return jdbc.sql("""
        select c.id, c.name, (select count(*) from template t where t.category_id = c.id)
        from template_category c where c.organization_id = ? and c.id = ?""")
        .params(orgId, id).query((rs, n) -> new Category(rs.getLong(1), rs.getString(2), rs.getLong(3))).optional();
  }

  @Transactional
  public Category create(long orgId, String name) {
    String n = name(name);
    try {
      long id = jdbc.sql("insert into template_category (organization_id, name) values (?, ?) returning id")
          .params(orgId, n).query(Long.class).single();
      audit.record(orgId, "template_category.created", "template_category", id, n);
      return new Category(id, n, 0);
    } catch (DuplicateKeyException taken) {
      throw Refused.conflict("name", "A category named " + n + " exists already.");
    }
  }

  @Transactional
  public Category rename(long orgId, long id, String name) {
    get(orgId, id);
    String n = name(name);
    try {
      int changed = jdbc.sql("update template_category set name = ? where organization_id = ? and id = ?")
          .params(n, orgId, id).update();
      if (changed == 0) throw notFound(id);
    } catch (DuplicateKeyException taken) {
      throw Refused.conflict("name", "A category named " + n + " exists already.");
    }
    audit.record(orgId, "template_category.renamed", "template_category", id, n);
    return get(orgId, id);
  }

  /** Its templates stay, without a category. */
  @Transactional
  public void delete(long orgId, long id) {
    String name = jdbc.sql("delete from template_category where organization_id = ? and id = ? returning name")
        .params(orgId, id).query(String.class).optional().orElseThrow(() -> notFound(id));
    audit.record(orgId, "template_category.deleted", "template_category", id, name);
  }

  private static Refused notFound(long id) {
    return Refused.notFound("Template category " + id);
  }

  private static String name(String name) {
    Text.requireOneLine("name", name);
    if (name == null || name.isBlank()) throw Refused.invalid("name", "Give the category a name.");
    String n = name.strip();
    if (n.length() > MAX_NAME) throw Refused.invalid("name", "A name is at most " + MAX_NAME + " characters.");
    return n;
  }
}
