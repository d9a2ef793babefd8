package dev.herald.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.platform.Secrets;
import dev.herald.tenancy.Organizations;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.MutableClock;
import dev.herald.testsupport.TestClock;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Issue 13's accounts: an owner's export of all of the organization's data (a leased background job, a ZIP of CSV,
 * XLSX and JSON), closing the organization (sending and API access stop at once), reopening it within the grace
 * period, and the purge after it (with the clock moved), which leaves only the purge certificate.
 */
@SpringBootTest
@AutoConfigureMockMvc
@Import({TestOrganizations.class, TestClock.class})
class AccountClosureTest {
  @Autowired MockMvc mvc;
  @Autowired TestOrganizations orgs;
  @Autowired JdbcClient jdbc;
  @Autowired AccountExportWorker exportWorker;
  @Autowired AccountPurgeWorker purgeWorker;
  @Autowired Organizations organizations;
  @Autowired Secrets secrets;
  @Autowired MutableClock clock;
  @Autowired ObjectMapper json;

  static int counter;

  MockHttpServletResponse call(MockHttpServletRequestBuilder request) throws Exception {
    return mvc.perform(request).andReturn().getResponse();
  }

  MockHttpServletResponse api(TestOrganizations.Created org, String path) throws Exception {
    return call(get("/api/v1/orgs/" + org.slug() + path).header("Authorization", "Bearer " + org.apiKey()));
  }

  long count(String sql, Object... params) {
    return jdbc.sql(sql).params(params).query(Long.class).single();
  }

  TestOrganizations.Created organization(String name) {
    counter++;
    return orgs.create(name + " " + counter, "lists:read");
  }

  /** Data in several capabilities: a list and a subscriber with fields, consent and a formula for a name, and more. */
  void fill(TestOrganizations.Created org) {
    long list = jdbc.sql("insert into mailing_list (organization_id, name) values (?, 'Weekly news') returning id").param(org.id())
        .query(Long.class).single();
    long subscriber = jdbc.sql("""
        insert into subscriber (organization_id, email, email_key, name, attributes, tags)
        values (?, 'ann@example.com', 'ann@example.com', '=HYPERLINK("http://evil.test")', '{"city": "Lyon", "plan": 3}', '{vip,early}')
        returning id""").param(org.id()).query(Long.class).single();
    jdbc.sql("insert into subscription (list_id, subscriber_id, status) values (?, ?, 'subscribed')").params(list, subscriber).update();
    long text = jdbc.sql("insert into consent_text (organization_id, sha256, body) values (?, 'abc', 'Yes, send me the weekly news.') returning id")
        .param(org.id()).query(Long.class).single();
    jdbc.sql("""
        insert into consent_record (organization_id, subscriber_id, list_id, consent_text_id, channel, ip, given_at)
        values (?, ?, ?, ?, 'form', '192.0.2.7', now())""").params(org.id(), subscriber, list, text).update();
    long category = jdbc.sql("insert into template_category (organization_id, name) values (?, 'Newsletters') returning id").param(org.id())
        .query(Long.class).single();
    jdbc.sql("insert into template (organization_id, kind, name, category_id, format, source) values (?, 'campaign', 'Weekly', ?, 'html', '<p>Hi {{ name }}</p>')")
        .params(org.id(), category).update();
    jdbc.sql("""
        insert into media (organization_id, public_key, name, content_type, size_bytes, width, height, sha256, content)
        values (?, md5(random()::text), 'logo image.png', 'image/png', 4, 1, 1, sha256('logo'::bytea), 'PNG!'::bytea)""")
        .param(org.id()).update();
    jdbc.sql("insert into campaign (organization_id, name, tags, subject) values (?, 'Launch', '{spring,launch}', 'We launched')")
        .param(org.id()).update();
    jdbc.sql("insert into sending_domain (organization_id, name, unicode_name) values (?, ?, ?)")
        .params(org.id(), org.slug() + ".example", org.slug() + ".example").update();
    jdbc.sql("insert into suppression (organization_id, address, address_hash, reason, source) values (?, 'bob@example.com', sha256('bob@example.com'::bytea), 'manual', 'panel')").param(org.id()).update();
    String secret = "feedback:mailbox:" + org.id() + ":test";
    secrets.put(secret, "mailbox-password".getBytes(StandardCharsets.UTF_8));
    jdbc.sql("""
        insert into feedback_mailbox (organization_id, name, protocol, host, port, tls, username, secret_name, after_processing)
        values (?, 'Bounces', 'imap', '127.0.0.1', 993, 'implicit', 'bounces', ?, 'delete')""").params(org.id(), secret).update();
    long message = jdbc.sql("""
        insert into outbound_message (organization_id, source, from_address, subject, header_message_id, header_date, content)
        values (?, 'api', 'news@example.com', 'Hello', '<m1@example.com>', now(), 'Subject: Hello'::bytea) returning id""")
        .param(org.id()).query(Long.class).single();
    jdbc.sql("""
        insert into outbound_recipient (message_id, organization_id, kind, address, address_key, domain, state, last_reply)
        values (?, ?, 'to', 'carol@example.com', 'carol@example.com', 'example.com', 'delivered', '250 2.0.0 OK')""")
        .params(message, org.id()).update();
  }

  /**
   * What the sending core recorded about the organization's mail: a campaign's send ledger, opens and clicks (one
   * identified, one anonymous), a bounce, a sender alert, and a sending domain whose tracking domain checked ok.
   */
  void fillEvents(TestOrganizations.Created org) {
    long subscriber = jdbc.sql("select id from subscriber where organization_id = ? and email_key = 'ann@example.com'").param(org.id())
        .query(Long.class).single();
    long list = jdbc.sql("select id from mailing_list where organization_id = ?").param(org.id()).query(Long.class).single();
    long campaign = jdbc.sql("select id from campaign where organization_id = ?").param(org.id()).query(Long.class).single();
    long message = jdbc.sql("select id from outbound_message where organization_id = ?").param(org.id()).query(Long.class).single();
    long domain = jdbc.sql("select id from sending_domain where organization_id = ?").param(org.id()).query(Long.class).single();
    jdbc.sql("""
        insert into campaign_recipient (campaign_id, subscriber_id, list_id, address, address_key, state, handed_off_at)
        values (?, ?, ?, 'ann@example.com', 'ann@example.com', 'handed_off', now())""").params(campaign, subscriber, list).update();
    jdbc.sql("""
        insert into tracking_event (organization_id, kind, occurred_at, message_id, recipient_id, campaign_id, subscriber_id, ip)
        values (?, 'open', now(), ?, 1, ?, ?, '198.51.100.0')""").params(org.id(), message, campaign, subscriber).update();
    jdbc.sql("""
        insert into tracking_event (organization_id, kind, occurred_at, message_id, campaign_id, link_number)
        values (?, 'click', now(), ?, ?, 3)""").params(org.id(), message, campaign).update();
    jdbc.sql("""
        insert into feedback_event (organization_id, dedupe_key, occurred_at, source, feedback_class, reason, action, address, address_key,
          message_id, campaign_id, subscriber_id, reply_code, diagnostic)
        values (?, 'r1:hard', now(), 'smtp', 'hard', 'no such user', 'suppressed', 'ann@example.com', 'ann@example.com', ?, ?, ?, '550',
          '5.1.1 mailbox unavailable')""").params(org.id(), message, campaign, subscriber).update();
    jdbc.sql("""
        insert into sender_alert (organization_id, level, metric, rate, threshold, sent, counted, raised_at)
        values (?, 'warn', 'hard_bounces', 0.03, 0.02, 1000, 30, now())""").param(org.id()).update();
    jdbc.sql("insert into domain_record_check (domain_id, record, state, checked_at) values (?, 'tracking', 'ok', now())").param(domain).update();
  }

  @Test
  void tracking_and_feedback_events_and_the_send_ledger_are_exported_and_counted_by_the_purge() throws Exception {
    TestOrganizations.Created org = organization("Events Co");
    fill(org);
    fillEvents(org);
    RequestPostProcessor owner = orgs.asOwner(org);
    call(post("/o/" + org.slug() + "/closure/exports").with(owner).with(csrf()));
    long id = count("select max(id) from organization_export where organization_id = ?", org.id());
    assertThat(awaitExport(org, owner, id).path("status").asString()).isEqualTo("finished");
    Map<String, byte[]> zip = unzip(call(get("/o/" + org.slug() + "/closure/exports/" + id + "/download").with(owner)).getContentAsByteArray());

    assertThat(zip.keySet()).contains("tracking/tracking_events.csv", "tracking/tracking_events.xlsx", "tracking/tracking_events.json",
        "feedback/feedback_events.csv", "feedback/feedback_events.xlsx", "feedback/feedback_events.json", "feedback/sender_alerts.csv",
        "campaigns/campaign_recipients.csv", "campaigns/campaign_recipients.xlsx", "campaigns/campaign_recipients.json",
        "domains/tracking_domains.csv", "domains/dns_checks.json");
    JsonNode events = json.readTree(zip.get("tracking/tracking_events.json"));
    assertThat(events.size()).isEqualTo(2);
    assertThat(events.get(0).path("kind").asString()).isEqualTo("open");
    assertThat(events.get(0).path("ip").asString()).isEqualTo("198.51.100.0");
    assertThat(events.get(1).path("kind").asString()).isEqualTo("click");
    assertThat(events.get(1).path("link_number").asInt()).isEqualTo(3);
    assertThat(events.get(1).path("subscriber_id").isNull()).as("an anonymous click names nobody").isTrue();
    assertThat(new String(zip.get("tracking/tracking_events.csv"), StandardCharsets.UTF_8)).contains("open").contains("click");
    assertThat(new String(zip.get("feedback/feedback_events.csv"), StandardCharsets.UTF_8))
        .contains("ann@example.com").contains("no such user").contains("5.1.1 mailbox unavailable");
    JsonNode ledger = json.readTree(zip.get("campaigns/campaign_recipients.json"));
    assertThat(ledger.size()).isEqualTo(1);
    assertThat(ledger.get(0).path("address").asString()).isEqualTo("ann@example.com");
    assertThat(ledger.get(0).path("state").asString()).isEqualTo("handed_off");
    assertThat(new String(zip.get("domains/tracking_domains.csv"), StandardCharsets.UTF_8)).contains("track." + org.slug() + ".example")
        .contains("ok");
    JsonNode manifest = json.readTree(zip.get("manifest.json"));
    assertThat(manifest.path("tables").valueStream().filter(t -> t.path("name").asString().equals("tracking_events")).findFirst()
        .orElseThrow().path("rows").asLong()).isEqualTo(2);

    // The purge deletes them and its certificate counts exactly what there was.
    long ledgerRows = count("select count(*) from campaign_recipient r join campaign c on c.id = r.campaign_id where c.organization_id = ?",
        org.id());
    long trackingRows = count("select count(*) from tracking_event where organization_id = ?", org.id());
    long feedbackRows = count("select count(*) from feedback_event where organization_id = ?", org.id());
    long campaignId = count("select id from campaign where organization_id = ?", org.id());
    call(post("/o/" + org.slug() + "/closure/close").param("confirm", org.slug()).with(owner).with(csrf()));
    clock.advance(Duration.ofDays(31));
    purgeWorker.runDue();
    assertThat(count("select count(*) from organization where id = ?", org.id())).isZero();
    assertThat(count("select count(*) from tracking_event where organization_id = ?", org.id())).isZero();
    assertThat(count("select count(*) from feedback_event where organization_id = ?", org.id())).isZero();
    assertThat(count("select count(*) from sender_alert where organization_id = ?", org.id())).isZero();
    assertThat(count("select count(*) from campaign_recipient where campaign_id = ?", campaignId)).isZero();
    String certificate = jdbc.sql("select certificate::text from organization_purge where organization_id = ?").param(org.id())
        .query(String.class).single();
    JsonNode deleted = json.readTree(certificate).path("deleted");
    assertThat(deleted.path("tracking.tracking_events").asLong()).isEqualTo(trackingRows).isEqualTo(2);
    assertThat(deleted.path("feedback.feedback_events").asLong()).isEqualTo(feedbackRows).isEqualTo(1);
    assertThat(deleted.path("feedback.sender_alerts").asLong()).isEqualTo(1);
    assertThat(deleted.path("campaigns.campaign_recipients").asLong()).isEqualTo(ledgerRows).isEqualTo(1);
    assertThat(deleted.path("domains.tracking_domains").asLong()).isEqualTo(1);
    assertThat(certificate).doesNotContain("@");
  }

  /** Runs the export worker until the export is no longer queued or running (bounded: the scheduled poll may take it too). */
  JsonNode awaitExport(TestOrganizations.Created org, RequestPostProcessor owner, long id) throws Exception {
    JsonNode status = null;
    for (int i = 0; i < 300; i++) {
      exportWorker.runQueued();
      status = json.readTree(call(get("/api/v1/orgs/" + org.slug() + "/account-exports/" + id).with(owner)).getContentAsString());
      if (!status.path("status").asString().equals("queued") && !status.path("status").asString().equals("running")) return status;
      Thread.sleep(100);
    }
    return status;
  }

  static Map<String, byte[]> unzip(byte[] zip) throws Exception {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) entries.put(e.getName(), in.readAllBytes());
    }
    return entries;
  }

  @Test
  void an_owner_exports_every_capabilitys_data_as_a_zip_of_csv_xlsx_and_json() throws Exception {
    TestOrganizations.Created org = organization("Export Co");
    fill(org);
    RequestPostProcessor owner = orgs.asOwner(org);

    MockHttpServletResponse started = call(post("/o/" + org.slug() + "/closure/exports").with(owner).with(csrf()));
    assertThat(started.getStatus()).isEqualTo(302);
    long id = count("select max(id) from organization_export where organization_id = ?", org.id());
    MockHttpServletResponse again = call(post("/api/v1/orgs/" + org.slug() + "/account-exports").with(owner).with(csrf()));
    JsonNode status = awaitExport(org, owner, id);
    assertThat(again.getStatus()).as("one export at a time, unless the first had finished already").isIn(202, 409);
    assertThat(status.path("status").asString()).isEqualTo("finished");
    assertThat(status.path("partsDone").asInt()).isEqualTo(status.path("partsTotal").asInt()).isGreaterThanOrEqualTo(7);

    String row = call(get("/o/" + org.slug() + "/closure/exports/" + id + "/progress").with(owner)).getContentAsString();
    assertThat(row).as("the polled progress row, no longer polling once finished").contains("100%").doesNotContain("hx-trigger");
    String page = call(get("/o/" + org.slug() + "/closure").with(owner)).getContentAsString();
    assertThat(page).contains("/closure/exports/" + id + "/download").contains("100%");

    MockHttpServletResponse download = call(get("/o/" + org.slug() + "/closure/exports/" + id + "/download").with(owner));
    assertThat(download.getStatus()).isEqualTo(200);
    assertThat(download.getContentType()).isEqualTo("application/zip");
    assertThat(download.getHeader("Content-Disposition")).contains(org.slug() + "-export-");
    Map<String, byte[]> zip = unzip(download.getContentAsByteArray());

    assertThat(zip.keySet()).contains("manifest.json", "audiences/lists.csv", "audiences/lists.xlsx", "audiences/lists.json",
        "audiences/subscribers.csv", "audiences/subscribers.xlsx", "audiences/subscribers.json", "audiences/subscriptions.csv",
        "audiences/consent_records.json", "content/templates.json", "content/template_categories.csv", "content/media.csv",
        "campaigns/campaigns.json", "domains/sending_domains.csv", "suppression/suppressions.csv", "tenancy/api_keys.json",
        "delivery/delivery_servers.csv", "feedback/mailbox_monitors.json", "delivery/messages.csv", "delivery/recipients.csv");
    String subscribers = new String(zip.get("audiences/subscribers.csv"), StandardCharsets.UTF_8);
    assertThat(subscribers).contains("ann@example.com").contains("vip, early").contains("Lyon")
        .as("a formula is neutralized").contains("'=HYPERLINK").doesNotContain(",=HYPERLINK");
    JsonNode subscribersJson = json.readTree(zip.get("audiences/subscribers.json"));
    assertThat(subscribersJson.get(0).path("attributes").path("plan").asInt()).as("jsonb stays JSON").isEqualTo(3);
    assertThat(subscribersJson.get(0).path("tags").get(1).asString()).isEqualTo("early");
    assertThat(new String(zip.get("audiences/consent_records.json"), StandardCharsets.UTF_8)).contains("Yes, send me the weekly news.");
    assertThat(zip.get("content/media/" + jdbc.sql("select id from media where organization_id = ?").param(org.id()).query(Long.class).single()
        + "-logo_image.png")).isEqualTo("PNG!".getBytes(StandardCharsets.US_ASCII));
    assertThat(new String(zip.get("campaigns/campaigns.json"), StandardCharsets.UTF_8)).contains("\"launch\"").contains("We launched");
    String keys = new String(zip.get("tenancy/api_keys.json"), StandardCharsets.UTF_8);
    assertThat(keys).contains("\"prefix\"").doesNotContain("secret_hash").doesNotContain(org.apiKey());
    String mailboxes = new String(zip.get("feedback/mailbox_monitors.json"), StandardCharsets.UTF_8);
    assertThat(mailboxes).contains("Bounces").doesNotContain("mailbox-password").doesNotContain("secret_name");
    assertThat(new String(zip.get("delivery/recipients.csv"), StandardCharsets.UTF_8)).contains("carol@example.com").contains("250 2.0.0 OK");
    assertThat(zip.get("audiences/subscribers.xlsx")).startsWith((byte) 'P', (byte) 'K');
    JsonNode manifest = json.readTree(zip.get("manifest.json"));
    assertThat(manifest.path("organizationId").asLong()).isEqualTo(org.id());
    assertThat(manifest.path("tables").valueStream().filter(t -> t.path("name").asString().equals("subscribers")).findFirst().orElseThrow()
        .path("rows").asLong()).isEqualTo(1);

    // Another organization's owner sees nothing of it.
    TestOrganizations.Created other = organization("Other Co");
    assertThat(call(get("/o/" + other.slug() + "/closure/exports/" + id + "/download").with(orgs.asOwner(other))).getStatus()).isEqualTo(404);
  }

  @Test
  void closing_stops_api_access_and_sending_at_once_and_mails_the_owner() throws Exception {
    TestOrganizations.Created org = organization("Closing Co");
    RequestPostProcessor owner = orgs.asOwner(org);
    assertThat(api(org, "/lists").getStatus()).isEqualTo(200);

    MockHttpServletResponse wrong = call(post("/o/" + org.slug() + "/closure/close").param("confirm", "nope").with(owner).with(csrf()));
    assertThat(wrong.getStatus()).isEqualTo(302);
    assertThat(organizations.suspendedIds()).doesNotContain(org.id());
    assertThat(api(org, "/lists").getStatus()).as("a wrong confirmation changes nothing").isEqualTo(200);

    MockHttpServletResponse closed = call(post("/o/" + org.slug() + "/closure/close").param("confirm", org.slug()).with(owner).with(csrf()));
    assertThat(closed.getStatus()).isEqualTo(302);

    MockHttpServletResponse refused = api(org, "/lists");
    assertThat(refused.getStatus()).isEqualTo(403);
    assertThat(refused.getContentAsString()).contains("closed by its owner");
    assertThat(organizations.suspendedIds()).as("the queue, campaign hand-offs and imports hold it").contains(org.id());
    assertThat(organizations.isSuspended(org.id())).as("its hosted pages are refused").isTrue();
    assertThat(call(get("/o/" + org.slug() + "/lists").with(owner)).getStatus()).isEqualTo(403);
    assertThat(call(get("/o/" + org.slug() + "/closure").with(owner)).getContentAsString()).contains("This organization is closed");
    assertThat(call(get("/api/v1/orgs/" + org.slug() + "/account-exports/1").header("Authorization", "Bearer " + org.apiKey())).getStatus())
        .as("no API key reaches even the closure's routes").isEqualTo(403);
    assertThat(jdbc.sql("select body_text from sandbox_message where recipient = ? and purpose = 'account_closed'").param(org.ownerEmail())
        .query(String.class).single()).contains("/o/" + org.slug() + "/closure");
  }

  @Test
  void the_owner_reopens_within_the_grace_period_and_not_after_it() throws Exception {
    TestOrganizations.Created org = organization("Reopen Co");
    RequestPostProcessor owner = orgs.asOwner(org);
    call(post("/o/" + org.slug() + "/closure/close").param("confirm", org.slug()).with(owner).with(csrf()));
    assertThat(api(org, "/lists").getStatus()).isEqualTo(403);

    clock.advance(Duration.ofDays(29));
    MockHttpServletResponse reopened = call(post("/o/" + org.slug() + "/closure/reopen").with(owner).with(csrf()));
    assertThat(reopened.getRedirectedUrl()).isEqualTo("/o/" + org.slug());
    assertThat(api(org, "/lists").getStatus()).isEqualTo(200);
    assertThat(organizations.suspendedIds()).doesNotContain(org.id());

    call(post("/o/" + org.slug() + "/closure/close").param("confirm", org.slug()).with(owner).with(csrf()));
    clock.advance(Duration.ofDays(31));
    MockHttpServletResponse late = call(post("/o/" + org.slug() + "/closure/reopen").with(owner).with(csrf()));
    assertThat(late.getStatus()).isEqualTo(302);
    assertThat(count("select count(*) from organization where id = ? and closed_at is not null", org.id()))
        .as("too late: it stays closed, to be purged").isEqualTo(1);
  }

  @Test
  void after_the_grace_period_the_purge_deletes_everything_and_keeps_only_the_certificate() throws Exception {
    TestOrganizations.Created org = organization("Purged Co");
    fill(org);
    RequestPostProcessor owner = orgs.asOwner(org);
    String secret = "feedback:mailbox:" + org.id() + ":test";
    call(post("/o/" + org.slug() + "/closure/close").param("confirm", org.slug()).with(owner).with(csrf()));

    clock.advance(Duration.ofDays(30).minusMinutes(5));
    purgeWorker.runDue();
    assertThat(count("select count(*) from organization where id = ?", org.id())).as("still in its grace period").isEqualTo(1);

    clock.advance(Duration.ofMinutes(10));
    purgeWorker.runDue();
    assertThat(count("select count(*) from organization where id = ?", org.id())).isZero();
    for (String table : new String[] {"mailing_list", "subscriber", "consent_record", "template", "template_category", "media", "campaign",
        "sending_domain", "suppression", "api_key", "feedback_mailbox", "outbound_message", "outbound_recipient", "membership",
        "audit_event"}) {
      assertThat(count("select count(*) from " + table + " where organization_id = ?", org.id())).as(table).isZero();
    }
    assertThat(secrets.get(secret)).as("the mailbox's password goes with it").isEmpty();
    assertThat(count("select count(*) from app_user where email = ?", org.ownerEmail())).as("people's accounts stay").isEqualTo(1);

    long purgeId = count("select id from organization_purge where organization_id = ?", org.id());
    String certificate = jdbc.sql("select certificate::text from organization_purge where id = ?").param(purgeId).query(String.class).single();
    JsonNode deleted = json.readTree(certificate).path("deleted");
    assertThat(deleted.path("audiences.subscribers").asLong()).isEqualTo(1);
    assertThat(deleted.path("content.media files").asLong()).isEqualTo(1);
    assertThat(deleted.path("delivery.recipients").asLong()).isEqualTo(1);
    assertThat(certificate).doesNotContain("@");

    RequestPostProcessor operator = orgs.asNewOperator("operator" + counter + "@purge.test");
    assertThat(call(get("/operator/purges").with(operator)).getContentAsString()).contains(org.slug());
    MockHttpServletResponse download = call(get("/operator/purges/" + purgeId + "/certificate").with(operator));
    assertThat(download.getStatus()).isEqualTo(200);
    assertThat(download.getContentAsString()).contains("\"organizationSlug\" : \"" + org.slug() + "\"").doesNotContain("example.com");

    assertThat(jdbc.sql("select count(*) from sandbox_message where recipient = ? and purpose = 'account_purged'").param(org.ownerEmail())
        .query(Long.class).single()).isEqualTo(1);
    assertThat(purgeWorker.runDue()).as("purged once").isZero();
  }

  @Test
  void the_whole_organizations_export_through_the_api_needs_the_account_export_scope_not_privacy() throws Exception {
    TestOrganizations.Created privacyOnly = orgs.create("Privacy Key Co " + (++counter), "privacy");
    MockHttpServletResponse refused = call(post("/api/v1/orgs/" + privacyOnly.slug() + "/account-exports")
        .header("Authorization", "Bearer " + privacyOnly.apiKey()));
    assertThat(refused.getStatus()).isEqualTo(403);
    assertThat(count("select count(*) from organization_export where organization_id = ?", privacyOnly.id())).isZero();
    assertThat(call(get("/api/v1/orgs/" + privacyOnly.slug() + "/privacy/requests").header("Authorization", "Bearer " + privacyOnly.apiKey()))
        .getStatus()).as("data-subject requests keep the privacy scope").isEqualTo(200);

    TestOrganizations.Created exporter = orgs.create("Export Key Co " + (++counter), "account:export");
    MockHttpServletResponse started = call(post("/api/v1/orgs/" + exporter.slug() + "/account-exports")
        .header("Authorization", "Bearer " + exporter.apiKey()));
    assertThat(started.getStatus()).isEqualTo(202);
    assertThat(count("select count(*) from organization_export where organization_id = ?", exporter.id())).isEqualTo(1);

    RequestPostProcessor admin = orgs.asNewMember(exporter, "admin" + counter + "@export-key.test", dev.herald.tenancy.Role.admin);
    assertThat(call(post("/api/v1/orgs/" + exporter.slug() + "/account-exports").with(admin).with(csrf())).getStatus())
        .as("an admin's session neither: owners only, as on the panel").isEqualTo(403);
  }

  /** ADR 0006: a job whose node died is taken over; the dead node's attempt, if it wakes up, writes nothing. */
  @Test
  void an_export_whose_node_died_is_taken_over_and_the_stale_attempt_changes_nothing() throws Exception {
    TestOrganizations.Created org = organization("Takeover Co");
    fill(org);
    long id = jdbc.sql("""
        insert into organization_export (organization_id, status, lease_owner, lease_attempt, lease_until, started_at)
        values (?, 'running', 'dead-node:1', 5, ? , now()) returning id""")
        .params(org.id(), java.sql.Timestamp.from(clock.instant().minus(Duration.ofMinutes(1)))).query(Long.class).single();

    JsonNode status = awaitExport(org, orgs.asOwner(org), id);
    assertThat(status.path("status").asString()).isEqualTo("finished");
    long attempt = count("select lease_attempt from organization_export where id = ?", id);
    assertThat(attempt).isGreaterThan(5);
    long chunks = count("select count(*) from organization_export_chunk where export_id = ?", id);

    exportWorker.run(new dev.herald.platform.Leases.Lease(id, 5));

    assertThat(count("select count(*) from organization_export_chunk where export_id = ?", id)).isEqualTo(chunks);
    assertThat(jdbc.sql("select status from organization_export where id = ?").param(id).query(String.class).single()).isEqualTo("finished");
    byte[] zip = call(get("/o/" + org.slug() + "/closure/exports/" + id + "/download").with(orgs.asOwner(org))).getContentAsByteArray();
    assertThat(unzip(zip)).containsKey("audiences/subscribers.csv");
  }
}
