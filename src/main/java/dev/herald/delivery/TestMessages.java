package dev.herald.delivery;

import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * A test of content written elsewhere (a campaign), sent to a few addresses through the send API's checks and queue:
 * the same sender rule (a verified domain of the organization), suppression screening and delivery as any message,
 * each address its own message, tagged {@link #TAG} so the message list tells it from real mail.
 */
@Component
public class TestMessages {
  /** The tag of every test message, the same as the message page's test form. */
  public static final String TAG = MessagesController.TEST_TAG;

  private final OutboundMessages messages;

  TestMessages(OutboundMessages messages) {
    this.messages = messages;
  }

  /** The rendered message. {@code tags} are added to {@link #TAG}. */
  public record TestMessage(String from, String fromName, String replyTo, String subject, String html, String text, List<String> tags) {}

  /**
   * Queues one message per address and returns their ids, all or none. A refusal names the field as the send API does
   * ({@code from}, {@code to[0]}, {@code subject}, ...): {@code to[0]} is the address being queued.
   */
  @Transactional
  public List<Long> send(long organizationId, TestMessage message, List<String> to) {
    List<String> tags = new ArrayList<>();
    tags.add(TAG);
    for (String t : message.tags()) if (!tags.contains(t)) tags.add(t);
    List<Long> ids = new ArrayList<>();
    for (String address : to) {
      SendRequest request = new SendRequest(message.from(), blank(message.fromName()), List.of(address), null, null,
          blank(message.replyTo()), message.subject(), blank(message.html()), blank(message.text()), null, null, tags, null);
      ids.add(messages.accept(organizationId, request, null).id());
    }
    return ids;
  }

  private static String blank(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
