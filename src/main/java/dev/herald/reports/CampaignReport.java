package dev.herald.reports;

import dev.herald.campaigns.CampaignState;
import dev.herald.feedback.FeedbackClass;
import dev.herald.feedback.FeedbackReason;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;

/**
 * One campaign's report, as the page, the API and the CSV export give it. Counts are of recipients unless a name says
 * events; "people" are the events not recognized as a machine's (Apple Mail Privacy Protection, image proxies, link
 * scanners), which are counted apart.
 */
public record CampaignReport(
    long campaignId,
    String name,
    CampaignState state,
    Instant startedAt,
    Instant finishedAt,
    @Schema(description = "when these figures were read") Instant generatedAt,
    @Schema(description = "the people the campaign's audience was fixed to at its start") long recipients,
    @Schema(description = "handed to the outbound queue") long sent,
    @Schema(description = "not handed off: unsubscribed or suppressed between the start and the hand-off") long skipped,
    @Schema(description = "not handed off yet") long pending,
    Delivery delivery,
    Bounces bounces,
    @Schema(description = "every class and reason of feedback recorded for the campaign (bounces, complaints, unsubscribe requests, "
        + "auto-replies, ...), by class, most recipients first") List<Reason> feedback,
    @Schema(description = "recipients who reported the message as spam") long complaints,
    @Schema(description = "people who left a list from this campaign's mail (its link, or a request mailed back)") long unsubscribes,
    @Schema(description = "copies sent to a friend from the forward page") long forwards,
    Engagement opens,
    Engagement clicks,
    List<Link> links,
    Timeline timeline,
    @Schema(description = "the recipient domains with the most recipients, most first") List<Domain> domains) {

  /**
   * The queue's recipients by where they are now. {@code delivered}: accepted by the receiving server (an asynchronous
   * bounce comes after an acceptance, so such a recipient counts here and in the bounces); {@code bounced}: refused
   * while sending (a 5xx); {@code expired}: deferred until the queue gave up; {@code notSent}: dropped before sending
   * (suppressed or unsubscribed since the hand-off, or cancelled); {@code waiting}: queued, sending or held.
   */
  public record Delivery(long delivered, long deferred, long bounced, long expired, long notSent, long waiting) {}

  /**
   * Bounced recipients (each once), by class: {@code hard} (the address does not exist), {@code soft} (a problem of the
   * mailbox that may pass), {@code block} (the receiver refused the sender, not the address); {@code synchronous} of
   * them were refused while sending, the rest came back later as reports.
   */
  public record Bounces(long recipients, long hard, long soft, long block, long synchronous) {}

  /** One class and reason of feedback, with the recipients it was recorded for. */
  public record Reason(FeedbackClass feedbackClass, FeedbackReason reason, long recipients, long synchronous) {}

  /**
   * Opens or clicks: people's {@code unique} (distinct recipients, from events that name one) and {@code total} events,
   * of those {@code anonymous} (a privacy setting or the reader's Do Not Track kept who it was), and machines' events.
   */
  public record Engagement(long unique, long total, long anonymous, long machine) {}

  /** One tracked link of the campaign's mail, in the order it appears, and its clicks. */
  public record Link(int number, String url, long unique, long total, long anonymous, long machine) {}

  /** The report over time, in UTC periods of {@code unit} ("hour" or "day"), without gaps between the first and the last. */
  public record Timeline(String unit, List<Period> periods) {}

  /** One period: recipients delivered, bounces recorded (any class), people's and machines' opens and clicks, complaints. */
  public record Period(Instant start, long delivered, long bounces, long opens, long clicks, long machineOpens, long machineClicks,
      long complaints) {}

  /**
   * One recipient domain: its recipients, delivered, deferred now, bounced (while sending or later), expired, not sent,
   * and how many of them opened and clicked (people's events that name a recipient).
   */
  public record Domain(String domain, long recipients, long delivered, long deferred, long bounced, long expired, long notSent,
      long opened, long clicked) {}
}
