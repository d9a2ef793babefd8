package dev.herald.audiences;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/** Who may sign up to a list: {@code mailing_list.visibility}. */
public enum ListVisibility implements TextEnum {
  /** Anyone, with the hosted form or a form on the organization's website. */
  PUBLIC("public"),
  /** Only the organization's members, imports and the API add subscribers. */
  PRIVATE("private");

  private final String text;

  ListVisibility(String text) {
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

  /** As the panel shows it: "Public" for {@code public}. */
  public String words() {
    return switch (this) {
      case PUBLIC -> "Public";
      case PRIVATE -> "Private";
    };
  }
}
