package dev.herald.suppression;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/**
 * What a person asked an organization to stop ({@code suppression_restriction.kind}): all processing but keeping their
 * data (GDPR art. 18), or direct marketing (art. 21(2)).
 */
public enum RestrictionKind implements TextEnum {
  /**
   * Restriction of processing: their data is kept, but nothing is sent to them by any path (campaigns, the send API,
   * system mail about lists) and they are left out of segments and exports.
   */
  RESTRICTION("restriction"),
  /** Objection to direct marketing: no campaign mail; mail they asked for (a confirmation, the send API's) still goes. */
  OBJECTION("objection");

  private final String text;

  RestrictionKind(String text) {
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

  /** Whether this keeps mail that is not marketing (the send API's, confirmations) from the person too. */
  public boolean stopsAllMail() {
    return this == RESTRICTION;
  }
}
