package dev.herald.delivery;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The port through which delivery asks the sender of a queue entry for the message to send to one recipient:
 * the send API hands the message it stored once ({@link StoredMessageSource}); campaigns render each recipient's
 * message from their one stored copy of the content and the recipient's row, at delivery time, so a campaign of a
 * million recipients never stores a million bodies. Delivery knows nothing of campaigns: it finds the implementation
 * by the message's {@link #kind()}, and hands back the sender's own id for the recipient ({@link Wanted#ref()}, given
 * to {@link BulkSends#add}).
 *
 * <p>The answer must be the same on every call for the same recipient (same Message-ID, same Date, same body), so a
 * retry sends the message sent before. The bytes are unsigned: delivery signs them with the sending domain's keys
 * when it sends, so a key rotation between attempts signs with the key in use at that moment.
 *
 * <p>A source may answer that a recipient must not be sent any more ({@link NotSent}, {@link Cancelled}) or not yet
 * ({@link Held}); the worker then ends the row (or holds it) without an attempt. That is an answer, not an exception:
 * an exception means the message could not be prepared, and the recipient is tried again later.
 */
public interface MessageSource {

  /** What the source says about one recipient. */
  sealed interface Answer permits Content, NotSent, Cancelled, Held {}

  /** The wire bytes (CRLF, not dot-stuffed, unsigned) and whether they need SMTPUTF8. */
  record Content(byte[] bytes, boolean smtpUtf8) implements Answer {}

  /**
   * Do not send this recipient any more (unsubscribed or suppressed since hand-off): the row ends {@link
   * RecipientState#FAILED} ("Not sent") with the reason as its last reply.
   */
  record NotSent(String reason) implements Answer {}

  /**
   * The whole send was cancelled (a recipient in flight when {@link BulkSends#cancel} ran, deferred since): the row
   * ends {@link RecipientState#DELETED} with the reason as its last reply.
   */
  record Cancelled(String reason) implements Answer {}

  /**
   * The send is paused (a recipient in flight when {@link BulkSends#hold} ran, deferred since): the row goes to
   * {@link RecipientState#HELD} until the message is released.
   */
  record Held() implements Answer {}

  /** The kind of message this source gives; each kind has exactly one source. */
  MessageSourceKind kind();

  /**
   * One recipient of a queued message whose content is wanted.
   *
   * @param messageId the outbound_message id
   * @param recipientId the outbound_recipient id (the send API's tracking tokens are made of it)
   * @param ref the sender's own id for this recipient ({@link BulkSends.BulkRecipient#ref()}), null for the send API's
   *     and system mail
   */
  record Wanted(long messageId, long recipientId, Long ref) {
    /** A recipient without a sender's ref (the send API, system mail). */
    public Wanted(long messageId, long recipientId) {
      this(messageId, recipientId, null);
    }
  }

  /** The message for one recipient of a queued message. */
  Answer content(Wanted wanted);

  /**
   * The messages for a batch of recipients, which the worker asks for at once: a source that can should answer in
   * one query (a batch holds many messages), and give recipients of one message the same array when their bytes are
   * the same. The default asks {@link #content} for each.
   */
  default Map<Wanted, ? extends Answer> contents(Collection<Wanted> wanted) {
    Map<Wanted, Answer> answers = new HashMap<>();
    for (Wanted w : wanted) answers.put(w, content(w));
    return answers;
  }
}
