package dev.herald.campaigns;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/** Where one person of a campaign's ledger is: {@code campaign_recipient.state}. */
public enum LedgerState implements TextEnum {
  /** Fixed at the start; not handed to the queue yet. */
  PENDING("pending"),
  /** The outbound queue holds their message (marked in the same transaction that put it there). */
  HANDED_OFF("handed_off"),
  /** Not handed off: they unsubscribed or were suppressed after the start (the reason is kept). */
  SKIPPED("skipped");

  private final String text;

  LedgerState(String text) {
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
