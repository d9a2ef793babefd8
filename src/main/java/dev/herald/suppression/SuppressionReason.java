package dev.herald.suppression;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;
import java.util.List;

/** Why an entry suppresses: {@code suppression.reason}, in the API, the CSV and on pages by its text. */
public enum SuppressionReason implements TextEnum {
  /** A member's or the operator's decision. */
  MANUAL("manual"),
  HARD_BOUNCE("hard_bounce"),
  COMPLAINT("complaint"),
  /** The person unsubscribed: their own choice, which their later confirmed consent may lift. */
  UNSUBSCRIBE("unsubscribe"),
  /** The person was erased: only the hash of the address is kept. Made only by an erasure, never given by a caller. */
  ERASED("erased");

  /** The reasons a person or a caller may give. */
  public static final List<SuppressionReason> GIVEN = List.of(MANUAL, HARD_BOUNCE, COMPLAINT, UNSUBSCRIBE);

  private final String text;

  SuppressionReason(String text) {
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

  /** The person's own withdrawal (unsubscribe, erasure), which their new confirmed consent may lift. */
  public boolean byThePerson() {
    return this == UNSUBSCRIBE || this == ERASED;
  }

  /** As the panel shows it: "Hard bounce" for {@code hard_bounce}. */
  public String words() {
    return switch (this) {
      case MANUAL -> "Added by hand";
      case HARD_BOUNCE -> "Hard bounce";
      case COMPLAINT -> "Spam complaint";
      case UNSUBSCRIBE -> "Unsubscribed";
      case ERASED -> "Erased";
    };
  }
}
