package dev.herald.tracking;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/**
 * Why an open or click is counted as a machine's, not a person's: tracking_event.machine_reason. How each is recognized is
 * in {@link MachineDetector}.
 */
public enum MachineReason implements TextEnum {
  /** Apple Mail Privacy Protection fetched the images when the mail arrived, whether anyone read it or not. */
  APPLE_PRIVACY("apple_privacy"),
  /** A mailbox provider's image proxy (Gmail, Yahoo, ...) fetched the pixel. */
  IMAGE_PROXY("image_proxy"),
  /** A link followed within seconds of delivery: a security scanner checking it before anyone could read the mail. */
  SCANNER_EARLY("scanner_early"),
  /** Every link of the message followed at once: a scanner walking the mail. */
  SCANNER_ALL_LINKS("scanner_all_links"),
  /** A user agent that says it is a bot, crawler or link checker. */
  AUTOMATED_AGENT("automated_agent");

  private final String text;

  MachineReason(String text) {
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
