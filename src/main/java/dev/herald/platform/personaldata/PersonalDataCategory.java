package dev.herald.platform.personaldata;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/** The category of a personal column, as a record of processing activities names it. */
public enum PersonalDataCategory implements TextEnum {
  CONTACT("contact"),
  PROFILE("profile"),
  CONSENT_EVIDENCE("consent evidence"),
  MESSAGE_CONTENT("message content"),
  HEADERS("headers"),
  DELIVERY_LOG("delivery log"),
  TRACKING_EVENT("tracking event"),
  IP_ADDRESS("IP address"),
  RAW_BOUNCE("raw bounce"),
  AUDIT("audit"),
  SIGN_IN_HISTORY("sign-in history"),
  CREDENTIALS("credentials"),
  REQUEST_LOG("request log");

  private final String text;

  PersonalDataCategory(String text) {
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
