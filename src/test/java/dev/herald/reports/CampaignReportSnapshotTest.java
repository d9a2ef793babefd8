package dev.herald.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import dev.herald.campaigns.Campaign;
import dev.herald.platform.Refusal;
import dev.herald.platform.Refused;
import dev.herald.tenancy.TestOrganizations;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;

/**
 * Issue 12, reports at size: a campaign of more recipients than {@code herald.reports.live-up-to} (100 here) is reported
 * from a snapshot that a worker computes. Until the first is there the API answers 503 with Retry-After and the page
 * says it is being prepared; then the snapshot is exactly the live report of its moment (the breakdown by domain
 * checked against a query of the rows), stays as it was while it is fresh, and a read of a stale one has it refreshed.
 */
@SpringBootTest(properties = {"herald.reports.live-up-to=100", "herald.roles=web,worker", "herald.base-url=https://panel.herald.test"})
@AutoConfigureMockMvc
@Import(TestOrganizations.class)
class CampaignReportSnapshotTest {
  static final int RECIPIENTS = 300;
  static final Duration WAIT = Duration.ofMinutes(3);

  @Autowired JdbcClient jdbc;
  @Autowired TestOrganizations organizations;
  @Autowired CampaignReports reports;
  @Autowired MockMvc mvc;

  @Test
  void a_large_campaigns_report_is_a_snapshot_exact_as_of_its_time_and_refreshed_when_read_stale() throws Exception {
    TestOrganizations.Created org = organizations.create("Snapshot Co " + System.nanoTime(), "reports:read");
    long[] ids = seed(org.id());
    long campaign = ids[0], message = ids[1];

    // the first read: being prepared (the API's 503 says when to ask again, the page says so and reloads)
    MockHttpServletResponse first = api(org, campaign);
    assertThat(first.getStatus()).as(first.getContentAsString()).isEqualTo(503);
    assertThat(first.getHeader("Retry-After")).isEqualTo("30");
    assertThat(first.getContentAsString()).contains("being prepared");
    MockHttpServletResponse page = mvc.perform(get("/o/" + org.slug() + "/campaigns/" + campaign + "/report").secure(true)
        .with(organizations.asOwner(org)).with(r -> {
          r.setServerName("panel.herald.test");
          return r;
        })).andReturn().getResponse();
    assertThat(page.getStatus()).isEqualTo(200);
    assertThat(page.getContentAsString()).contains("id=\"report-preparing\"", "being prepared");
    assertThat(page.getHeader("Refresh")).isEqualTo("30");

    CampaignReport snapshot = awaitSnapshot(org.id(), campaign, Instant.EPOCH);
    Campaign c = reports.campaign(org.id(), campaign);
    assertThat(reports.fromSnapshot(c)).isTrue();
    CampaignReport live = reports.live(c);
    assertThat(snapshot).usingRecursiveComparison().ignoringFields("generatedAt").isEqualTo(live);
    assertThat(snapshot.recipients()).isEqualTo(RECIPIENTS);
    assertThat(snapshot.opens().total() + snapshot.opens().machine()).isEqualTo(opens(campaign));
    assertThat(snapshot.domains()).hasSize(17).containsExactlyElementsOf(domainsByQuery(org.id(), campaign, message));
    assertThat(snapshot.domains()).anySatisfy(d -> assertThat(d.opened()).isPositive())
        .anySatisfy(d -> assertThat(d.clicked()).isPositive()).anySatisfy(d -> assertThat(d.bounced()).isPositive());
    assertThat(jdbc.sql("select figures::text from campaign_report_snapshot where campaign_id = ?").param(campaign).query(String.class).single())
        .as("counts, names and domains only: no address").doesNotContain("@");
    // the page shows the snapshot, its time and that it is one
    page = mvc.perform(get("/o/" + org.slug() + "/campaigns/" + campaign + "/report").secure(true).with(organizations.asOwner(org)).with(r -> {
      r.setServerName("panel.herald.test");
      return r;
    })).andReturn().getResponse();
    assertThat(page.getStatus()).isEqualTo(200);
    assertThat(page.getContentAsString()).contains("id=\"report-snapshot\"", "5 minutes", "datetime=\"" + snapshot.generatedAt());

    // more opens: a fresh snapshot is answered as it is
    jdbc.sql("""
        insert into tracking_event (organization_id, kind, occurred_at, message_id, recipient_id, campaign_id)
        select ?, 'open', now(), ?, id, ? from outbound_recipient where message_id = ? order by id limit 7""")
        .params(org.id(), message, campaign, message).update();
    assertThat(reports.of(org.id(), campaign)).isEqualTo(snapshot);
    assertThat(api(org, campaign).getStatus()).isEqualTo(200);

    // made stale: the read still answers the old one and queues its refresh, which counts the new opens
    jdbc.sql("update campaign_report_snapshot set figures = jsonb_set(figures, '{generatedAt}', to_jsonb('2020-01-01T00:00:00Z'::text)) "
        + "where campaign_id = ?").param(campaign).update();
    CampaignReport stale = reports.of(org.id(), campaign);
    assertThat(stale.generatedAt()).isEqualTo(Instant.parse("2020-01-01T00:00:00Z"));
    assertThat(stale.opens().total()).isEqualTo(snapshot.opens().total());
    CampaignReport refreshed = awaitSnapshot(org.id(), campaign, stale.generatedAt());
    assertThat(refreshed.opens().total()).isEqualTo(snapshot.opens().total() + 7);
    assertThat(refreshed).usingRecursiveComparison().ignoringFields("generatedAt").isEqualTo(reports.live(c));
  }

  @Test
  void a_campaign_up_to_the_limit_is_read_live() {
    TestOrganizations.Created org = organizations.create("Live Co " + System.nanoTime(), "reports:read");
    long campaign = jdbc.sql("""
        insert into campaign (organization_id, name, subject, from_address, state, recipients, started_at)
        values (?, 'Small', 'S', 'news@small.example', 'finished', 100, now()) returning id""").param(org.id()).query(Long.class).single();
    CampaignReport r = reports.of(org.id(), campaign);
    assertThat(reports.fromSnapshot(reports.campaign(org.id(), campaign))).isFalse();
    assertThat(r.generatedAt()).isAfter(Instant.now().minusSeconds(60));
    assertThat(jdbc.sql("select count(*) from campaign_report_snapshot where campaign_id = ?").param(campaign).query(Long.class).single()).isZero();
  }

  @Test
  void a_refused_snapshot_read_is_unavailable_not_an_error() {
    TestOrganizations.Created org = organizations.create("Waiting Co " + System.nanoTime(), "reports:read");
    long campaign = jdbc.sql("""
        insert into campaign (organization_id, name, subject, from_address, state, recipients, started_at)
        values (?, 'Big', 'S', 'news@big.example', 'finished', 101, now()) returning id""").param(org.id()).query(Long.class).single();
    // the worker may be quicker than this read: either it is being prepared, or it is there
    try {
      assertThat(reports.of(org.id(), campaign).recipients()).isZero();
    } catch (Refused e) {
      assertThat(e.refusal()).isInstanceOf(Refusal.Unavailable.class);
    }
    assertThatThrownBy(() -> reports.of(org.id() + 1_000_000, campaign)).isInstanceOf(Refused.class)
        .satisfies(e -> assertThat(((Refused) e).refusal()).isInstanceOf(Refusal.NotFound.class));
  }

  MockHttpServletResponse api(TestOrganizations.Created org, long campaign) throws Exception {
    return mvc.perform(get("/api/v1/orgs/" + org.slug() + "/campaigns/" + campaign + "/report").secure(true).with(r -> {
      r.setServerName("panel.herald.test");
      return r;
    }).header("Authorization", "Bearer " + org.apiKey())).andReturn().getResponse();
  }

  /** The snapshot once one newer than {@code after} is there (the worker polls every 2 s). */
  CampaignReport awaitSnapshot(long org, long campaign, Instant after) throws InterruptedException {
    Instant deadline = Instant.now().plus(WAIT);
    while (Instant.now().isBefore(deadline)) {
      try {
        CampaignReport r = reports.of(org, campaign);
        if (r.generatedAt().isAfter(after)) return r;
      } catch (Refused e) {
        assertThat(e.refusal()).isInstanceOf(Refusal.Unavailable.class);
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no snapshot of campaign " + campaign + " within " + WAIT);
  }

  long opens(long campaign) {
    return jdbc.sql("select count(*) from tracking_event where campaign_id = ? and kind = 'open'").param(campaign).query(Long.class).single();
  }

  /** The breakdown by domain as one query over the rows would give it (the form it had before the streams). */
  List<CampaignReport.Domain> domainsByQuery(long org, long campaign, long message) {
    return jdbc.sql("""
        select r.domain, count(*), count(*) filter (where r.state = 'delivered'), count(*) filter (where r.state = 'deferred'),
          count(*) filter (where r.state = 'bounced' or exists (select 1 from feedback_event f where f.recipient_id = r.id
            and f.campaign_id = :c and f.organization_id = :o and f.feedback_class in ('hard', 'soft', 'block'))),
          count(*) filter (where r.state = 'expired'), count(*) filter (where r.state in ('failed', 'deleted')),
          count(*) filter (where exists (select 1 from tracking_event t where t.recipient_id = r.id and t.campaign_id = :c
            and t.organization_id = :o and t.kind = 'open' and not t.machine)),
          count(*) filter (where exists (select 1 from tracking_event t where t.recipient_id = r.id and t.campaign_id = :c
            and t.organization_id = :o and t.kind = 'click' and not t.machine))
        from outbound_recipient r where r.message_id = :m group by r.domain order by count(*) desc, r.domain limit 20""")
        .param("c", campaign).param("o", org).param("m", message)
        .query((rs, i) -> new CampaignReport.Domain(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
            rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9)))
        .list();
  }

  /**
   * A finished campaign of {@link #RECIPIENTS}: its ledger, queue rows over 17 domains of different sizes (domain k has
   * 2k + 1 recipients), opens, clicks (some by machines, some anonymous), synchronous and later bounces. → campaign, message
   */
  long[] seed(long org) {
    long list = jdbc.sql("insert into mailing_list (organization_id, name, optin) values (?, 'Snap', 'single') returning id")
        .param(org).query(Long.class).single();
    long message = jdbc.sql("""
        insert into outbound_message (organization_id, source, from_address, subject, header_message_id, header_date, track_opens, track_clicks)
        values (?, 'campaign', 'news@snap.example', 'Snap', ?, now(), true, true) returning id""")
        .params(org, "<snap-" + System.nanoTime() + "@snap.example>").query(Long.class).single();
    long campaign = jdbc.sql("""
        insert into campaign (organization_id, name, subject, from_address, state, message_id, recipients, started_at, finished_at)
        values (?, 'Snap', 'Snap', 'news@snap.example', 'finished', ?, ?, now() - interval '5 hours', now() - interval '4 hours')
        returning id""").params(org, message, RECIPIENTS).query(Long.class).single();
    jdbc.sql("insert into outbound_link (message_id, link_number, url) select ?, n, 'https://shop.example/' || n from generate_series(1, 3) n")
        .param(message).update();
    jdbc.sql("""
        insert into campaign_recipient (campaign_id, subscriber_id, list_id, address, address_key, state, handed_off_at)
        select ?, n, ?, 'p' || n || '@d' || floor(sqrt(n))::int || '.example', 'p' || n || '@d' || floor(sqrt(n))::int || '.example',
          'handed_off', now() - interval '4 hours'
        from generate_series(1, ?) n""").params(campaign, list, RECIPIENTS).update();
    jdbc.sql("""
        insert into outbound_recipient (message_id, organization_id, kind, address, address_key, domain, source_ref, state, finished_at)
        select ?, ?, 'to', r.address, r.address_key, split_part(r.address, '@', 2), r.id,
          case when r.id % 10 = 0 then 'bounced' when r.id % 10 = 1 then 'deferred' when r.id % 10 = 2 then 'expired' else 'delivered' end,
          case when r.id % 10 <> 1 then now() - make_interval(mins => (r.id % 200)::int) end
        from campaign_recipient r where r.campaign_id = ?""").params(message, org, campaign).update();
    jdbc.sql("""
        insert into tracking_event (organization_id, kind, occurred_at, message_id, recipient_id, campaign_id, link_number, machine, machine_reason)
        select ?, case when r.id % 4 = 0 then 'click' else 'open' end, now() - make_interval(mins => (r.id % 200)::int), ?,
          case when r.id % 9 = 0 then null else r.id end, ?, case when r.id % 4 = 0 then 1 + (r.id % 3)::int end,
          r.id % 7 = 0, case when r.id % 7 = 0 then 'image_proxy' end
        from outbound_recipient r where r.message_id = ? and r.state = 'delivered' and r.id % 3 <> 0""")
        .params(org, message, campaign, message).update();
    jdbc.sql("""
        insert into feedback_event (organization_id, dedupe_key, occurred_at, source, feedback_class, reason, action, message_id, recipient_id,
          campaign_id)
        select ?, 'snap:' || r.id, now(), case when r.state = 'bounced' then 'synchronous' else 'smtp' end,
          case when r.id % 2 = 0 then 'hard' else 'soft' end, case when r.id % 2 = 0 then 'userunknown' else 'mailboxfull' end, 'recorded', ?,
          r.id, ?
        from outbound_recipient r where r.message_id = ? and (r.state = 'bounced' or r.id % 13 = 5)""")
        .params(org, message, campaign, message).update();
    return new long[] {campaign, message};
  }
}
