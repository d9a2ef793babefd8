package dev.herald.delivery;

import dev.herald.delivery.smtp.RecipientResult;
import dev.herald.delivery.smtp.SmtpReply;
import java.util.regex.Pattern;

/**
 * What a remote reply means for the queue: the message went, this message must wait, the whole
 * destination must wait, or the message will never go there.
 *
 * <p>The difference between the two waits matters. A mailbox that is full or a greylisting server
 * concerns one message: the rest of the destination's mail goes on at full speed. A provider that
 * says it is limiting Herald ("421", "rate limited", Yahoo's "[TSS04]") will refuse every message
 * for a while, and sending more only lengthens its penalty, so the destination is suspended.
 */
enum ReplyClass {
  /** 2xx: delivered. */
  OK,
  /** 4xx about this message or mailbox: retry it later; the destination goes on. */
  MESSAGE_TEMPORARY,
  /** 4xx saying the destination limits Herald: suspend the destination, retry its messages after. */
  DESTINATION_THROTTLED,
  /** 5xx: bounce at once, keeping the reply (RFC 5321 §4.2.1: the same command will not succeed). */
  PERMANENT;

  /**
   * Enhanced codes (RFC 3463) that speak of the server or of Herald's volume, not of the message:
   * 4.3.2 system not accepting messages, 4.4.5 system congestion, 4.7.28 Gmail's "unusual rate of
   * unsolicited mail", 4.7.650/4.7.651 Outlook's "temporarily rate limited due to IP reputation".
   */
  private static final Pattern THROTTLE_CODE = Pattern.compile("^4\\.(3\\.2|4\\.5|7\\.28|7\\.65[01])$");

  /**
   * Texts of providers' throttling replies. Providers document these (Yahoo's TS01-TS04 and TSS04,
   * Outlook's RP-001..RP-003 and S775xx "server busy", Gmail's "unusual rate"); the rest are the
   * common words of MTAs that limit sessions or volume. A bare "try again later" is not among them:
   * it ends many per-message replies too ("451 4.3.0 ... due to a recipient error. Please try again
   * later."), and the throttles that say it also say 421 or "busy".
   */
  private static final Pattern THROTTLE_TEXT = Pattern.compile(String.join("|",
      "too many (connections|concurrent|simultaneous|sessions|smtp sessions|messages from)",
      "connection (rate )?limit",
      "rate[- ]limit",
      "throttl",
      "unusual rate",
      "server busy",
      "\\bbusy\\b.*\\b(later|retry)\\b",
      "temporarily deferred",
      "permanently deferred",
      "unexpected volume",
      "excessive (volume|traffic)",
      "\\bRP-00[1-3]\\b",
      "\\(S775\\d*\\)",
      "\\bS775\\d*\\b",
      "\\[TSS?0[1-4]\\]",
      "\\bTSS?0[1-4]\\b"), Pattern.CASE_INSENSITIVE);

  /** Greylisting defers the first try of each new sender/recipient pair, not the destination. */
  private static final Pattern GREYLIST = Pattern.compile("gr[ae]y-?list", Pattern.CASE_INSENSITIVE);

  /** The class of a final reply to a transaction or a connection attempt. */
  static ReplyClass of(SmtpReply reply) {
    if (reply.positive()) return OK;
    if (reply.permanentFailure()) return PERMANENT;
    if (!reply.transientFailure()) return MESSAGE_TEMPORARY; // a 3xx is never final; treat it as a failed try
    // 421: "service not available, closing transmission channel" (RFC 5321 §3.8) is about the server, always.
    if (reply.code() == 421) return DESTINATION_THROTTLED;
    String enhanced = reply.enhancedCode();
    // X.2.X is the mailbox's status (full, receiving too fast): one recipient's trouble, whatever the text says.
    if (enhanced != null && enhanced.startsWith("4.2.")) return MESSAGE_TEMPORARY;
    String text = reply.text();
    if (GREYLIST.matcher(text).find()) return MESSAGE_TEMPORARY;
    if (enhanced != null && THROTTLE_CODE.matcher(enhanced).matches()) return DESTINATION_THROTTLED;
    if (THROTTLE_TEXT.matcher(text).find()) return DESTINATION_THROTTLED;
    return MESSAGE_TEMPORARY;
  }

  /**
   * The class of one recipient's result. A result without a reply (timeout, lost connection, no MX
   * answering) is a temporary failure of this message: the SMTP client has no reply to judge by.
   */
  static ReplyClass of(RecipientResult result) {
    return switch (result) {
      case RecipientResult.Accepted a -> OK;
      case RecipientResult.Rejected r -> PERMANENT;
      case RecipientResult.Deferred d -> d.reply() == null ? MESSAGE_TEMPORARY : of(d.reply());
    };
  }
}
