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
  public Optional<Category> rename(long orgId, long id, String name) {
    if (find(orgId, id).isEmpty()) return Optional.empty();
    String n = name(name);
    try {
      int changed = jdbc.sql("update template_category set name = ? where organization_id = ? and id = ?")
          .params(n, orgId, id).update();
      if (changed == 0) return Optional.empty();
    } catch (DuplicateKeyException taken) {
      throw Refused.conflict("name", "A category named " + n + " exists already.");
    }
    audit.record(orgId, "template_category.renamed", "template_category", id, n);
    return find(orgId, id);
  }

  /** Its templates stay, without a category. */
  @Transactional
  public boolean delete(long orgId, long id) {
    String name = jdbc.sql("delete from template_category where organization_id = ? and id = ? returning name")
        .params(orgId, id).query(String.class).optional().orElse(null);
    if (name == null) return false;
    audit.record(orgId, "template_category.deleted", "template_category", id, name);
    return true;
  }

  private static String name(String name) {
    Text.requireOneLine("name", name);
    if (name == null || name.isBlank()) throw Refused.invalid("name", "Give the category a name.");
    String n = name.strip();
    if (n.length() > MAX_NAME) throw Refused.invalid("name", "A name is at most " + MAX_NAME + " characters.");
    return n;
  }
}
