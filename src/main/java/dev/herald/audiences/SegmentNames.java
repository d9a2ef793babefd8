package dev.herald.audiences;

import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** The organization's saved segments by name, for the pages of other capabilities that let a member choose one. */
@Component
public class SegmentNames {
  private final JdbcClient jdbc;

  SegmentNames(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  public record Named(long id, String name) {}

  /** By name. */
  public List<Named> names(long orgId) {
    return jdbc.sql("select id, name from segment where organization_id = ? order by lower(name), id").param(orgId)
        .query((rs, n) -> new Named(rs.getLong(1), rs.getString(2))).list();
  }

  /** One segment's name, for a message that names it; empty when the organization has no such segment. */
  public Optional<String> name(long orgId, long id) {
    return jdbc.sql("select name from segment where organization_id = ? and id = ?").params(orgId, id).query(String.class).optional();
  }
}
