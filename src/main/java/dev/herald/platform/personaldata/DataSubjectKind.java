package dev.herald.platform.personaldata;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/** Whose personal data a table holds. */
public enum DataSubjectKind implements TextEnum {
  /** A person in an organization's audience (or mailed by it): subscribers, recipients, people who clicked. */
  SUBSCRIBER("subscriber"),
  /** A user of the panel who is a member of an organization. */
  MEMBER("member"),
  /** A user who runs the installation. */
  OPERATOR("operator"),
  /** Someone who reached a public page without being known (hosted forms, self-service requests). */
  VISITOR("visitor");

  private final String text;

  DataSubjectKind(String text) {
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
