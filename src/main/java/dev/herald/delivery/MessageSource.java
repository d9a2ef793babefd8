package dev.herald.delivery;

/**
 * The port through which delivery asks the sender of a queue entry for the message to send to one recipient:
 * the send API hands the message it stored once ({@link StoredMessageSource}); campaigns will render each
 * recipient's message from their one stored copy of the content and the recipient's row, at delivery time, so a
 * campaign of a million recipients never stores a million bodies. Delivery knows nothing of campaigns: it finds
 * the implementation by the message's {@link #kind()}.
 *
 * <p>The answer must be the same on every call for the same recipient (same Message-ID, same Date, same body), so a
 * retry sends the message sent before. The bytes are unsigned: delivery signs them with the sending domain's keys
 * when it sends, so a key rotation between attempts signs with the key in use at that moment.
 */
public interface MessageSource {

  /** The wire bytes (CRLF, not dot-stuffed, unsigned) and whether they need SMTPUTF8. */
  record Content(byte[] bytes, boolean smtpUtf8) {}

  /** The kind of message this source gives; each kind has exactly one source. */
  MessageSourceKind kind();

  /**
   * The message for one recipient of a queued message.
   *
   * @param messageId the outbound_message id
   * @param recipientId the outbound_recipient id (campaigns render per recipient; the API ignores it)
   */
  Content content(long messageId, long recipientId);

  /** One recipient of a queued message whose content is wanted. */
  record Wanted(long messageId, long recipientId) {}

  /**
   * The messages for a batch of recipients, which the worker asks for at once: a source that can should answer in
   * one query (a batch holds many messages), and give recipients of one message the same array when their bytes are
   * the same. The default asks {@link #content} for each.
   */
  default java.util.Map<Wanted, Content> contents(java.util.Collection<Wanted> wanted) {
    java.util.Map<Wanted, Content> answers = new java.util.HashMap<>();
    for (Wanted w : wanted) answers.put(w, content(w.messageId(), w.recipientId()));
    return answers;
  }
}
