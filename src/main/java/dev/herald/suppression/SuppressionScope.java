package dev.herald.suppression;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/** Whose list an entry is on: the organization's own, or the installation's (the operator's, for every organization). */
public enum SuppressionScope implements TextEnum {
  ORGANIZATION("organization"),
  INSTALLATION("installation");

  private final String text;

  SuppressionScope(String text) {
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
