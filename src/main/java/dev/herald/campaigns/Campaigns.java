package dev.herald.campaigns;

import dev.herald.audiences.AudienceSelection;
import dev.herald.audiences.MailingLists;
import dev.herald.audiences.SegmentNames;
import dev.herald.content.ContentFormat;
import dev.herald.content.SnippetLookup;
import dev.herald.content.TemplateKind;
import dev.herald.content.Templates;
import dev.herald.content.TemplateEngine;
import dev.herald.delivery.BulkSends;
import dev.herald.delivery.RecipientState;
import dev.herald.domains.SendingDomains;
import dev.herald.mail.EmailAddress;
import dev.herald.platform.Refused;
import dev.herald.platform.Text;
import dev.herald.platform.TextEnum;
import dev.herald.tenancy.AuditLog;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Campaigns of an organization: drafts written and changed, then scheduled (now or at a time in a chosen zone), and
 * the moves of a send: pause, resume, cancel, a throttle changed while it sends, and a duplicate as a new draft. A
 * move the campaign's state does not allow is refused (409) saying why. Starting (fixing the audience) and handing the
 * ledger to the queue are the worker's ({@link CampaignStarter}, {@link CampaignHandOff}).
 */
@Service
public class Campaigns {
  static final int MAX_NAME = 200;
  static final int MAX_LINE = 998;
  static final int MAX_BODY = 2 * 1024 * 1024;
  static final int MAX_TAGS = 20;
  static final int MAX_AUDIENCE = 100;
  /** A time this far in the past is still "now": a form filled in over a minute. */
  static final Duration PAST_TOLERANCE = Duration.ofMinutes(5);

  private final JdbcClient jdbc;
  private final AudienceSelection audiences;
  private final MailingLists lists;
  private final SegmentNames segments;
  private final SendingDomains domains;
  private final AuditLog audit;
  private final Clock clock;
  private final BulkSends queue;
  private final CampaignLedger ledger;
  private final TemplateEngine engine;
  private final Templates templates;

  Campaigns(JdbcClient jdbc, AudienceSelection audiences, MailingLists lists, SegmentNames segments, SendingDomains domains, AuditLog audit, Clock clock, BulkSends queue,
      CampaignLedger ledger, TemplateEngine engine, Templates templates) {
    this.engine = engine;
    this.templates = templates;
    this.queue = queue;
    this.ledger = ledger;
    this.jdbc = jdbc;
    this.audiences = audiences;
    this.lists = lists;
    this.segments = segments;
    this.domains = domains;
    this.audit = audit;
    this.clock = clock;
  }

  public record Page(List<Campaign> items, long total, int page, int size) {}

  /**
   * A campaign's progress: its ledger by state (pending, handed off, skipped), the queue's rows of it by delivery state
   * (empty before it starts), and how many were handed off in the last minute (the rate while it sends).
   */
  public record Stats(long campaignId, CampaignState state, long recipients, Map<LedgerState, Long> ledger,
      Map<RecipientState, Long> queue, long handedOffLastMinute) {}

  // ---- reading -----------------------------------------------------------------------------------------------------

  static final String SELECT = """
      select c.id, c.organization_id, c.name, c.tags, c.subject, c.preheader, c.from_address, c.from_name, c.reply_to, c.template_id,
             c.template_source, c.body, c.body_format, c.track_opens, c.track_clicks, c.send_at, c.time_zone, c.throttle_limit, c.throttle_unit, c.state,
             c.sending_domain_id, c.message_id, c.recipients, c.failure, c.duplicated_from, c.created_at, c.updated_at, c.started_at,
             c.finished_at,
             array(select a.list_id from campaign_audience a where a.campaign_id = c.id and a.list_id is not null and not a.excluded order by a.list_id),
             array(select a.segment_id from campaign_audience a where a.campaign_id = c.id and a.segment_id is not null and not a.excluded order by a.segment_id),
             array(select a.list_id from campaign_audience a where a.campaign_id = c.id and a.list_id is not null and a.excluded order by a.list_id),
             array(select a.segment_id from campaign_audience a where a.campaign_id = c.id and a.segment_id is not null and a.excluded order by a.segment_id)
        from campaign c""";

  /** The campaign, or refused as not found (a 404 for the API and the pages alike). */
  public Campaign get(long orgId, long id) {
    return find(orgId, id).orElseThrow(() -> Refused.notFound("Campaign"));
  }

  public Optional<Campaign> find(long orgId, long id) {
    return jdbc.sql(SELECT + " where c.organization_id = ? and c.id = ?").params(orgId, id).query(Campaigns::map).optional();
  }

  /** The organization's campaigns, newest first, optionally in one state. */
  public Page list(long orgId, CampaignState state, int page, int size) {
    Refused.checkPage(page, size);
    String where = " where c.organization_id = :org" + (state == null ? "" : " and c.state = :state");
    var items = jdbc.sql(SELECT + where + " order by c.created_at desc, c.id desc limit :size offset :offset")
        .param("org", orgId).param("state", state == null ? "" : state.text()).param("size", size).param("offset", (long) page * size)
        .query(Campaigns::map).list();
    long total = jdbc.sql("select count(*) from campaign c" + where).param("org", orgId).param("state", state == null ? "" : state.text())
        .query(Long.class).single();
    return new Page(items, total, page, size);
  }

  public Optional<Stats> stats(long orgId, long id) {
    return find(orgId, id).map(c -> new Stats(c.id(), c.state(), c.recipients() == null ? 0 : c.recipients(), ledger.counts(c.id()),
        c.messageId() == null ? Map.of() : queue.states(c.messageId()), ledger.handedOffSince(c.id(), clock.instant().minusSeconds(60))));
  }

  // ---- drafts ------------------------------------------------------------------------------------------------------

  @Transactional
  public Campaign create(long orgId, CampaignForm form) {
    Checked c = check(orgId, form);
    long id = jdbc.sql("""
        insert into campaign (organization_id, name, tags, subject, preheader, from_address, from_name, reply_to, template_id, body,
                              body_format, track_opens, track_clicks)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id""")
        .params(orgId, c.name, c.tags, c.subject, c.preheader, c.fromAddress, c.fromName, c.replyTo, c.templateId, c.body, c.bodyFormat,
            c.trackOpens, c.trackClicks)
        .query(Long.class).single();
    writeAudience(id, c.audience);
    audit.record(orgId, "campaign.created", "campaign", id, c.name);
    return find(orgId, id).orElseThrow();
  }

  /** Changes a draft or a scheduled campaign (which must stay complete enough to be sent). */
  @Transactional
  public Campaign update(long orgId, long id, CampaignForm form) {
    Campaign before = locked(orgId, id);
    if (!before.state().editable()) {
      throw Refused.conflict("state", "A " + before.state() + " campaign cannot be changed; duplicate it to send it again differently.");
    }
    Checked c = check(orgId, form);
    jdbc.sql("""
        update campaign set name = ?, tags = ?, subject = ?, preheader = ?, from_address = ?, from_name = ?, reply_to = ?, template_id = ?,
                            body = ?, body_format = ?, track_opens = ?, track_clicks = ?, updated_at = now()
        where id = ?""")
        .params(c.name, c.tags, c.subject, c.preheader, c.fromAddress, c.fromName, c.replyTo, c.templateId, c.body, c.bodyFormat,
            c.trackOpens, c.trackClicks, id)
        .update();
    jdbc.sql("delete from campaign_audience where campaign_id = ?").param(id).update();
    writeAudience(id, c.audience);
    Campaign after = find(orgId, id).orElseThrow();
    if (after.state() == CampaignState.SCHEDULED) readyToSend(orgId, after);
    audit.record(orgId, "campaign.updated", "campaign", id, c.name);
    return after;
  }

  /** Deletes a campaign that is not being sent (a sending or paused one is cancelled first). */
  @Transactional
  public void delete(long orgId, long id) {
    Campaign c = locked(orgId, id);
    if (c.state().started()) throw Refused.conflict("state", "A " + c.state() + " campaign cannot be deleted; cancel it first.");
    jdbc.sql("delete from campaign where id = ?").param(id).update();
    audit.record(orgId, "campaign.deleted", "campaign", id, c.name());
  }

  /** A new draft with the same content, audience and settings, named "Copy of ...". */
  @Transactional
  public Campaign duplicate(long orgId, long id) {
    Campaign c = find(orgId, id).orElseThrow(() -> Refused.notFound("Campaign"));
    String name = ("Copy of " + c.name());
    if (name.length() > MAX_NAME) name = name.substring(0, MAX_NAME);
    long copy = jdbc.sql("""
        insert into campaign (organization_id, name, tags, subject, preheader, from_address, from_name, reply_to, template_id, body,
                              body_format, track_opens, track_clicks, throttle_limit, throttle_unit, duplicated_from)
        select organization_id, ?, tags, subject, preheader, from_address, from_name, reply_to, template_id, body, body_format, track_opens,
               track_clicks, throttle_limit, throttle_unit, id
          from campaign where id = ? returning id""").params(name, id).query(Long.class).single();
    jdbc.sql("insert into campaign_audience (campaign_id, list_id, segment_id, excluded) select ?, list_id, segment_id, excluded"
        + " from campaign_audience where campaign_id = ?").params(copy, id).update();
    audit.record(orgId, "campaign.duplicated", "campaign", copy, "from " + id);
    return find(orgId, copy).orElseThrow();
  }

  // ---- moves of a send ---------------------------------------------------------------------------------------------

  /**
   * Schedules a draft (or moves a scheduled campaign's time): at {@code localTime} in {@code zone}, or now when
   * {@code localTime} is null. It must be complete: a subject, a sender on a verified sending domain, content and an
   * audience. A worker node starts it at that time.
   */
  @Transactional
  public Campaign schedule(long orgId, long id, LocalDateTime localTime, String zone) {
    Campaign c = locked(orgId, id);
    if (!c.state().editable()) throw Refused.conflict("state", "A " + c.state() + " campaign cannot be scheduled.");
    ZoneId z = zone(zone);
    Instant now = clock.instant();
    Instant at = localTime == null ? now : localTime.atZone(z).toInstant();
    if (at.isBefore(now.minus(PAST_TOLERANCE))) {
      throw Refused.invalid("sendAt", "That time (" + localTime + " " + z + ") has passed; choose a later one, or send now.");
    }
    readyToSend(orgId, c);
    jdbc.sql("update campaign set state = 'scheduled', send_at = ?, time_zone = ?, failure = null, updated_at = now() where id = ?")
        .params(Timestamp.from(at), z.getId(), id).update();
    audit.record(orgId, "campaign.scheduled", "campaign", id, at + " (" + z.getId() + ")");
    return find(orgId, id).orElseThrow();
  }

  /** A scheduled campaign back to draft: it will not start. */
  @Transactional
  public Campaign unschedule(long orgId, long id) {
    move(orgId, id, Set.of(CampaignState.SCHEDULED), "unscheduled", "Only a scheduled campaign can be unscheduled");
    jdbc.sql("update campaign set state = 'draft', send_at = null, time_zone = null, updated_at = now() where id = ?").param(id).update();
    audit.record(orgId, "campaign.unscheduled", "campaign", id, null);
    return find(orgId, id).orElseThrow();
  }

  /** Stops handing off and holds the queue's waiting rows of a sending campaign. */
  @Transactional
  public Campaign pause(long orgId, long id) {
    Campaign c = move(orgId, id, Set.of(CampaignState.SENDING), "paused", "Only a sending campaign can be paused");
    // The job's row first: it waits for a hand-off chunk in progress to commit, so the hold below sees its rows.
    jdbc.sql("update campaign_send set status = 'held', lease_until = null where id = ? and status in ('queued', 'running')").param(id).update();
    queue.hold(c.messageId());
    jdbc.sql("update campaign set state = 'paused', updated_at = now() where id = ?").param(id).update();
    audit.record(orgId, "campaign.paused", "campaign", id, null);
    return find(orgId, id).orElseThrow();
  }

  /** Releases the queue's rows of a paused campaign and hands off the rest. */
  @Transactional
  public Campaign resume(long orgId, long id) {
    Campaign c = move(orgId, id, Set.of(CampaignState.PAUSED), "resumed", "Only a paused campaign can be resumed");
    jdbc.sql("update campaign_send set status = 'queued' where id = ? and status = 'held'").param(id).update();
    queue.release(c.messageId());
    jdbc.sql("update campaign set state = 'sending', updated_at = now() where id = ?").param(id).update();
    audit.record(orgId, "campaign.resumed", "campaign", id, null);
    return find(orgId, id).orElseThrow();
  }

  /**
   * Stops a scheduled, sending or paused campaign for good: nothing more is handed off, and the queue's rows still
   * waiting are deleted; what the queue already delivered stays delivered.
   */
  @Transactional
  public Campaign cancel(long orgId, long id) {
    Campaign c = move(orgId, id, Set.of(CampaignState.SCHEDULED, CampaignState.SENDING, CampaignState.PAUSED), "cancelled",
        "A campaign can be cancelled while it is scheduled, sending or paused");
    jdbc.sql("update campaign_send set status = 'finished', lease_until = null where id = ?").param(id).update();
    if (c.state().started()) queue.cancel(c.messageId(), "Campaign cancelled");
    jdbc.sql("update campaign set state = 'cancelled', finished_at = ?, updated_at = now() where id = ?")
        .params(Timestamp.from(clock.instant()), id).update();
    audit.record(orgId, "campaign.cancelled", "campaign", id, null);
    return find(orgId, id).orElseThrow();
  }

  /**
   * Sets or removes ({@code limit} null) the throttle: at most {@code limit} messages handed to the queue per minute
   * or per hour. Takes effect at the next chunk of a campaign being sent; recipients already queued but not yet tried
   * go back to the ledger and are handed off again at the new pace.
   */
  @Transactional
  public Campaign throttle(long orgId, long id, Integer limit, String per) {
    Campaign c = locked(orgId, id);
    if (c.state().ended()) throw Refused.conflict("state", "A " + c.state() + " campaign has nothing left to throttle.");
    ThrottleUnit unit = null;
    if (limit != null) {
      if (limit < 1 || limit > 10_000_000) throw Refused.invalid("limit", "A throttle is 1 to 10,000,000 messages.");
      unit = TextEnum.parse(ThrottleUnit.class, "per", per);
      if (unit == null) throw Refused.invalid("per", "per is one of " + TextEnum.texts(ThrottleUnit.class) + ".");
    }
    jdbc.sql("update campaign set throttle_limit = ?, throttle_unit = ?, updated_at = now() where id = ?")
        .params(limit, unit == null ? null : unit.text(), id).update();
    if (limit != null && c.state().started()) {
      // Recipients already handed to the queue would go out at the queue's speed whatever the throttle says: take back
      // those not yet tried, so the hand-off gives them again at the new pace. The job's row first, as pause does: it
      // waits for a hand-off chunk in progress to commit.
      jdbc.sql("select status from campaign_send where id = ? for update").param(id).query(String.class).optional();
      List<Long> back = queue.withdraw(c.messageId());
      ledger.backToPending(id, back);
      if (!back.isEmpty()) {
        // A paused campaign's job is held, so resume (which releases held jobs) hands these off; else it is claimable now.
        jdbc.sql("update campaign_send set status = ?, lease_until = null where id = ? and status = 'draining'")
            .params(c.state() == CampaignState.PAUSED ? "held" : "queued", id).update();
      }
    }
    audit.record(orgId, "campaign.throttled", "campaign", id, limit == null ? "none" : limit + " per " + unit);
    return find(orgId, id).orElseThrow();
  }

  // ---- checks ------------------------------------------------------------------------------------------------------

  /** The campaign, its row locked until the transaction ends, so two moves of one campaign run one after the other. */
  private Campaign locked(long orgId, long id) {
    jdbc.sql("select id from campaign where organization_id = ? and id = ? for update").params(orgId, id).query(Long.class).optional()
        .orElseThrow(() -> Refused.notFound("Campaign"));
    return find(orgId, id).orElseThrow();
  }

  private Campaign move(long orgId, long id, Set<CampaignState> from, String verb, String rule) {
    Campaign c = locked(orgId, id);
    if (!from.contains(c.state())) throw Refused.conflict("state", rule + "; this one is " + c.state() + ".");
    return c;
  }

  /** What a campaign must hold to be sent; refused naming the first field that is missing or wrong. */
  void readyToSend(long orgId, Campaign c) {
    if (c.subject().isBlank()) throw Refused.invalid("subject", "Write a subject before scheduling.");
    if (c.fromAddress().isBlank()) throw Refused.invalid("fromAddress", "Choose the address the campaign is sent from.");
    if (domains.verifiedDomainFor(orgId, c.fromAddress()).isEmpty()) {
      throw Refused.invalid("fromAddress", c.fromAddress() + " is not on a verified sending domain of this organization.");
    }
    if (c.body().isBlank() && c.templateId() == null) throw Refused.invalid("body", "Write the campaign's content before scheduling.");
    SnippetLookup snippets = snippets(orgId);
    if (c.templateId() != null) {
      var template = campaignTemplate(orgId, c.templateId());
      engine.check(template.source(), snippets).ifPresent(e -> {
        throw Refused.invalid("templateId", "The template " + template.name() + " does not compile: " + e.describe());
      });
    }
    engine.check(c.body(), snippets).ifPresent(e -> {
      throw Refused.invalid("body", e.describe());
    });
    if (c.audience().isEmpty()) throw Refused.invalid("audience", "Choose at least one list or segment to send to.");
    checkAudience(orgId, c.audience());
  }

  private record Checked(String name, String[] tags, String subject, String preheader, String fromAddress, String fromName,
      String replyTo, Long templateId, String body, String bodyFormat, boolean trackOpens, boolean trackClicks, Campaign.Audience audience) {}

  private Checked check(long orgId, CampaignForm f) {
    if (f == null) throw Refused.invalid("name", "Name the campaign.");
    String name = Text.requireOneLine("name", f.name() == null ? "" : f.name()).strip();
    if (name.isEmpty() || name.length() > MAX_NAME) throw Refused.invalid("name", "Name the campaign (1 to " + MAX_NAME + " characters).");
    Set<String> tags = new LinkedHashSet<>();
    for (String t : f.tags() == null ? List.<String>of() : f.tags()) {
      String tag = Text.requireOneLine("tags", t == null ? "" : t).strip();
      if (tag.isEmpty() || tag.length() > 50) throw Refused.invalid("tags", "A tag is 1 to 50 characters.");
      tags.add(tag);
    }
    if (tags.size() > MAX_TAGS) throw Refused.invalid("tags", "At most " + MAX_TAGS + " tags.");
    String subject = template("subject", line("subject", f.subject()));
    String preheader = template("preheader", line("preheader", f.preheader()));
    String fromName = line("fromName", f.fromName());
    String fromAddress = address("fromAddress", f.fromAddress());
    String replyTo = address("replyTo", f.replyTo());
    String body = Text.requireNoControls("body", f.body() == null ? "" : f.body());
    if (body.length() > MAX_BODY) throw Refused.invalid("body", "The content is at most 2 MB.");
    ContentFormat parsed = TextEnum.parse(ContentFormat.class, "bodyFormat", f.bodyFormat());
    String format = (parsed == null ? ContentFormat.RICHTEXT : parsed).text();
    if (f.templateId() != null) campaignTemplate(orgId, f.templateId());
    Campaign.Audience audience = f.audience() == null ? Campaign.Audience.none() : f.audience();
    checkAudience(orgId, audience);
    return new Checked(name, tags.toArray(String[]::new), subject, preheader, fromAddress, fromName, replyTo, f.templateId(), body, format,
        f.trackOpens() == null || f.trackOpens(), f.trackClicks() == null || f.trackClicks(), audience);
  }

  private void checkAudience(long orgId, Campaign.Audience a) {
    int size = a.lists().size() + a.segments().size() + a.excludedLists().size() + a.excludedSegments().size();
    if (size > MAX_AUDIENCE) throw Refused.invalid("audience", "At most " + MAX_AUDIENCE + " lists and segments.");
    unknown("audience.lists", audiences.unknownLists(orgId, a.lists()), "List");
    unknown("audience.excludedLists", audiences.unknownLists(orgId, a.excludedLists()), "List");
    unknown("audience.segments", audiences.unknownSegments(orgId, a.segments()), "Segment");
    unknown("audience.excludedSegments", audiences.unknownSegments(orgId, a.excludedSegments()), "Segment");
    for (Long l : a.lists()) {
      if (a.excludedLists().contains(l)) {
        String name = lists.basic(orgId, l).map(MailingLists.MailingList::name).orElse(String.valueOf(l));
        throw Refused.invalid("audience.excludedLists", "The list “" + name + "” is both included and excluded.");
      }
    }
    for (Long s : a.segments()) {
      if (a.excludedSegments().contains(s)) {
        String name = segments.name(orgId, s).orElse(String.valueOf(s));
        throw Refused.invalid("audience.excludedSegments", "The segment “" + name + "” is both included and excluded.");
      }
    }
  }

  private static void unknown(String field, List<Long> unknown, String what) {
    // an id that is not the organization's has no name to show: the list or segment was deleted, or never existed
    if (!unknown.isEmpty()) throw Refused.invalid(field, what + " " + unknown.getFirst() + " not found (deleted?); choose again.");
  }

  private static String line(String field, String value) {
    String v = Text.requireOneLine(field, value == null ? "" : value).strip();
    if (v.length() > MAX_LINE) throw Refused.invalid(field, field + " is at most " + MAX_LINE + " characters.");
    return v;
  }

  /** The organization's campaign template {@code id}; refused naming templateId when there is none. */
  private Templates.Template campaignTemplate(long orgId, long id) {
    return templates.find(orgId, id).filter(t -> t.kind() == TemplateKind.CAMPAIGN)
        .orElseThrow(() -> Refused.invalid("templateId", "There is no campaign template " + id + " in this organization."));
  }

  /** The organization's snippets by name, for {@code {% include %}} in a body or template. */
  SnippetLookup snippets(long orgId) {
    Map<String, String> byName = new java.util.HashMap<>();
    for (Templates.Template t : templates.list(orgId, TemplateKind.SNIPPET)) byName.put(t.name(), t.source());
    return name -> Optional.ofNullable(byName.get(name));
  }

  /** A one-line Liquid template (subject, preheader): an error is refused with its line and column, never found mid-send. */
  private String template(String field, String source) {
    engine.check(source, SnippetLookup.none()).ifPresent(e -> {
      throw Refused.invalid(field, e.describe());
    });
    return source;
  }

  private static String address(String field, String value) {
    String v = value == null ? "" : Text.requireOneLine(field, value).strip();
    if (v.isEmpty()) return "";
    return switch (EmailAddress.parse(v)) {
      case EmailAddress.Valid valid -> valid.address().address();
      case EmailAddress.Invalid invalid -> throw Refused.invalid(field, v + " is not an email address (" + invalid.reason() + ").");
    };
  }

  private static ZoneId zone(String zone) {
    if (zone == null || zone.isBlank()) return ZoneId.of("UTC");
    try {
      return ZoneId.of(zone.strip());
    } catch (DateTimeException e) {
      throw Refused.invalid("timeZone", "'" + Text.visible(zone) + "' is not a time zone; use a name like Europe/Paris.");
    }
  }

  private void writeAudience(long id, Campaign.Audience a) {
    List<Object[]> rows = new ArrayList<>();
    for (long l : a.lists()) rows.add(new Object[] {l, null, false});
    for (long s : a.segments()) rows.add(new Object[] {null, s, false});
    for (long l : a.excludedLists()) rows.add(new Object[] {l, null, true});
    for (long s : a.excludedSegments()) rows.add(new Object[] {null, s, true});
    for (Object[] r : rows) {
      jdbc.sql("insert into campaign_audience (campaign_id, list_id, segment_id, excluded) values (?, ?, ?, ?) on conflict do nothing")
          .params(id, r[0], r[1], r[2]).update();
    }
  }

  private static Campaign map(ResultSet rs, int n) throws SQLException {
    Timestamp sendAt = rs.getTimestamp("send_at");
    String zone = rs.getString("time_zone");
    int limit = rs.getInt("throttle_limit");
    Campaign.Throttle throttle = rs.wasNull() ? null
        : new Campaign.Throttle(limit, TextEnum.fromText(ThrottleUnit.class, rs.getString("throttle_unit")));
    return new Campaign(rs.getLong("id"), rs.getLong("organization_id"), rs.getString("name"), strings(rs.getArray("tags")),
        rs.getString("subject"), rs.getString("preheader"), rs.getString("from_address"), rs.getString("from_name"), rs.getString("reply_to"),
        (Long) rs.getObject("template_id"), rs.getString("template_source"), rs.getString("body"), rs.getString("body_format"), rs.getBoolean("track_opens"),
        rs.getBoolean("track_clicks"),
        new Campaign.Audience(longs(rs.getArray(30)), longs(rs.getArray(31)), longs(rs.getArray(32)), longs(rs.getArray(33))),
        sendAt == null ? null : new Campaign.Schedule(sendAt.toInstant(), ZoneId.of(zone == null ? "UTC" : zone)), throttle,
        TextEnum.fromText(CampaignState.class, rs.getString("state")), (Long) rs.getObject("sending_domain_id"), (Long) rs.getObject("message_id"),
        (Long) rs.getObject("recipients"), rs.getString("failure"), (Long) rs.getObject("duplicated_from"), instant(rs, "created_at"),
        instant(rs, "updated_at"), instant(rs, "started_at"), instant(rs, "finished_at"));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }

  private static List<String> strings(java.sql.Array a) throws SQLException {
    return List.of((String[]) a.getArray());
  }

  private static List<Long> longs(java.sql.Array a) throws SQLException {
    return Arrays.asList((Long[]) a.getArray());
  }
}
