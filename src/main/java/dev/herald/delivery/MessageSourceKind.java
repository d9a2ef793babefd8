package dev.herald.delivery;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/**
 * Who gives the bytes of a queued message ({@link MessageSource}); stored in outbound_message.source. The relay
 * will add its own.
 */
public enum MessageSourceKind implements TextEnum {
  /** The native send API: the built message is stored once in outbound_message.content. */
  API("api"),
  /** Herald's own mail ({@link SystemMailer}): built once when queued, stored like the API's, no organization. */
  SYSTEM("system"),
  /** A campaign ({@link BulkSends}): no stored content; each recipient's message is rendered when it is sent. */
  CAMPAIGN("campaign"),
  /**
   * A campaign forwarded to a friend ({@link BulkSends#sendOnce}): rendered when it is sent, like a campaign, and its
   * recipient's address erased once the message reached a final state.
   */
  FORWARD("forward");

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
