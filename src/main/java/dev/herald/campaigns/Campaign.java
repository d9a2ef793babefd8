package dev.herald.campaigns;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;

/**
 * A campaign as stored: what is sent (subject and preheader are Liquid templates rendered per recipient; the body in
 * {@code bodyFormat} is wrapped by the campaign template {@code templateId} through {@code {{ content }}}; {@code bodyFormat} is the text of a {@link dev.herald.content.ContentFormat}), from whom,
 * to whom, when, and where it is. {@code templateSource} is the campaign template's source as it was when the campaign
 * started (null before, or without a template): what the send renders, whatever happens to the template since. {@code messageId} (the outbound message carrying its recipients), {@code recipients}
 * (how many the ledger fixed) and {@code startedAt} are set when it starts; {@code failure} says why a scheduled
 * campaign could not start and went back to draft.
 */
public record Campaign(long id, long organizationId, String name, List<String> tags, String subject, String preheader,
    String fromAddress, String fromName, String replyTo, Long templateId, String templateSource, String body, String bodyFormat, boolean trackOpens,
    boolean trackClicks, Audience audience, Schedule schedule, Throttle throttle, CampaignState state, Long sendingDomainId,
    Long messageId, Long recipients, String failure, Long duplicatedFrom, Instant createdAt, Instant updatedAt, Instant startedAt,
    Instant finishedAt) {

  public Campaign {
    tags = List.copyOf(tags);
  }

  /**
   * Who it goes to: the subscribed members of {@code lists} and the subscribed people matching {@code segments}, minus
   * the members of {@code excludedLists} (whatever their status) and the people matching {@code excludedSegments}.
   * Ids of the organization's lists and saved segments.
   */
  public record Audience(List<Long> lists, List<Long> segments, List<Long> excludedLists, List<Long> excludedSegments) {
    public Audience {
      lists = lists == null ? List.of() : List.copyOf(lists);
      segments = segments == null ? List.of() : List.copyOf(segments);
      excludedLists = excludedLists == null ? List.of() : List.copyOf(excludedLists);
      excludedSegments = excludedSegments == null ? List.of() : List.copyOf(excludedSegments);
    }

    public static Audience none() {
      return new Audience(List.of(), List.of(), List.of(), List.of());
    }

    public boolean isEmpty() {
      return lists.isEmpty() && segments.isEmpty();
    }
  }

  /** The start: an instant, and the zone the member chose it in, so it is shown again as they wrote it. */
  public record Schedule(Instant sendAt, ZoneId zone) {
    public LocalDateTime localTime() {
      return LocalDateTime.ofInstant(sendAt, zone);
    }
  }

  /** At most {@code limit} messages handed to the queue per {@code per}. */
  public record Throttle(int limit, ThrottleUnit per) {}
}
