package dev.herald.reports;

import dev.herald.platform.TextEnum;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.ObjectMapper;

/**
 * The stored snapshots of large campaigns' reports ({@code campaign_report_snapshot}, V91 says why): what a read
 * finds, and the refresh a read asks for. The worker ({@link CampaignReportWorker}) computes and stores them.
 */
@Component
class CampaignReportSnapshots {
  /** A snapshot's {@code read_at} is written at most this often: it only says which snapshots nobody reads any more. */
  static final Duration READ_MARK = Duration.ofHours(1);

  private final JdbcClient jdbc;
  private final ObjectMapper json;

  CampaignReportSnapshots(JdbcClient jdbc, ObjectMapper json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  /** One campaign's snapshot row: its report once computed (null before), and where its refresh is. */
  record Stored(long id, SnapshotStatus status, CampaignReport report, String failure, Instant readAt) {
    boolean olderThan(Instant limit) {
      return report == null || report.generatedAt().isBefore(limit);
    }
  }

  Optional<Stored> find(long campaignId) {
    return jdbc.sql("select id, status, figures::text, failure, read_at from campaign_report_snapshot where campaign_id = ?")
        .param(campaignId)
        .query((rs, i) -> new Stored(rs.getLong(1), TextEnum.fromText(SnapshotStatus.class, rs.getString(2)),
            rs.getString(3) == null ? null : json.readValue(rs.getString(3), CampaignReport.class), rs.getString(4),
            rs.getTimestamp(5).toInstant()))
        .optional();
  }

  /**
   * The campaign's snapshot as a read finds it; a first read creates its row (queued), and a read of one older than
   * {@code staleBefore} that is not being refreshed queues it again.
   */
  Optional<Stored> read(long organizationId, long campaignId, Instant now, Instant staleBefore) {
    Optional<Stored> found = find(campaignId);
    if (found.isEmpty()) {
      jdbc.sql("""
          insert into campaign_report_snapshot (organization_id, campaign_id, read_at) values (?, ?, ?)
          on conflict (campaign_id) do nothing""").params(organizationId, campaignId, Timestamp.from(now)).update();
      return find(campaignId);
    }
    Stored s = found.get();
    boolean idle = s.status() == SnapshotStatus.FINISHED || s.status() == SnapshotStatus.FAILED;
    if (idle && s.olderThan(staleBefore)) {
      // status names the one read: of two reads at once, one queues it
      jdbc.sql("update campaign_report_snapshot set status = 'queued', read_at = ? where id = ? and status = ?")
          .params(Timestamp.from(now), s.id(), s.status().text()).update();
      return find(campaignId);
    }
    if (s.readAt().isBefore(now.minus(READ_MARK))) {
      jdbc.sql("update campaign_report_snapshot set read_at = ? where id = ?").params(Timestamp.from(now), s.id()).update();
    }
    return found;
  }

  /** The snapshot row a lease names: which campaign of which organization to compute. */
  record Job(long organizationId, long campaignId) {}

  Optional<Job> job(long id) {
    return jdbc.sql("select organization_id, campaign_id from campaign_report_snapshot where id = ?").param(id)
        .query((rs, i) -> new Job(rs.getLong(1), rs.getLong(2))).optional();
  }

  /** Stores a computed report; called in the transaction of the lease's finish, so only its holder stores it. */
  void store(long id, CampaignReport report, Duration took) {
    jdbc.sql("update campaign_report_snapshot set figures = cast(? as jsonb), as_of = ?, took_ms = ?, failure = null where id = ?")
        .params(json.writeValueAsString(report), Timestamp.from(report.generatedAt()), took.toMillis(), id).update();
  }

  /** Deletes the snapshot row a lease names (its campaign is gone), fenced by the lease's attempt. */
  void delete(long id, long attempt) {
    jdbc.sql("delete from campaign_report_snapshot where id = ? and lease_attempt = ?").params(id, attempt).update();
  }

  /** Deletes the snapshots nobody read since {@code before} and not being refreshed; answers how many. */
  int forget(Instant before) {
    return jdbc.sql("delete from campaign_report_snapshot where read_at < ? and status <> 'running'").param(Timestamp.from(before)).update();
  }
}
