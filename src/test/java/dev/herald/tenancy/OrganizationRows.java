package dev.herald.tenancy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A fingerprint (row count and digest) of every row an organization owns, per table, so a test can tell
 * whether anything of it changed. Read from the database's catalog, so the tables of later capabilities
 * count without being listed: a table with {@code organization_id}, and a table without one whose
 * foreign key points into such a table (a subscription through its subscriber, say), or that references one without
 * a key (listed below).
 */
final class OrganizationRows {
  private final JdbcClient jdbc;
  private final Map<String, String> queries = new LinkedHashMap<>();

  OrganizationRows(JdbcClient jdbc) {
    this.jdbc = jdbc;
    String fingerprint = "select count(*) || ' rows, ' || md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from ";
    queries.put("organization", fingerprint + "organization t where t.id = :org");
    List<String> owning = jdbc.sql("""
        select c.table_name from information_schema.columns c
        join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema = current_schema() and c.column_name = 'organization_id' and t.table_type = 'BASE TABLE'
        order by 1""").query(String.class).list();
    for (String table : owning) queries.put(table, fingerprint + table + " t where t.organization_id = :org");
    List<List<String>> references = new ArrayList<>();
    jdbc.sql("""
        select child.relname, fk.attname, parent.relname, pk.attname
        from pg_constraint k
        join pg_class child on child.oid = k.conrelid
        join pg_class parent on parent.oid = k.confrelid
        join pg_attribute fk on fk.attrelid = k.conrelid and fk.attnum = k.conkey[1]
        join pg_attribute pk on pk.attrelid = k.confrelid and pk.attnum = k.confkey[1]
        where k.contype = 'f' and cardinality(k.conkey) = 1 and child.relnamespace = to_regnamespace(current_schema())
        order by 1, 2""").query((rs, n) -> List.of(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)))
        .list().forEach(references::add);
    // References that have no foreign key on purpose: the campaign ledger's (V52: its keys cost a check per row of a
    // million-row start), still rows of the campaign's organization
    references.add(List.of("campaign_recipient", "campaign_id", "campaign", "id"));
    for (List<String> r : references) {
      if (owning.contains(r.get(0)) || !owning.contains(r.get(2))) continue;
      queries.put(r.get(0) + " by " + r.get(1), fingerprint + r.get(0) + " t where t." + r.get(1) + " in (select " + r.get(3) + " from "
          + r.get(2) + " where organization_id = :org)");
    }
  }

  /** Table (or "table by foreign key") to "n rows, digest". */
  Map<String, String> of(long organizationId) {
    // One statement for all tables: the walk asks after every request.
    String sql = String.join(" union all ", queries.entrySet().stream()
        .map(q -> "select '" + q.getKey() + "', (" + q.getValue() + ")").toList());
    Map<String, String> rows = new LinkedHashMap<>();
    jdbc.sql(sql).param("org", organizationId).query((rs, n) -> rows.put(rs.getString(1), rs.getString(2))).list();
    return rows;
  }

  /** The tables whose rows of the organization are not as {@code before}, with their fingerprint now. */
  Map<String, String> changedSince(Map<String, String> before, long organizationId) {
    Map<String, String> changed = new LinkedHashMap<>(of(organizationId));
    changed.entrySet().removeIf(e -> e.getValue().equals(before.get(e.getKey())));
    return changed;
  }

  /** The tables read, to show that the fingerprint covers what it should. */
  List<String> tables() {
    return List.copyOf(queries.keySet());
  }
}
