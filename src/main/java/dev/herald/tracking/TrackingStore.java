package dev.herald.tracking;

import dev.herald.audiences.Engagement;
import dev.herald.campaigns.CampaignAttribution;
import dev.herald.delivery.MessageSourceKind;
import dev.herald.delivery.TrackedMessages;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Writes a batch of opens and clicks in one transaction, as named steps: attribute each to its recipient, campaign and
 * subscriber; apply the privacy settings; tell machines from people; insert the events; move the people's engagement;
 * publish {@link TrackingEvents.EventsRecorded}. A batch that fails is rolled back whole and tried again by the writer.
 */
@Component
class TrackingStore {
  static final int EVENTS_PER_PUBLICATION = 1_000;

  private final JdbcClient jdbc;
  private final TrackedMessages messages;
  private final CampaignAttribution campaigns;
  private final TrackingPrivacy privacy;
  private final MachineDetector machines;
  private final Engagement engagement;
  private final ApplicationEventPublisher events;

  TrackingStore(JdbcClient jdbc, TrackedMessages messages, CampaignAttribution campaigns, TrackingPrivacy privacy, MachineDetector machines,
      Engagement engagement, ApplicationEventPublisher events) {
    this.jdbc = jdbc;
    this.messages = messages;
    this.campaigns = campaigns;
    this.privacy = privacy;
    this.machines = machines;
    this.engagement = engagement;
    this.events = events;
  }

  /** One event as it will be stored. */
  private record Row(Hit hit, Long campaignId, Long subscriberId, boolean anonymous, MachineReason machine, String ip,
      TrackedMessages.TrackedRecipient recipient) {
    Row machine(MachineReason reason) {
      return new Row(hit, campaignId, subscriberId, anonymous, reason, ip, recipient);
    }
  }

  /** Stores the batch; answers how many events were stored (the rest were dropped by a setting or are gone). */
  @Transactional
  int write(List<Hit> hits) {
    List<Row> rows = attribute(hits);
    if (rows.isEmpty()) return 0;
    long[] ids = newIds(rows.size());
    List<Long> earlier = markWalkedLinks(rows, ids);
    insert(rows, ids);
    markEarlierWalks(earlier);
    moveEngagement(rows);
    publish(rows);
    return rows.size();
  }

  /** Row ids taken before the insert, so the burst rule can name rows of this batch and earlier ones alike. */
  private long[] newIds(int n) {
    return jdbc.sql("select nextval('tracking_event_id_seq') from generate_series(1, ?)").param(n).query(Long.class).list().stream()
        .mapToLong(Long::longValue).toArray();
  }

  /**
   * Each hit with its campaign and subscriber, its setting applied, and what it shows of a machine by itself. Dropped:
   * tracking off for it, or its recipient no longer in the queue (or of another message: never, the token is signed).
   */
  private List<Row> attribute(List<Hit> hits) {
    Set<Long> recipientIds = new HashSet<>();
    Set<Long> organizationIds = new HashSet<>();
    for (Hit h : hits) {
      recipientIds.add(h.recipientId());
      organizationIds.add(h.organizationId());
    }
    Map<Long, TrackedMessages.TrackedRecipient> recipients = messages.recipients(recipientIds);
    Set<Long> refs = new HashSet<>();
    for (TrackedMessages.TrackedRecipient r : recipients.values()) {
      if (r.kind() == MessageSourceKind.CAMPAIGN && r.sourceRef() != null) refs.add(r.sourceRef());
    }
    Map<Long, CampaignAttribution.Sent> sent = campaigns.byRef(refs);
    TrackingPrivacy.Settings settings = privacy.of(organizationIds);
    List<Row> rows = new ArrayList<>(hits.size());
    for (Hit h : hits) {
      TrackedMessages.TrackedRecipient r = recipients.get(h.recipientId());
      if (r == null || r.messageId() != h.messageId() || r.organizationId() == null || r.organizationId() != h.organizationId()) continue;
      CampaignAttribution.Sent s = r.kind() == MessageSourceKind.CAMPAIGN && r.sourceRef() != null ? sent.get(r.sourceRef()) : null;
      Long campaignId = s == null ? null : s.campaignId();
      TrackingPrivacy.Setting setting = settings.effective(h.organizationId(), campaignId);
      if (setting.mode() == TrackingMode.OFF) continue;
      boolean anonymous = setting.mode() == TrackingMode.ANONYMOUS || h.doNotTrack();
      MachineReason machine = machines.reason(h.kind(), h.userAgent(), h.ip(), h.at(), r.deliveredAt());
      rows.add(new Row(h, campaignId, anonymous || s == null ? null : s.subscriberId(), anonymous, machine,
          TrackingPrivacy.keep(setting.ip(), h.ip()), r));
    }
    return rows;
  }

  /**
   * Clicks of one recipient on every link at once: a scanner walking the message. Marks this batch's rows and answers
   * the ids of earlier batches' rows to mark too.
   */
  private List<Long> markWalkedLinks(List<Row> rows, long[] ids) {
    List<MachineDetector.Click> clicks = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      if (r.hit().kind() != EventKind.CLICK) continue;
      clicks.add(new MachineDetector.Click(ids[i], r.hit().messageId(), r.hit().recipientId(), r.hit().link(), r.hit().at(),
          r.recipient().links()));
    }
    if (clicks.isEmpty()) return List.of();
    Set<Long> walked = machines.walkedAllLinks(clicks);
    if (walked.isEmpty()) return List.of();
    Set<Long> here = new HashSet<>();
    for (int i = 0; i < rows.size(); i++) {
      if (!walked.contains(ids[i])) continue;
      here.add(ids[i]);
      if (rows.get(i).machine() == null) rows.set(i, rows.get(i).machine(MachineReason.SCANNER_ALL_LINKS));
    }
    return walked.stream().filter(id -> !here.contains(id)).toList();
  }

  private void markEarlierWalks(List<Long> ids) {
    if (ids.isEmpty()) return;
    jdbc.sql("update tracking_event set machine = true, machine_reason = 'scanner_all_links' where id = any (?) and not machine")
        .param(ids.toArray(Long[]::new)).update();
  }

  private void insert(List<Row> rows, long[] ids) {
    int n = rows.size();
    Long[] rowIds = new Long[n];
    for (int i = 0; i < n; i++) rowIds[i] = ids[i];
    Long[] organizations = new Long[n], messageIds = new Long[n], recipients = new Long[n], campaignIds = new Long[n], subscribers = new Long[n];
    String[] kinds = new String[n], reasons = new String[n], ips = new String[n];
    Integer[] links = new Integer[n];
    Timestamp[] times = new Timestamp[n];
    for (int i = 0; i < n; i++) {
      Row r = rows.get(i);
      organizations[i] = r.hit().organizationId();
      kinds[i] = r.hit().kind().text();
      times[i] = Timestamp.from(r.hit().at());
      messageIds[i] = r.hit().messageId();
      recipients[i] = r.anonymous() ? null : r.hit().recipientId();
      campaignIds[i] = r.campaignId();
      subscribers[i] = r.subscriberId();
      links[i] = r.hit().kind() == EventKind.CLICK ? r.hit().link() : null;
      reasons[i] = r.machine() == null ? null : r.machine().text();
      ips[i] = r.ip();
    }
    jdbc.sql("""
        insert into tracking_event (id, organization_id, kind, occurred_at, message_id, recipient_id, campaign_id, subscriber_id, link_number,
          machine, machine_reason, ip)
        select id, org, kind, at, message, recipient, campaign, subscriber, link, reason is not null, reason, ip
        from unnest(cast(? as bigint[]), cast(? as bigint[]), cast(? as text[]), cast(? as timestamptz[]), cast(? as bigint[]), cast(? as bigint[]),
          cast(? as bigint[]), cast(? as bigint[]), cast(? as integer[]), cast(? as text[]), cast(? as text[]))
          as t(id, org, kind, at, message, recipient, campaign, subscriber, link, reason, ip)""")
        .params(rowIds, organizations, kinds, times, messageIds, recipients, campaignIds, subscribers, links, reasons, ips).update();
  }

  /** People's opens and clicks tied to a subscriber move their engagement; machines' and anonymous ones do not. */
  private void moveEngagement(List<Row> rows) {
    List<Engagement.Engaged> opened = new ArrayList<>();
    List<Engagement.Engaged> clicked = new ArrayList<>();
    for (Row r : rows) {
      if (r.machine() != null || r.subscriberId() == null) continue;
      Engagement.Engaged e = new Engagement.Engaged(r.hit().organizationId(), r.subscriberId(), r.hit().at());
      (r.hit().kind() == EventKind.OPEN ? opened : clicked).add(e);
    }
    engagement.opened(opened);
    engagement.clicked(clicked);
  }

  private void publish(List<Row> rows) {
    List<TrackingEvents.Recorded> recorded = new ArrayList<>(Math.min(rows.size(), EVENTS_PER_PUBLICATION));
    for (Row r : rows) {
      Hit h = r.hit();
      recorded.add(new TrackingEvents.Recorded(h.organizationId(), h.kind(), h.messageId(), r.campaignId(), r.subscriberId(),
          h.kind() == EventKind.CLICK ? h.link() : null, h.url(), r.machine() != null, r.machine(), h.at()));
      if (recorded.size() == EVENTS_PER_PUBLICATION) {
        events.publishEvent(new TrackingEvents.EventsRecorded(List.copyOf(recorded)));
        recorded.clear();
      }
    }
    if (!recorded.isEmpty()) events.publishEvent(new TrackingEvents.EventsRecorded(List.copyOf(recorded)));
  }
}
