package dev.herald.feedback;

import dev.herald.audiences.Subscribers;
import dev.herald.audiences.SubscriptionStatus;
import dev.herald.mail.EmailAddress;
import dev.herald.platform.HeraldProperties;
import dev.herald.platform.Refused;
import dev.herald.suppression.SuppressionReason;
import dev.herald.suppression.Suppressions;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * What Herald does with one recipient's feedback, wherever it came from (a synchronous bounce, the inbound listener, a
 * mailbox): stores it in {@code feedback_event} (once: the same feedback again, by its dedupe key, does nothing), acts
 * on the address, and publishes the {@link FeedbackEvents} event, all in one transaction.
 *
 * <ul>
 *   <li>hard bounce: the address is suppressed for the organization and the subscriber's lists say {@code bounced};
 *   <li>complaint: suppressed, the lists say {@code complained};
 *   <li>soft bounce: counted; the address is suppressed (as a hard bounce) once it has {@code soft-bounce-limit} of
 *       them within {@code soft-bounce-window};
 *   <li>block: recorded only: the receiver refused the sender, not the address;
 *   <li>unsubscribe: the person leaves the campaign's list, or, for mail of no list, the address is suppressed as
 *       unsubscribed;
 *   <li>anything else (auto-reply, delivery report, authentication report, unknown): recorded only.
 * </ul>
 */
@Service
class FeedbackActions {
  private static final Logger log = LoggerFactory.getLogger(FeedbackActions.class);
  static final String SOURCE = "feedback";

  private final JdbcClient jdbc;
  private final Suppressions suppressions;
  private final Subscribers subscribers;
  private final ApplicationEventPublisher events;
  private final HeraldProperties.Feedback settings;
  private final Clock clock;

  FeedbackActions(JdbcClient jdbc, Suppressions suppressions, Subscribers subscribers, ApplicationEventPublisher events,
      HeraldProperties properties, Clock clock) {
    this.jdbc = jdbc;
    this.suppressions = suppressions;
    this.subscribers = subscribers;
    this.events = events;
    this.settings = properties.feedback();
    this.clock = clock;
  }

  /**
   * One recipient's feedback for one organization.
   *
   * @param dedupeKey the same for the same feedback, however often it arrives
   * @param address the address it is about (Herald's recipient when a return path named one), or null
   * @param attribution the message, campaign, subscriber and list, or null when none is known
   * @param feedbackType the ARF Feedback-Type, or ""
   */
  record Report(long organizationId, String dedupeKey, FeedbackSource source, FeedbackVerdict verdict, String address,
      Attributions.Attribution attribution, String feedbackType) {}

  /** What came of a report: the stored row and its action, or empty when it had been acted on before. */
  record Acted(long feedbackId, FeedbackAction action) {}

  @Transactional
  Optional<Acted> act(Report r) {
    Instant now = clock.instant();
    Optional<EmailAddress> address = valid(r.address());
    FeedbackVerdict v = r.verdict();
    Attributions.Attribution a = r.attribution();
    Optional<Long> inserted = jdbc.sql("""
        insert into feedback_event (organization_id, dedupe_key, occurred_at, source, feedback_class, reason, action, address, address_key,
          message_id, recipient_id, campaign_id, subscriber_id, list_id, status, reply_code, diagnostic, remote_mta, feedback_type)
        values (:org, :key, :at, :source, :class, :reason, 'recorded', :address, :addressKey, :message, :recipient, :campaign,
          :subscriber, :list, :status, :replyCode, :diagnostic, :remote, :type)
        on conflict (organization_id, dedupe_key) do nothing returning id""")
        .param("org", r.organizationId()).param("key", r.dedupeKey()).param("at", Timestamp.from(now)).param("source", r.source().text())
        .param("class", v.feedbackClass().text()).param("reason", v.reason().text())
        .param("address", address.map(EmailAddress::asciiAddress).orElse(null)).param("addressKey", address.map(EmailAddress::key).orElse(null))
        .param("message", a == null ? null : a.messageId()).param("recipient", a == null ? null : a.recipientId())
        .param("campaign", a == null ? null : a.campaignId()).param("subscriber", a == null ? null : a.subscriberId())
        .param("list", a == null ? null : a.listId()).param("status", clip(v.status(), 32)).param("replyCode", clip(v.replyCode(), 8))
        .param("diagnostic", clip(v.diagnostic(), 1000)).param("remote", clip(v.remoteMta(), 255))
        .param("type", clip(r.feedbackType() == null ? "" : r.feedbackType(), 64))
        .query(Long.class).optional();
    if (inserted.isEmpty()) return Optional.empty();
    long id = inserted.get();
    FeedbackAction action = address.isEmpty() ? FeedbackAction.RECORDED : switch (v.feedbackClass()) {
      case HARD -> suppress(r, address.get(), SuppressionReason.HARD_BOUNCE, SubscriptionStatus.BOUNCED, "hard bounce: " + v.reason().text());
      case COMPLAINT -> suppress(r, address.get(), SuppressionReason.COMPLAINT, SubscriptionStatus.COMPLAINED, "complaint");
      case SOFT -> softBounce(r, address.get(), now);
      case UNSUBSCRIBE -> unsubscribe(r, address.get());
      default -> FeedbackAction.RECORDED;
    };
    if (action != FeedbackAction.RECORDED) {
      jdbc.sql("update feedback_event set action = ? where id = ?").params(action.text(), id).update();
    }
    publish(r, id, address.map(EmailAddress::asciiAddress).orElse(r.address()), action, now);
    return Optional.of(new Acted(id, action));
  }

  private FeedbackAction suppress(Report r, EmailAddress address, SuppressionReason reason, SubscriptionStatus status, String note) {
    try {
      suppressions.add(r.organizationId(), new Suppressions.NewEntry(address.asciiAddress(), null, reason, clip(note, 200), null), SOURCE);
    } catch (Refused refused) {
      log.warn("Feedback for organization {} could not suppress an address: {}", r.organizationId(), refused.getMessage());
      return FeedbackAction.RECORDED;
    }
    subscribers.stopByFeedback(r.organizationId(), address.asciiAddress(), status);
    return FeedbackAction.SUPPRESSED;
  }

  /** Counts the soft bounce (it is stored already); the one that reaches the limit within the window suppresses. */
  private FeedbackAction softBounce(Report r, EmailAddress address, Instant now) {
    long inWindow = jdbc.sql("""
        select count(*) from feedback_event
        where organization_id = ? and address_key = ? and feedback_class = 'soft' and occurred_at > ?""")
        .params(r.organizationId(), address.key(), Timestamp.from(now.minus(settings.softBounceWindow()))).query(Long.class).single();
    if (inWindow < settings.softBounceLimit()) return FeedbackAction.COUNTED;
    return suppress(r, address, SuppressionReason.HARD_BOUNCE, SubscriptionStatus.BOUNCED,
        inWindow + " soft bounces within " + settings.softBounceWindow().toDays() + " days");
  }

  private FeedbackAction unsubscribe(Report r, EmailAddress address) {
    Attributions.Attribution a = r.attribution();
    if (a != null && a.subscriberId() != null && a.listId() != null) {
      subscribers.unsubscribe(r.organizationId(), a.subscriberId(), a.listId(),
          "unsubscribe request by mail (campaign " + a.campaignId() + ")", a.campaignId());
      return FeedbackAction.UNSUBSCRIBED;
    }
    try {
      suppressions.add(r.organizationId(), new Suppressions.NewEntry(address.asciiAddress(), null, SuppressionReason.UNSUBSCRIBE,
          "unsubscribe request by mail", null), SOURCE);
      return FeedbackAction.UNSUBSCRIBED;
    } catch (Refused refused) {
      return FeedbackAction.RECORDED;
    }
  }

  private void publish(Report r, long id, String address, FeedbackAction action, Instant now) {
    FeedbackVerdict v = r.verdict();
    Attributions.Attribution a = r.attribution();
    Long message = a == null ? null : a.messageId();
    Long campaign = a == null ? null : a.campaignId();
    switch (v.feedbackClass()) {
      case HARD, SOFT, BLOCK -> events.publishEvent(new FeedbackEvents.BounceRecorded(r.organizationId(), id, address, v.feedbackClass(),
          v.reason(), v.status(), v.diagnostic(), r.source(), action == FeedbackAction.SUPPRESSED, message, campaign, now));
      case COMPLAINT -> events.publishEvent(new FeedbackEvents.ComplaintRecorded(r.organizationId(), id, address,
          r.feedbackType() == null ? "" : r.feedbackType(), r.source(), message, campaign, now));
      case UNSUBSCRIBE -> events.publishEvent(new FeedbackEvents.UnsubscribeRecorded(r.organizationId(), id, address,
          a == null ? null : a.listId(), r.source(), message, campaign, now));
      default -> { } // stored for reports; nothing was done
    }
  }

  static Optional<EmailAddress> valid(String address) {
    if (address == null || address.isBlank()) return Optional.empty();
    return EmailAddress.parse(address.strip()) instanceof EmailAddress.Valid(EmailAddress e) ? Optional.of(e) : Optional.empty();
  }

  static String clip(String s, int max) {
    if (s == null) return "";
    return s.length() <= max ? s : s.substring(0, max);
  }
}
