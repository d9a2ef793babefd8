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

  public static ListVisibility fromText(String text) {
    return TextEnum.fromText(ListVisibility.class, text);
  }

  /** A client's visibility named {@code field}; null when blank. */
  public static ListVisibility parse(String field, String text) {
    return TextEnum.parse(ListVisibility.class, field, text);
  }

  /** As the panel shows it: "Public" for {@code public}. */
  public String words() {
    return switch (this) {
      case PUBLIC -> "Public";
      case PRIVATE -> "Private";
    };
  }
}
