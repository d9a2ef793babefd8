package dev.herald.feedback;

import java.util.Locale;
import java.util.Optional;

/** An abuse report's machine-readable part (RFC 5965 §3.1; RFC 6591 for auth-failure reports). */
record Arf(String feedbackType, FeedbackVerdict verdict, Optional<String> messageId) {

  /** The report in {@code fields} (the message/feedback-report part's text), or null if it has no Feedback-Type. */
  static Arf read(String fields, Headers returned) {
    Headers report = Headers.parse(fields.stripLeading());
    String type = report.first("feedback-type").strip().toLowerCase(Locale.ROOT);
    if (type.isEmpty()) return null;
    String recipient = null;
    for (String name : new String[] {"original-rcpt-to", "removal-recipient"}) {
      recipient = address(report.first(name));
      if (recipient != null) break;
    }
    if (recipient == null) recipient = address(returned.first("to"));
    FeedbackClass feedbackClass = switch (type) {
      case "opt-out", "opt-out-list" -> FeedbackClass.UNSUBSCRIBE;
      case "auth-failure", "dkim", "dmarc", "spf" -> FeedbackClass.AUTH_REPORT;
      case "not-spam" -> FeedbackClass.UNKNOWN;
      default -> FeedbackClass.COMPLAINT; // abuse, fraud, virus, other and anything newer
    };
    String diagnostic = "feedback-type: " + type;
    String source = report.first("source-ip");
    FeedbackVerdict verdict = new FeedbackVerdict(recipient, feedbackClass, FeedbackReason.FEEDBACK, "", "", diagnostic, source);
    return new Arf(type, verdict, FeedbackParser.messageId(report));
  }

  /** The address in a field, unless the reporter redacted it. */
  private static String address(String value) {
    String address = FeedbackParser.firstAddress(value);
    if (address == null) return null;
    String local = address.substring(0, address.indexOf('@')).toLowerCase(Locale.ROOT);
    return local.equals("redacted") || local.chars().allMatch(c -> c == 'x' || c == '*') ? null : address;
  }
}
