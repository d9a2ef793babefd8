package dev.herald.reports;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;
import java.util.Locale;

/**
 * Where a campaign report's snapshot is, stored as its text in {@code campaign_report_snapshot.status}: the lifecycle
 * platform's {@code Leases} moves a refresh through; a read of a stale finished or failed one queues it again.
 */
enum SnapshotStatus implements TextEnum {
  QUEUED, RUNNING, FINISHED, FAILED;

  @JsonValue
  @Override
  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return text();
  }
}
