package dev.herald.privacy;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;
import java.util.Locale;

/**
 * Where a retention run is, stored as its text in {@code retention_run.status}: the lifecycle platform's {@code Leases}
 * moves a job through.
 */
public enum RetentionRunStatus implements TextEnum {
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
