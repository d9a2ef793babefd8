package dev.herald.audiences;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;
import java.util.Locale;

/**
 * Where an import job is, stored as its lower-case text in {@code import_job.status} (the only place the
 * two are mapped). Queued, running, finished and failed are the lifecycle of platform's {@code Leases},
 * which moves a job between them; a draft is the imports' own (uploaded, mapping not confirmed) and is
 * never claimed.
 */
enum ImportStatus implements TextEnum {
  DRAFT, QUEUED, RUNNING, FINISHED, FAILED;

  /** As stored and as the API and the panel show it: {@code running}. */
  @JsonValue
  @Override
  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return text();
  }

  /** Waiting for a worker or being worked on: the panel keeps polling its progress. */
  public boolean inProgress() {
    return this == QUEUED || this == RUNNING;
  }
}
