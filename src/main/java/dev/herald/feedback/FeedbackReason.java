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
  USER_UNKNOWN("userunknown", FeedbackClass.HARD, "Unknown user"),
  HOST_UNKNOWN("hostunknown", FeedbackClass.HARD, "Unknown domain"),
  HAS_MOVED("hasmoved", FeedbackClass.HARD, "Address has moved"),
  NOT_ACCEPT("notaccept", FeedbackClass.HARD, "Domain accepts no mail"),
  /** A provider refused to try because the address is on its own suppression list (Amazon SES and the like). */
  SUPPRESSED("suppressed", FeedbackClass.HARD, "On the provider's suppression list"),
  // The recipient's mailbox or server, for now.
  MAILBOX_FULL("mailboxfull", FeedbackClass.SOFT, "Mailbox full"),
  SUSPEND("suspend", FeedbackClass.SOFT, "Mailbox suspended"),
  FILTERED("filtered", FeedbackClass.SOFT, "Filtered by the recipient"),
  EXPIRED("expired", FeedbackClass.SOFT, "Gave up retrying"),
  NETWORK_ERROR("networkerror", FeedbackClass.SOFT, "Network error"),
  SYSTEM_ERROR("systemerror", FeedbackClass.SOFT, "Receiving server error"),
  SYSTEM_FULL("systemfull", FeedbackClass.SOFT, "Receiving server full"),
  MAILER_ERROR("mailererror", FeedbackClass.SOFT, "Mail program error"),
  MESSAGE_TOO_BIG("mesgtoobig", FeedbackClass.SOFT, "Message too big"),
  EXCEED_LIMIT("exceedlimit", FeedbackClass.SOFT, "Over the mailbox's size limit"),
  NO_RELAYING("norelaying", FeedbackClass.SOFT, "Relaying refused"),
  FAILED_STARTTLS("failedstarttls", FeedbackClass.SOFT, "TLS failed"),
  SYNTAX_ERROR("syntaxerror", FeedbackClass.SOFT, "SMTP syntax error"),
  ON_HOLD("onhold", FeedbackClass.SOFT, "On hold"),
  // The sender: its reputation, authentication, rate or message. Never the recipient's fault.
  BLOCKED("blocked", FeedbackClass.BLOCK, "Sender blocked"),
  REJECTED("rejected", FeedbackClass.BLOCK, "Sender rejected"),
  SPAM_DETECTED("spamdetected", FeedbackClass.BLOCK, "Taken for spam"),
  POLICY_VIOLATION("policyviolation", FeedbackClass.BLOCK, "Policy violation"),
  AUTH_FAILURE("authfailure", FeedbackClass.BLOCK, "Authentication failed (SPF, DKIM, DMARC)"),
  REQUIRE_PTR("requireptr", FeedbackClass.BLOCK, "Sending IP lacks reverse DNS"),
  BAD_REPUTATION("badreputation", FeedbackClass.BLOCK, "Poor sender reputation"),
  SECURITY_ERROR("securityerror", FeedbackClass.BLOCK, "Security error"),
  NOT_COMPLIANT_RFC("notcompliantrfc", FeedbackClass.BLOCK, "Message not standards-compliant"),
  CONTENT_ERROR("contenterror", FeedbackClass.BLOCK, "Content refused"),
  VIRUS_DETECTED("virusdetected", FeedbackClass.BLOCK, "Virus detected"),
  SPEEDING("speeding", FeedbackClass.BLOCK, "Sending too fast"),
  TOO_MANY_CONN("toomanyconn", FeedbackClass.BLOCK, "Too many connections"),
  // Not bounces.
  FEEDBACK("feedback", FeedbackClass.COMPLAINT, "Complaint"),
  VACATION("vacation", FeedbackClass.AUTO_REPLY, "Auto-reply"),
  DELIVERED("delivered", FeedbackClass.DELIVERED, "Delivered"),
  UNDEFINED("undefined", FeedbackClass.UNKNOWN, "Unclassified");

  private final String text;
  private final FeedbackClass usualClass;
  private final String words;

  FeedbackReason(String text, FeedbackClass usualClass, String words) {
    this.text = text;
    this.usualClass = usualClass;
    this.words = words;
  }

  /** The reason in words, for pages; {@link #text()} stays Sisimai's name, as the API and CSV files carry it. */
  public String words() {
    return words;
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
