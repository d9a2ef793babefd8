package dev.herald.tenancy;

import dev.herald.platform.Refused;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Versions of the terms of service and privacy policy. Each user's acceptance is kept (version, time,
 * address); when the operator publishes a new version, everyone is asked again before going on.
 */
@Service
class Policies {
  private final JdbcClient jdbc;
  private final AuditLog audit;

  Policies(JdbcClient jdbc, AuditLog audit) {
    this.jdbc = jdbc;
    this.audit = audit;
  }

  record Version(String version, String summary, String url, Instant publishedAt) {}

  record Acceptance(String version, Instant acceptedAt, String ip) {}

  Optional<Version> current() {
    return jdbc.sql("select version, summary, url, published_at from policy_version order by published_at desc, version desc limit 1")
        .query(Version.class).optional();
  }

  List<Version> all() {
    return jdbc.sql("select version, summary, url, published_at from policy_version order by published_at desc").query(Version.class).list();
  }

  boolean acceptedCurrent(long userId) {
    return jdbc.sql("""
        select not exists (select 1 from policy_version v where v.published_at = (select max(published_at) from policy_version)
          and not exists (select 1 from policy_acceptance a where a.user_id = ? and a.version = v.version))""")
        .param(userId).query(Boolean.class).single();
  }

  void accept(long userId, String ip) {
    current().ifPresent(v -> jdbc.sql("""
        insert into policy_acceptance (user_id, version, ip) values (?, ?, ?) on conflict do nothing""")
        .params(userId, v.version(), ip == null ? "unknown" : ip).update());
  }

  List<Acceptance> acceptancesOf(long userId) {
    return jdbc.sql("select version, accepted_at, ip from policy_acceptance where user_id = ? order by accepted_at desc")
        .param(userId).query(Acceptance.class).list();
  }

  @Transactional
  void publish(String version, String summary, String url) {
    String v = version == null ? "" : version.trim();
    if (v.isEmpty() || v.length() > 40) throw Refused.invalid("version", "Name the version (1 to 40 characters), e.g. 2026-11.");
    if (summary == null || summary.isBlank()) throw Refused.invalid("summary", "Summarize what changed.");
    if (url != null && !url.isBlank() && !url.matches("https?://\\S+")) throw Refused.invalid("url", "Enter an http(s) address or leave it empty.");
    if (jdbc.sql("select exists(select 1 from policy_version where version = ?)").param(v).query(Boolean.class).single()) {
      throw Refused.conflict("version", "Version " + v + " exists already.");
    }
    jdbc.sql("insert into policy_version (version, summary, url, published_at) values (?, ?, ?, clock_timestamp())")
        .params(v, summary.trim(), url == null || url.isBlank() ? null : url.trim()).update();
    audit.record(null, "policy.published", "policy_version", v, summary.trim());
  }
}
