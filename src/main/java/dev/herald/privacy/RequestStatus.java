package dev.herald.privacy;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/** Where a data-subject request stands: {@code privacy_request.status}. Completed and rejected are final. */
public enum RequestStatus implements TextEnum {
  RECEIVED("received"),
  IN_PROGRESS("in_progress"),
  COMPLETED("completed"),
  REJECTED("rejected");

  private final String text;

  RequestStatus(String text) {
    this.text = text;
  }

  @JsonValue
  @Override
  public String text() {
    return text;
  }

  @Override
  public String toString() {
    return text;
  }

  /** Still to be answered: the due date applies. */
  public boolean open() {
    return this == RECEIVED || this == IN_PROGRESS;
  }
}
