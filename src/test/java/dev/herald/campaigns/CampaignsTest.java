package dev.herald.campaigns;

import static dev.herald.campaigns.CampaignFixtures.lists;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.audiences.SubscriptionStatus;
import dev.herald.content.ContentFormat;
import dev.herald.content.TemplateKind;
import dev.herald.content.Templates;
import dev.herald.platform.Refusal;
import dev.herald.platform.Refused;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.MutableClock;
import dev.herald.testsupport.TestClock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Drafts, their checks, and the moves a campaign's state allows or refuses. The worker role is off: tests start campaigns. */
@SpringBootTest(properties = "herald.roles=web")
@Import({TestOrganizations.class, TestClock.class, CampaignFixtures.class})
class CampaignsTest {
  @Autowired Campaigns campaigns;
  @Autowired CampaignStarter starter;
  @Autowired CampaignFixtures fixtures;
  @Autowired MutableClock clock;
  @Autowired JdbcClient jdbc;
  @Autowired Templates templates;

  CampaignFixtures.Org org;
  long list;

  @BeforeEach
  void organization() {
    org = fixtures.organization();
    list = fixtures.list(org, "Readers");
    fixtures.subscriber(org, "ann@example.com", SubscriptionStatus.SUBSCRIBED, list);
  }

  @Test
  void a_draft_is_created_found_listed_and_changed() {
    Campaign c = campaigns.create(org.id(), fixtures.form(org, "  Spring news ", lists(list)));
    assertThat(c.state()).isEqualTo(CampaignState.DRAFT);
    assertThat(c.name()).isEqualTo("Spring news");
    assertThat(c.audience().lists()).containsExactly(list);
    assertThat(c.fromAddress()).isEqualTo(org.from());
    assertThat(c.bodyFormat()).isEqualTo(ContentFormat.HTML.text());
    assertThat(campaigns.find(org.id(), c.id())).contains(c);
    assertThat(campaigns.list(org.id(), null, 0, 50).items()).extracting(Campaign::id).containsExactly(c.id());
    assertThat(campaigns.list(org.id(), CampaignState.SENDING, 0, 50).total()).isZero();

    var other = fixtures.organization();
    assertThat(campaigns.find(other.id(), c.id())).isEmpty();
    assertThatThrownBy(() -> campaigns.update(other.id(), c.id(), fixtures.form(other, "x", lists())))
        .isInstanceOf(Refused.class).extracting(e -> ((Refused) e).refusal()).isInstanceOf(Refusal.NotFound.class);

    long second = fixtures.list(org, "Customers");
    Campaign changed = campaigns.update(org.id(), c.id(), new CampaignForm("Summer news", List.of(), "Hi", "", "", "", "", null, "", null,
        false, null, new Campaign.Audience(List.of(second), List.of(), List.of(list), List.of())));
    assertThat(changed.name()).isEqualTo("Summer news");
    assertThat(changed.trackOpens()).isFalse();
    assertThat(changed.trackClicks()).isTrue();
    assertThat(changed.bodyFormat()).isEqualTo(ContentFormat.RICHTEXT.text());
    assertThat(changed.audience().lists()).containsExactly(second);
    assertThat(changed.audience().excludedLists()).containsExactly(list);
  }

  @Test
  void a_bad_form_is_refused_naming_the_field() {
    assertThat(field(() -> campaigns.create(org.id(), fixtures.form(org, " ", lists())))).isEqualTo("name");
    assertThat(field(() -> campaigns.create(org.id(), withFrom(fixtures.form(org, "x", lists()), "not an address")))).isEqualTo("fromAddress");
    assertThat(field(() -> campaigns.create(org.id(), fixtures.form(org, "x", lists(999_999L))))).isEqualTo("audience.lists");
    var other = fixtures.organization();
    long theirs = fixtures.list(other, "Theirs");
    assertThat(field(() -> campaigns.create(org.id(), fixtures.form(org, "x", lists(theirs))))).isEqualTo("audience.lists");
    assertThat(invalid(() -> campaigns.create(org.id(), fixtures.form(org, "x",
        new Campaign.Audience(List.of(list), List.of(), List.of(list), List.of())))))
        .containsExactly("audience.excludedLists", "The list “Readers” is both included and excluded.");
    long vip = fixtures.segmentTagged(org, "vip");
    assertThat(invalid(() -> campaigns.create(org.id(), fixtures.form(org, "x",
        new Campaign.Audience(List.of(list), List.of(vip), List.of(), List.of(vip))))))
        .containsExactly("audience.excludedSegments", "The segment “Tagged vip” is both included and excluded.");
    assertThat(field(() -> campaigns.create(org.id(), new CampaignForm("x", List.of(), "Line\nbreak", "", "", "", "", null, "", null, null,
        null, null)))).isEqualTo("subject");
    try {
      campaigns.create(org.id(), new CampaignForm("x", List.of(), "Hi {% if %}", "", "", "", "", null, "", null, null, null, null));
      throw new AssertionError("not refused");
    } catch (Refused e) {
      assertThat(e.field()).isEqualTo("subject");
      assertThat(e.getMessage()).startsWith("Line 1, column ");
    }
  }

  @Test
  void scheduling_needs_a_complete_campaign_on_a_verified_domain() {
    Campaign empty = campaigns.create(org.id(), new CampaignForm("Empty", null, null, null, null, null, null, null, null, null, null, null,
        null));
    assertThat(field(() -> campaigns.schedule(org.id(), empty.id(), null, null))).isEqualTo("subject");
    Campaign foreign = campaigns.create(org.id(), withFrom(fixtures.form(org, "Foreign", lists(list)), "news@unverified.example"));
    assertThat(field(() -> campaigns.schedule(org.id(), foreign.id(), null, null))).isEqualTo("fromAddress");
    Campaign nobody = campaigns.create(org.id(), fixtures.form(org, "Nobody", lists()));
    assertThat(field(() -> campaigns.schedule(org.id(), nobody.id(), null, null))).isEqualTo("audience");
    Campaign c = campaigns.create(org.id(), fixtures.form(org, "Ready", lists(list)));
    assertThat(field(() -> campaigns.schedule(org.id(), c.id(), LocalDateTime.ofInstant(clock.instant(), ZoneId.of("UTC")).minusDays(1), "UTC"))).isEqualTo("sendAt");
    assertThat(field(() -> campaigns.schedule(org.id(), c.id(), null, "Mars/Olympus"))).isEqualTo("timeZone");
  }

  @Test
  void a_time_in_a_zone_is_stored_as_its_instant_and_the_campaign_starts_when_the_clock_reaches_it() {
    Campaign c = campaigns.create(org.id(), fixtures.form(org, "Morning", lists(list)));
    ZoneId paris = ZoneId.of("Europe/Paris");
    LocalDateTime nineTomorrow = LocalDateTime.ofInstant(clock.instant(), paris).plusDays(1).withHour(9).withMinute(0).withSecond(0).withNano(0);
    Campaign scheduled = campaigns.schedule(org.id(), c.id(), nineTomorrow, "Europe/Paris");
    assertThat(scheduled.state()).isEqualTo(CampaignState.SCHEDULED);
    assertThat(scheduled.schedule().sendAt()).isEqualTo(nineTomorrow.atZone(paris).toInstant());
    assertThat(scheduled.schedule().zone()).isEqualTo(paris);
    assertThat(scheduled.schedule().localTime()).isEqualTo(nineTomorrow);

    starter.startDue();
    assertThat(state(c)).isEqualTo(CampaignState.SCHEDULED);
    clock.advance(Duration.between(clock.instant(), scheduled.schedule().sendAt()).minusSeconds(1));
    starter.startDue();
    assertThat(state(c)).isEqualTo(CampaignState.SCHEDULED);
    clock.advance(Duration.ofSeconds(1));
    starter.startDue();
    Campaign started = campaigns.find(org.id(), c.id()).orElseThrow();
    assertThat(started.state()).isEqualTo(CampaignState.SENDING);
    assertThat(started.recipients()).isEqualTo(1);
    assertThat(started.startedAt()).isEqualTo(clock.instant());
  }

  @Test
  void a_campaign_whose_domain_lost_its_verification_goes_back_to_draft_saying_why() {
    Campaign c = campaigns.schedule(org.id(), campaigns.create(org.id(), fixtures.form(org, "Now", lists(list))).id(), null, null);
    jdbc.sql("update sending_domain set verified = false where organization_id = ?").param(org.id()).update();
    starter.startDue();
    Campaign after = campaigns.find(org.id(), c.id()).orElseThrow();
    assertThat(after.state()).isEqualTo(CampaignState.DRAFT);
    assertThat(after.failure()).contains(org.from()).contains("no longer on a verified sending domain");
  }

  @Test
  void moves_follow_the_states_and_illegal_ones_are_refused_as_conflicts() {
    Campaign c = campaigns.create(org.id(), fixtures.form(org, "Moves", lists(list)));
    assertThat(conflict(() -> campaigns.pause(org.id(), c.id()))).contains("Only a sending campaign can be paused").contains("draft");
    assertThat(conflict(() -> campaigns.resume(org.id(), c.id()))).contains("draft");
    assertThat(conflict(() -> campaigns.cancel(org.id(), c.id()))).contains("draft");

    campaigns.schedule(org.id(), c.id(), null, null);
    assertThat(conflict(() -> campaigns.pause(org.id(), c.id()))).contains("scheduled");
    assertThat(campaigns.unschedule(org.id(), c.id()).state()).isEqualTo(CampaignState.DRAFT);
    campaigns.schedule(org.id(), c.id(), null, null);
    starter.startDue();
    assertThat(state(c)).isEqualTo(CampaignState.SENDING);
    assertThat(conflict(() -> campaigns.update(org.id(), c.id(), fixtures.form(org, "Changed", lists(list))))).contains("sending");
    assertThat(conflict(() -> campaigns.schedule(org.id(), c.id(), null, null))).contains("sending");
    assertThat(conflict(() -> campaigns.delete(org.id(), c.id()))).contains("cancel it first");
    assertThat(conflict(() -> campaigns.resume(org.id(), c.id()))).contains("sending");

    assertThat(campaigns.pause(org.id(), c.id()).state()).isEqualTo(CampaignState.PAUSED);
    assertThat(sendStatus(c)).isEqualTo("held");
    assertThat(conflict(() -> campaigns.pause(org.id(), c.id()))).contains("paused");
    assertThat(campaigns.resume(org.id(), c.id()).state()).isEqualTo(CampaignState.SENDING);
    assertThat(sendStatus(c)).isEqualTo("queued");
    Campaign cancelled = campaigns.cancel(org.id(), c.id());
    assertThat(cancelled.state()).isEqualTo(CampaignState.CANCELLED);
    assertThat(cancelled.finishedAt()).isNotNull();
    assertThat(sendStatus(c)).isEqualTo("finished");
    assertThat(conflict(() -> campaigns.resume(org.id(), c.id()))).contains("cancelled");
    assertThat(conflict(() -> campaigns.cancel(org.id(), c.id()))).contains("cancelled");
    assertThat(conflict(() -> campaigns.throttle(org.id(), c.id(), 10, "minute"))).contains("cancelled");

    Campaign copy = campaigns.duplicate(org.id(), c.id());
    assertThat(copy.state()).isEqualTo(CampaignState.DRAFT);
    assertThat(copy.name()).isEqualTo("Copy of Moves");
    assertThat(copy.duplicatedFrom()).isEqualTo(c.id());
    assertThat(copy.audience()).isEqualTo(c.audience());
    assertThat(copy.subject()).isEqualTo(c.subject());
    assertThat(copy.recipients()).isNull();
    campaigns.delete(org.id(), c.id());
    assertThat(campaigns.find(org.id(), c.id())).isEmpty();
  }

  @Test
  void the_throttle_is_set_changed_and_removed_and_checked() {
    Campaign c = campaigns.create(org.id(), fixtures.form(org, "Slow", lists(list)));
    assertThat(campaigns.throttle(org.id(), c.id(), 600, "hour").throttle()).isEqualTo(new Campaign.Throttle(600, ThrottleUnit.HOUR));
    assertThat(campaigns.throttle(org.id(), c.id(), 50, "minute").throttle()).isEqualTo(new Campaign.Throttle(50, ThrottleUnit.MINUTE));
    assertThat(field(() -> campaigns.throttle(org.id(), c.id(), 0, "minute"))).isEqualTo("limit");
    assertThat(field(() -> campaigns.throttle(org.id(), c.id(), 5, "day"))).isEqualTo("per");
    assertThat(campaigns.throttle(org.id(), c.id(), null, null).throttle()).isNull();
  }

  @Test
  void the_campaign_template_is_checked_and_its_source_is_fixed_when_the_campaign_starts() {
    var snippet = templates.create(org.id(), new Templates.Draft("footer", TemplateKind.SNIPPET, null, ContentFormat.HTML, "<p>Bye</p>"));
    var layout = templates.create(org.id(), new Templates.Draft("Layout", TemplateKind.CAMPAIGN, null, ContentFormat.HTML,
        "<main>{{ content }}</main>{% include 'footer' %}"));
    assertThat(field(() -> campaigns.create(org.id(), withTemplate(fixtures.form(org, "x", lists(list)), snippet.id())))).isEqualTo("templateId");
    assertThat(field(() -> campaigns.create(org.id(), withTemplate(fixtures.form(org, "x", lists(list)), 999_999L)))).isEqualTo("templateId");
    assertThat(field(() -> campaigns.create(org.id(), withBodyFormat(fixtures.form(org, "x", lists(list)), "docx")))).isEqualTo("bodyFormat");

    Campaign broken = campaigns.create(org.id(), withBody(withTemplate(fixtures.form(org, "Broken", lists(list)), layout.id()),
        "<p>{% include 'header' %}</p>"));
    assertThat(field(() -> campaigns.schedule(org.id(), broken.id(), null, null))).isEqualTo("body");

    Campaign c = campaigns.create(org.id(), withBody(withTemplate(fixtures.form(org, "Laid out", lists(list)), layout.id()),
        "<p>{% include 'footer' %}</p>"));
    assertThat(c.templateSource()).isNull();
    campaigns.schedule(org.id(), c.id(), null, null);
    starter.startDue();
    templates.update(org.id(), layout.id(), new Templates.Draft("Layout", TemplateKind.CAMPAIGN, null, ContentFormat.HTML,
        "<div>{{ content }}</div>"));
    assertThat(campaigns.find(org.id(), c.id()).orElseThrow().templateSource()).isEqualTo("<main>{{ content }}</main>{% include 'footer' %}");
  }

  @Test
  void the_body_format_column_allows_exactly_the_content_formats() {
    String check = jdbc.sql("select pg_get_constraintdef(c.oid) from pg_constraint c join pg_class t on t.oid = c.conrelid"
        + " where t.relname = 'campaign' and pg_get_constraintdef(c.oid) like '%body_format%'").query(String.class).single();
    for (ContentFormat f : ContentFormat.values()) assertThat(check).contains("'" + f.text() + "'");
    assertThat(check.split("::text").length - 1).isEqualTo(ContentFormat.values().length);
  }

  private static CampaignForm withTemplate(CampaignForm f, long templateId) {
    return new CampaignForm(f.name(), f.tags(), f.subject(), f.preheader(), f.fromAddress(), f.fromName(), f.replyTo(), templateId, f.body(),
        f.bodyFormat(), f.trackOpens(), f.trackClicks(), f.audience());
  }

  private static CampaignForm withBody(CampaignForm f, String body) {
    return new CampaignForm(f.name(), f.tags(), f.subject(), f.preheader(), f.fromAddress(), f.fromName(), f.replyTo(), f.templateId(), body,
        f.bodyFormat(), f.trackOpens(), f.trackClicks(), f.audience());
  }

  private static CampaignForm withBodyFormat(CampaignForm f, String format) {
    return new CampaignForm(f.name(), f.tags(), f.subject(), f.preheader(), f.fromAddress(), f.fromName(), f.replyTo(), f.templateId(),
        f.body(), format, f.trackOpens(), f.trackClicks(), f.audience());
  }

  private CampaignState state(Campaign c) {
    return campaigns.find(org.id(), c.id()).orElseThrow().state();
  }

  private String sendStatus(Campaign c) {
    return jdbc.sql("select status from campaign_send where id = ?").param(c.id()).query(String.class).single();
  }

  private static CampaignForm withFrom(CampaignForm f, String from) {
    return new CampaignForm(f.name(), f.tags(), f.subject(), f.preheader(), from, f.fromName(), f.replyTo(), f.templateId(), f.body(),
        f.bodyFormat(), f.trackOpens(), f.trackClicks(), f.audience());
  }

  private static String field(Runnable call) {
    try {
      call.run();
    } catch (Refused e) {
      assertThat(e.refusal()).isInstanceOf(Refusal.Invalid.class);
      return e.field();
    }
    throw new AssertionError("not refused");
  }

  /** The refused field and the message. */
  private static List<String> invalid(Runnable call) {
    try {
      call.run();
    } catch (Refused e) {
      assertThat(e.refusal()).isInstanceOf(Refusal.Invalid.class);
      return List.of(e.field(), e.getMessage());
    }
    throw new AssertionError("not refused");
  }

  private static String conflict(Runnable call) {
    try {
      call.run();
    } catch (Refused e) {
      assertThat(e.refusal()).isInstanceOf(Refusal.Conflict.class);
      return e.getMessage();
    }
    throw new AssertionError("not refused");
  }
}
