package dev.herald.feedback;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/**
 * Why a recipient's feedback is what it is: Sisimai's reason names (its v5 set), so that figures compare with
 * what other tools report. Each reason has the class it usually means ({@link #usualClass}); the classifier
 * departs from it only where the reply says more (a temporary "not accepted" is soft, an ARF opt-out is an
 * unsubscribe).
 */
public enum FeedbackReason implements TextEnum {
  // The address is wrong or gone.
  USER_UNKNOWN("userunknown", FeedbackClass.HARD),
  HOST_UNKNOWN("hostunknown", FeedbackClass.HARD),
  HAS_MOVED("hasmoved", FeedbackClass.HARD),
  NOT_ACCEPT("notaccept", FeedbackClass.HARD),
  /** A provider refused to try because the address is on its own suppression list (Amazon SES and the like). */
  SUPPRESSED("suppressed", FeedbackClass.HARD),
  // The recipient's mailbox or server, for now.
  MAILBOX_FULL("mailboxfull", FeedbackClass.SOFT),
  SUSPEND("suspend", FeedbackClass.SOFT),
  FILTERED("filtered", FeedbackClass.SOFT),
  EXPIRED("expired", FeedbackClass.SOFT),
  NETWORK_ERROR("networkerror", FeedbackClass.SOFT),
  SYSTEM_ERROR("systemerror", FeedbackClass.SOFT),
  SYSTEM_FULL("systemfull", FeedbackClass.SOFT),
  MAILER_ERROR("mailererror", FeedbackClass.SOFT),
  MESSAGE_TOO_BIG("mesgtoobig", FeedbackClass.SOFT),
  EXCEED_LIMIT("exceedlimit", FeedbackClass.SOFT),
  NO_RELAYING("norelaying", FeedbackClass.SOFT),
  FAILED_STARTTLS("failedstarttls", FeedbackClass.SOFT),
  SYNTAX_ERROR("syntaxerror", FeedbackClass.SOFT),
  ON_HOLD("onhold", FeedbackClass.SOFT),
  // The sender: its reputation, authentication, rate or message. Never the recipient's fault.
  BLOCKED("blocked", FeedbackClass.BLOCK),
  REJECTED("rejected", FeedbackClass.BLOCK),
  SPAM_DETECTED("spamdetected", FeedbackClass.BLOCK),
  POLICY_VIOLATION("policyviolation", FeedbackClass.BLOCK),
  AUTH_FAILURE("authfailure", FeedbackClass.BLOCK),
  REQUIRE_PTR("requireptr", FeedbackClass.BLOCK),
  BAD_REPUTATION("badreputation", FeedbackClass.BLOCK),
  SECURITY_ERROR("securityerror", FeedbackClass.BLOCK),
  NOT_COMPLIANT_RFC("notcompliantrfc", FeedbackClass.BLOCK),
  CONTENT_ERROR("contenterror", FeedbackClass.BLOCK),
  VIRUS_DETECTED("virusdetected", FeedbackClass.BLOCK),
  SPEEDING("speeding", FeedbackClass.BLOCK),
  TOO_MANY_CONN("toomanyconn", FeedbackClass.BLOCK),
  // Not bounces.
  FEEDBACK("feedback", FeedbackClass.COMPLAINT),
  VACATION("vacation", FeedbackClass.AUTO_REPLY),
  DELIVERED("delivered", FeedbackClass.DELIVERED),
  UNDEFINED("undefined", FeedbackClass.UNKNOWN);

  private final String text;
  private final FeedbackClass usualClass;

  FeedbackReason(String text, FeedbackClass usualClass) {
    this.text = text;
    this.usualClass = usualClass;
  }

  /** The class this reason means when nothing else is known. */
  public FeedbackClass usualClass() {
    return usualClass;
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
