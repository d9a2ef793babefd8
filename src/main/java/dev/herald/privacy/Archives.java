package dev.herald.privacy;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The ZIPs of completed access and portability requests, downloadable from the request's page and the API for
 * {@link #VALIDITY}, then gone: a copy of someone's data should not lie around longer than it takes to hand it over.
 * Expired archives are deleted whenever one is stored or fetched.
 */
@Component
class Archives {
  static final Duration VALIDITY = Duration.ofDays(14);
  private final JdbcClient jdbc;
  private final Clock clock;

  Archives(JdbcClient jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  record Archive(String fileName, byte[] content, Instant createdAt, Instant expiresAt) {}

  /** What the request page shows: the archive's name and expiry, without its bytes. */
  record Available(String fileName, long size, Instant expiresAt) {}

  void store(long organizationId, long requestId, String fileName, byte[] content) {
    deleteExpired();
    Instant now = clock.instant();
    jdbc.sql("""
        insert into privacy_archive (request_id, organization_id, file_name, content, created_at, expires_at)
        values (?, ?, ?, ?, ?, ?)
        on conflict (request_id) do update set file_name = excluded.file_name, content = excluded.content,
          created_at = excluded.created_at, expires_at = excluded.expires_at""")
        .params(requestId, organizationId, fileName, content, Timestamp.from(now), Timestamp.from(now.plus(VALIDITY))).update();
  }

  Optional<Archive> find(long organizationId, long requestId) {
    deleteExpired();
    return jdbc.sql("select file_name, content, created_at, expires_at from privacy_archive where organization_id = ? and request_id = ?")
        .params(organizationId, requestId)
        .query((rs, n) -> new Archive(rs.getString(1), rs.getBytes(2), rs.getTimestamp(3).toInstant(), rs.getTimestamp(4).toInstant()))
        .optional();
  }

  Optional<Available> available(long organizationId, long requestId) {
    return jdbc.sql("""
        select file_name, length(content), expires_at from privacy_archive
        where organization_id = ? and request_id = ? and expires_at > ?""")
        .params(organizationId, requestId, Timestamp.from(clock.instant()))
        .query((rs, n) -> new Available(rs.getString(1), rs.getLong(2), rs.getTimestamp(3).toInstant())).optional();
  }

  int deleteExpired() {
    return jdbc.sql("delete from privacy_archive where expires_at <= ?").param(Timestamp.from(clock.instant())).update();
  }
}
