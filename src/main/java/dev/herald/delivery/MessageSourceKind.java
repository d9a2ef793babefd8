package dev.herald.delivery;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/**
 * Who gives the bytes of a queued message ({@link MessageSource}); stored in outbound_message.source. Campaigns
 * and the relay will add theirs.
 */
public enum MessageSourceKind implements TextEnum {
  /** The native send API: the built message is stored once in outbound_message.content. */
  API("api");

  private final String text;

  MessageSourceKind(String text) {
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
