package dev.herald.platform.personaldata;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;
import java.time.Period;

/**
 * How long a kind of personal data is kept. The retention engine (privacy) purges each category past the
 * schedule the operator set (these defaults unless changed, shortened per organization); {@link #ACCOUNT_LIFETIME}
 * has no schedule: it lives until the person is erased or the organization's closed account is purged.
 */
public enum RetentionCategory implements TextEnum {
  DELIVERY_LOG_DETAILS("delivery log details", Period.ofDays(30)),
  MESSAGE_HEADERS("message headers", Period.ofDays(35)),
  RAW_FEEDBACK("raw bounce and complaint messages", Period.ofDays(35)),
  TRACKING_IP_ADDRESSES("tracking IP addresses", Period.ofDays(30)),
  AUDIT_LOG("audit log", Period.ofYears(1)),
  SIGN_IN_HISTORY("sign-in history", Period.ofYears(1)),
  HOSTED_PAGE_REQUESTS("hosted-page request logs", Period.ofMonths(1)),
  CLOSED_ACCOUNTS("closed accounts", Period.ofDays(30)),
  ACCOUNT_LIFETIME("account lifetime", null);

  private final String text;
  private final Period defaultPeriod;

  RetentionCategory(String text, Period defaultPeriod) {
    this.text = text;
    this.defaultPeriod = defaultPeriod;
  }

  @JsonValue
  @Override
  public String text() {
    return text;
  }

  /** The schedule when the operator set none; null for {@link #ACCOUNT_LIFETIME}. */
  public Period defaultPeriod() {
    return defaultPeriod;
  }

  @Override
  public String toString() {
    return text;
  }
}
