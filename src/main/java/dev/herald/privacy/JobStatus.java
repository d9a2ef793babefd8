package dev.herald.privacy;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;
import java.util.Locale;

/**
 * Where an account export or purge is, stored as its lower-case text in {@code organization_export.status} and
 * {@code organization_purge.status}: the lifecycle of platform's {@code Leases}, which moves a job between them.
 */
public enum JobStatus implements TextEnum {
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

  /** Waiting for a worker or being worked on: the page keeps polling its progress. */
  public boolean inProgress() {
    return this == QUEUED || this == RUNNING;
  }
}
