package dev.herald.delivery;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.Map;

/**
 * A message for the send API. Addresses are plain ({@code ann@example.com}, no display name: the sender's name is
 * {@code fromName}). Bcc recipients get the message but are in no header.
 */
@Schema(description = "A message to send. At least one recipient (to, cc or bcc; with bcc only, To shows undisclosed-recipients:;); text, html or both.")
record SendRequest(
    @Schema(description = "The sender: an address on a verified sending domain of the organization", example = "news@mail.example.com") String from,
    @Schema(description = "The sender's display name", example = "Example News") String fromName,
    @Schema(description = "Recipients shown in To") List<String> to,
    @Schema(description = "Recipients shown in Cc") List<String> cc,
    @Schema(description = "Recipients in no header") List<String> bcc,
    @Schema(description = "The Reply-To address") String replyTo,
    String subject,
    String html,
    String text,
    @Schema(description = "Headers of your own (X-...); one line each, not one Herald writes") Map<String, String> headers,
    List<Attachment> attachments,
    @Schema(description = "Up to 10 labels to find the message by") List<String> tags,
    @Schema(description = "Your own data kept with the message (a JSON object, at most 10,000 characters)") Map<String, Object> metadata,
    @Schema(description = "Count opens: an invisible image at the end of the HTML (default false)") Boolean trackOpens,
    @Schema(description = "Count clicks: the HTML's http(s) links go through the tracking host, except mailto: and links marked "
        + "data-herald-track=\"off\"; the text part's links stay as written (default false)") Boolean trackClicks) {

  /** A message without tracking. */
  SendRequest(String from, String fromName, List<String> to, List<String> cc, List<String> bcc, String replyTo, String subject,
      String html, String text, Map<String, String> headers, List<Attachment> attachments, List<String> tags, Map<String, Object> metadata) {
    this(from, fromName, to, cc, bcc, replyTo, subject, html, text, headers, attachments, tags, metadata, null, null);
  }

  /** A file: its content in base64. */
  record Attachment(String filename, @Schema(example = "application/pdf") String contentType,
      @Schema(description = "The file in base64") String content) {}
}
