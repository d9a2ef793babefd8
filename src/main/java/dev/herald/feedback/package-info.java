/**
 * Feedback: what comes back after a message leaves. Bounces (RFC 3464 delivery status notifications and
 * the non-standard reports of other MTAs and mailbox providers), complaints and opt-outs (ARF, RFC 5965)
 * and auto-replies are parsed by {@link dev.herald.feedback.FeedbackParser} and each recipient is given a
 * {@link dev.herald.feedback.FeedbackClass} and a {@link dev.herald.feedback.FeedbackReason};
 * {@link dev.herald.feedback.ReplyClassifier} applies the same rules to a synchronous SMTP reply.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Feedback")
package dev.herald.feedback;
