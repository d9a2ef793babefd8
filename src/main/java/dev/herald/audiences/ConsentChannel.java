package dev.herald.audiences;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/** Through what a subscription came: {@code consent_record.channel} and {@code subscription.source}. */
public enum ConsentChannel implements TextEnum {
  /** The person themselves: a hosted or embedded form, the preference centre. */
  FORM("form", "Sign-up form"),
  IMPORT("import", "Import"),
  API("api", "API"),
  /** A member of the organization, in the panel. */
  PANEL("panel", "Panel");

  private final String text;
  private final String words;

  ConsentChannel(String text, String words) {
    this.text = text;
    this.words = words;
  }

  /** As the panel shows it: "Sign-up form" for {@code form}. */
  public String words() {
    return words;
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

  /** The words of a stored channel text (a subscriber's source); any other text is shown as it is. */
  public static String wordsOf(String text) {
    return TextEnum.find(ConsentChannel.class, text).map(ConsentChannel::words).orElse(text);
  }
}
