package dev.herald.content;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/** What a template is for: {@code template.kind}, in the API and on pages by its text. */
public enum TemplateKind implements TextEnum {
  /** A layout that wraps a campaign's body: it must write {@code {{ content }}} where the body goes. */
  CAMPAIGN("campaign"),
  /** A part other templates include by its name: {@code {% include 'footer' %}}. */
  SNIPPET("snippet");

  private final String text;

  TemplateKind(String text) {
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

  /** As the panel shows it. */
  public String words() {
    return switch (this) {
      case CAMPAIGN -> "Campaign template";
      case SNIPPET -> "Snippet";
    };
  }
}
