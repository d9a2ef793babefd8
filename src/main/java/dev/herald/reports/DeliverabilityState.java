package dev.herald.reports;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/** How one line of the deliverability panel stands against the mailbox providers' bulk-sender rules. */
public enum DeliverabilityState implements TextEnum {
  /** Meets the rule. */
  OK("ok"),
  /** Meets it for now, or Herald cannot tell yet (not checked); worth a look. */
  WARN("warn"),
  /** Does not meet it: Gmail, Yahoo or Microsoft may defer, junk or refuse the mail. */
  FAIL("fail");

  private final String text;

  DeliverabilityState(String text) {
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

  /** The badge's class in the panel. */
  public String badge() {
    return switch (this) {
      case OK -> "badge-success";
      case WARN -> "badge-warning";
      case FAIL -> "badge-danger";
    };
  }

  public String words() {
    return switch (this) {
      case OK -> "OK";
      case WARN -> "Warning";
      case FAIL -> "Fails";
    };
  }
}
