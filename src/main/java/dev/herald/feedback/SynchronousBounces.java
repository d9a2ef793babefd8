package dev.herald.feedback;

import dev.herald.delivery.DeliveryEvents;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;

/**
 * A remote server's 5xx while Herald sent ({@link DeliveryEvents.RecipientBounced}) goes through the same classifier
 * and actions as a DSN: a "550 5.1.1 user unknown" suppresses, a "554 5.7.1 blocked by policy" only records. After
 * delivery's commit, from Spring Modulith's publication registry: a repeat (a restart) finds the stored row's dedupe
 * key and does nothing.
 */
@Component
class SynchronousBounces {
  private final FeedbackActions actions;
  private final Attributions attributions;

  SynchronousBounces(FeedbackActions actions, Attributions attributions) {
    this.actions = actions;
    this.attributions = attributions;
  }

  @ApplicationModuleListener
  void on(DeliveryEvents.RecipientBounced bounce) {
    FeedbackVerdict verdict = ReplyClassifier.classify(bounce.replyCode(), bounce.enhancedStatus(), bounce.reply());
    Attributions.Attribution attribution = attributions.of(bounce.messageId(), bounce.recipientId())
        .orElse(new Attributions.Attribution(bounce.organizationId(), bounce.messageId(), bounce.recipientId(), bounce.address(), null,
            null, null));
    actions.act(new FeedbackActions.Report(bounce.organizationId(), dedupeKey(bounce.recipientId(), verdict.feedbackClass()),
        FeedbackSource.SYNCHRONOUS, new FeedbackVerdict(bounce.address(), verdict.feedbackClass(), verdict.reason(), verdict.status(),
            verdict.replyCode(), verdict.diagnostic(), verdict.remoteMta()), bounce.address(), attribution, ""));
  }

  /** A recipient of a message bounces once per class: its DSN arriving after the synchronous reply acts no more. */
  static String dedupeKey(long recipientId, FeedbackClass feedbackClass) {
    return "recipient:" + recipientId + ":" + feedbackClass.text();
  }
}
