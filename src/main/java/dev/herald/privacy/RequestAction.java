package dev.herald.privacy;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/** One step in a request's history: {@code privacy_request_step.action}. */
public enum RequestAction implements TextEnum {
  RECEIVED("received"),
  VERIFIED("verified"),
  STARTED("started"),
  EXTENDED("extended"),
  COMPLETED("completed"),
  REJECTED("rejected"),
  RECTIFIED("rectified"),
  RESTRICTED("restricted"),
  LIFTED("lifted"),
  ARCHIVE_MAILED("archive_mailed"),
  ARCHIVE_DOWNLOADED("archive_downloaded"),
  NOTE("note");

  private final String text;

  RequestAction(String text) {
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
}
