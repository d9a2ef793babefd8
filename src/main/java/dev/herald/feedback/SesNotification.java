package dev.herald.feedback;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Amazon SES's own notifications (Bounce, Complaint, Delivery), as JSON in the body of a mail from SNS: the format
 * a sender whose mail went out through SES receives instead of a DSN. Only the documented fields are read.
 */
final class SesNotification {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SesNotification() {}

  /** The verdicts of the notification in {@code text}, or null when the text holds none. */
  static Read read(String text) {
    int start = text.indexOf("{\"notificationType\"");
    if (start < 0) return null;
    int end = text.lastIndexOf('}');
    if (end <= start) return null;
    JsonNode root;
    try {
      root = JSON.readTree(text.substring(start, end + 1));
    } catch (RuntimeException e) {
      return complaintOfDamagedJson(text.substring(start));
    }
    String type = root.path("notificationType").asString("");
    List<FeedbackVerdict> verdicts = new ArrayList<>();
    String messageId = root.path("mail").path("messageId").asString("");
    switch (type) {
      case "Bounce" -> {
        boolean permanent = root.path("bounce").path("bounceType").asString("").equals("Permanent");
        for (JsonNode r : root.path("bounce").path("bouncedRecipients")) {
          String diagnostic = r.path("diagnosticCode").asString("");
          FeedbackVerdict v = ReplyClassifier.classify(Dsn.replyCode(diagnostic), r.path("status").asString(""), diagnostic);
          if (!permanent && v.feedbackClass() == FeedbackClass.HARD) {
            v = new FeedbackVerdict(null, FeedbackClass.SOFT, v.reason(), v.status(), v.replyCode(), v.diagnostic(), "");
          }
          if (root.path("bounce").path("bounceSubType").asString("").equals("Suppressed")) {
            v = new FeedbackVerdict(null, FeedbackClass.HARD, FeedbackReason.SUPPRESSED, v.status(), v.replyCode(), v.diagnostic(), "");
          }
          verdicts.add(v.forRecipient(r.path("emailAddress").asString(null), r.path("remoteMtaIp").asString("")));
        }
      }
      case "Complaint" -> {
        String feedbackType = root.path("complaint").path("complaintFeedbackType").asString("abuse").toLowerCase(Locale.ROOT);
        FeedbackClass c = feedbackType.equals("not-spam") ? FeedbackClass.UNKNOWN : FeedbackClass.COMPLAINT;
        for (JsonNode r : root.path("complaint").path("complainedRecipients")) {
          verdicts.add(new FeedbackVerdict(r.path("emailAddress").asString(null), c, FeedbackReason.FEEDBACK, "", "",
              "feedback-type: " + feedbackType, ""));
        }
        return new Read(ParsedFeedback.Kind.ARF, verdicts, messageId, feedbackType);
      }
      case "Delivery" -> {
        String smtp = root.path("delivery").path("smtpResponse").asString("");
        for (JsonNode r : root.path("delivery").path("recipients")) {
          verdicts.add(new FeedbackVerdict(r.asString(null), FeedbackClass.DELIVERED, FeedbackReason.DELIVERED,
              ReplyClassifier.enhanced(smtp), "", smtp, root.path("delivery").path("remoteMtaIp").asString("")));
        }
      }
      default -> {
        return null;
      }
    }
    return new Read(ParsedFeedback.Kind.DSN, verdicts, messageId, null);
  }

  private static final java.util.regex.Pattern COMPLAINED =
      java.util.regex.Pattern.compile("\"complainedRecipients\":\\[\\{\"emailAddress\":\"([^\"]{1,320})\"");

  /** A complaint whose JSON was cut or damaged on the way (mail gateways wrap and truncate long lines): its first recipient. */
  private static Read complaintOfDamagedJson(String text) {
    if (!text.startsWith("{\"notificationType\":\"Complaint\"")) return null;
    java.util.regex.Matcher m = COMPLAINED.matcher(text.length() > 4096 ? text.substring(0, 4096) : text);
    if (!m.find()) return null;
    return new Read(ParsedFeedback.Kind.ARF, List.of(new FeedbackVerdict(m.group(1), FeedbackClass.COMPLAINT, FeedbackReason.FEEDBACK,
        "", "", "feedback-type: abuse", "")), "", "abuse");
  }

  record Read(ParsedFeedback.Kind kind, List<FeedbackVerdict> verdicts, String messageId, String feedbackType) {}
}
