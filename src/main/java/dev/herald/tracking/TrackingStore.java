package dev.herald.tracking;

import dev.herald.audiences.Engagement;
import dev.herald.campaigns.CampaignAttribution;
import dev.herald.delivery.MessageSourceKind;
import dev.herald.delivery.TrackedMessages;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.datasource.DataSourceUtils;
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
  private final DataSource dataSource;
  private final TrackedMessages messages;
  private final CampaignAttribution campaigns;
  private final TrackingPrivacy privacy;
  private final MachineDetector machines;
  private final Engagement engagement;
  private final ApplicationEventPublisher events;

  TrackingStore(JdbcClient jdbc, DataSource dataSource, TrackedMessages messages, CampaignAttribution campaigns, TrackingPrivacy privacy, MachineDetector machines,
      Engagement engagement, ApplicationEventPublisher events) {
    this.jdbc = jdbc;
    this.dataSource = dataSource;
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
    holdOrganizations(hits);
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

  /**
   * The advisory lock of each organization in the batch, shared, until the batch commits: what the foreign key on
   * organization_id did (V85). Deleting an organization takes it exclusively before deleting its events, so either this
   * batch commits first and the deletion sees its rows, or the deletion commits first and {@link #attribute} finds none
   * of the organization's recipients. In id order, as every holder takes them.
   */
  private void holdOrganizations(List<Hit> hits) {
    long[] organizations = hits.stream().mapToLong(Hit::organizationId).distinct().sorted().toArray();
    jdbc.sql("select pg_advisory_xact_lock_shared(hashtextextended('tracking-event:' || o, 0)) from unnest(cast(? as bigint[])) with ordinality as u(o, n) order by n")
        .param(java.util.Arrays.stream(organizations).boxed().toArray(Long[]::new)).query().listOfRows();
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

  /**
   * COPY rather than an insert from unnest'ed arrays: no arrays to build, send and take apart, no executor projection
   * per row; on the transaction's connection, so it commits or rolls back with the batch.
   */
  private void insert(List<Row> rows, long[] ids) {
    StringBuilder copy = new StringBuilder(rows.size() * 96);
    long second = Long.MIN_VALUE;
    String secondText = null;
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      Hit h = r.hit();
      copy.append(ids[i]).append('\t').append(h.organizationId()).append('\t').append(h.kind().text()).append('\t');
      // occurred_at rounded to PostgreSQL's microseconds half up, as the driver rounds a Timestamp parameter. Written
      // from the second's text, made once per second of the batch (Instant.toString per row was a tenth of the writer)
      Instant at = h.at().plusNanos(500).truncatedTo(ChronoUnit.MICROS);
      if (at.getEpochSecond() != second) {
        second = at.getEpochSecond();
        secondText = DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC));
      }
      int micros = at.getNano() / 1000;
      copy.append(secondText).append('.');
      for (int digit = 100_000; digit > 0; digit /= 10) copy.append((char) ('0' + micros / digit % 10));
      copy.append("Z\t").append(h.messageId()).append('\t');
      if (r.anonymous()) copy.append("\\N");
      else copy.append(h.recipientId());
      copy.append('\t');
      number(copy, r.campaignId());
      copy.append('\t');
      number(copy, r.subscriberId());
      copy.append('\t');
      if (h.kind() == EventKind.CLICK) copy.append(h.link());
      else copy.append("\\N");
      copy.append('\t').append(r.machine() == null ? 'f' : 't').append('\t');
      text(copy, r.machine() == null ? null : r.machine().text());
      copy.append('\t');
      text(copy, r.ip());
      copy.append('\n');
    }
    byte[] data = copy.toString().getBytes(StandardCharsets.UTF_8);
    Connection connection = DataSourceUtils.getConnection(dataSource);
    try {
      CopyIn in = connection.unwrap(PGConnection.class).getCopyAPI().copyIn("""
          copy tracking_event (id, organization_id, kind, occurred_at, message_id, recipient_id, campaign_id, subscriber_id, link_number,
            machine, machine_reason, ip) from stdin""");
      try {
        in.writeToCopy(data, 0, data.length);
        in.endCopy();
      } finally {
        if (in.isActive()) in.cancelCopy();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("COPY into tracking_event failed: " + e.getMessage(), e);
    } finally {
      DataSourceUtils.releaseConnection(connection, dataSource);
    }
  }

  private static void number(StringBuilder copy, Long value) {
    if (value == null) copy.append("\\N");
    else copy.append(value.longValue());
  }

  /** A text column in COPY's text format: null as \N, and the characters it reads as escapes or separators escaped. */
  private static void text(StringBuilder copy, String value) {
    if (value == null) {
      copy.append("\\N");
      return;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> copy.append("\\\\");
        case '\t' -> copy.append("\\t");
        case '\n' -> copy.append("\\n");
        case '\r' -> copy.append("\\r");
        default -> copy.append(c);
      }
    }
  }

  /** People's opens and clicks tied to a subscriber move their engagement; machines' and anonymous ones do not. */
  private void moveEngagement(List<Row> rows) {
    // Each subscriber's latest open and latest click of the batch only: the update takes the latest anyway.
    Map<List<Long>, Engagement.Engaged> opened = new HashMap<>();
    Map<List<Long>, Engagement.Engaged> clicked = new HashMap<>();
    for (Row r : rows) {
      if (r.machine() != null || r.subscriberId() == null) continue;
      Engagement.Engaged e = new Engagement.Engaged(r.hit().organizationId(), r.subscriberId(), r.hit().at());
      (r.hit().kind() == EventKind.OPEN ? opened : clicked).merge(List.of(e.organizationId(), e.subscriberId()), e,
          (a, b) -> a.at().isAfter(b.at()) ? a : b);
    }
    if (!opened.isEmpty()) engagement.opened(List.copyOf(opened.values()));
    if (!clicked.isEmpty()) engagement.clicked(List.copyOf(clicked.values()));
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
