package dev.herald.audiences;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/** Through what a subscription came: {@code consent_record.channel} and {@code subscription.source}. */
public enum ConsentChannel implements TextEnum {
  /** The person themselves: a hosted or embedded form, the preference centre. */
  FORM("form"),
  IMPORT("import"),
  API("api"),
  /** A member of the organization, in the panel. */
  PANEL("panel");

  private final String text;

  ConsentChannel(String text) {
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

  public static ConsentChannel fromText(String text) {
    return TextEnum.fromText(ConsentChannel.class, text);
  }
}
