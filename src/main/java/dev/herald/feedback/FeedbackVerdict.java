package dev.herald.feedback;

import java.util.Objects;

/**
 * One recipient's feedback: its class and reason and the evidence they were read from.
 *
 * @param recipient the address the feedback is about (Final-Recipient, the ARF's original recipient), or null when
 *     the report does not name it (a synchronous reply, a redacted complaint)
 * @param status the enhanced status code ("5.1.1"), or ""
 * @param replyCode the SMTP reply code ("550"), or ""
 * @param diagnostic the remote server's words (Diagnostic-Code or the reply's text), or ""
 * @param remoteMta the host that gave them (Remote-MTA), or ""
 */
public record FeedbackVerdict(String recipient, FeedbackClass feedbackClass, FeedbackReason reason, String status,
    String replyCode, String diagnostic, String remoteMta) {
  public FeedbackVerdict {
    Objects.requireNonNull(feedbackClass, "feedbackClass");
    Objects.requireNonNull(reason, "reason");
    status = status == null ? "" : status;
    replyCode = replyCode == null ? "" : replyCode;
    diagnostic = diagnostic == null ? "" : diagnostic;
    remoteMta = remoteMta == null ? "" : remoteMta;
  }

  /** The same verdict about {@code address}. */
  FeedbackVerdict forRecipient(String address, String remote) {
    return new FeedbackVerdict(address, feedbackClass, reason, status, replyCode, diagnostic, remote);
  }
}
