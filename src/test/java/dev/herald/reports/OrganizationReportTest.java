package dev.herald.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;

import dev.herald.delivery.RoutesByDomain;
import dev.herald.domains.DomainPublishing;
import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.feedback.TestFeedback;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.MutableClock;
import dev.herald.testsupport.SmtpSink;
import dev.herald.testsupport.TestClock;
import dev.herald.testsupport.TestDns;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The organization report and the deliverability panel from the API, over real events: messages sent through the send
 * API and the MTA to two smtp-sinks (one takes every recipient, one refuses every RCPT), a DSN and an ARF complaint
 * received as the inbound listener receives them (acted on by FeedbackActions), opens and clicks on the real tracking
 * endpoints; and sending domains checked against the test DNS server, one of them without DMARC. Sender protection's
 * thresholds here: judged from 5 messages, complaints 0.1 % warn and 0.3 % pause (the defaults), hard bounces never
 * (so the one pause is the complaints', whichever order the listeners run in).
 */
@SpringBootTest(properties = {"herald.roles=web,delivery", "herald.delivery.worker.poll=50ms", "herald.delivery.route=static",
    "herald.delivery.static-route=127.0.0.1:9", "herald.base-url=https://panel.herald.test", "herald.public-url=https://news.herald.test",
    "herald.tracking.flush=20ms", "herald.feedback.protection-minimum-sent=5", "herald.feedback.hard-bounce-warn=1",
    "herald.feedback.hard-bounce-pause=1"})
@AutoConfigureMockMvc
@Import({TestOrganizations.class, TestClock.class, RoutesByDomain.class})
class OrganizationReportTest {
  static final TestDns dns = TestDns.start();
  static final String INCLUDE = "_spf.herald.example";

  @DynamicPropertySource
  static void settings(DynamicPropertyRegistry registry) {
    registry.add("herald.dns.resolvers", dns::address);
    registry.add("herald.dns.timeout", () -> "PT2S");
    registry.add("herald.sending.spf-include", () -> INCLUDE);
    registry.add("herald.sending.bounce-host", () -> "bounce.herald.example");
  }

  @AfterAll
  static void stopDns() {
    dns.close();
  }

  @Autowired MockMvc mvc;
  @Autowired JdbcClient jdbc;
  @Autowired ObjectMapper json;
  @Autowired MutableClock clock;
  @Autowired TestOrganizations organizations;
  @Autowired SendingDomains sendingDomains;
  @Autowired RoutesByDomain.Table routes;
  @Autowired ApplicationContext context;
  @TempDir Path dir;
  final List<SmtpSink> sinks = new ArrayList<>();

  @AfterEach
  void closeSinks() throws Exception {
    for (SmtpSink s : sinks) s.close();
  }

  static final String CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";

  void send(TestOrganizations.Created org, String from, String to) throws Exception {
    String body = json.writeValueAsString(Map.of("from", from, "to", List.of(to), "subject", "Spring news",
        "html", "<p>Hello</p><p><a href=\"https://shop.example/spring\">Spring</a></p>", "text", "Hello",
        "trackOpens", true, "trackClicks", true));
    MockHttpServletResponse r = mvc.perform(post("/api/v1/orgs/" + org.slug() + "/messages").header("Authorization", "Bearer " + org.apiKey())
        .contentType(MediaType.APPLICATION_JSON).content(body)).andReturn().getResponse();
    assertThat(r.getStatus()).as(r.getContentAsString()).isEqualTo(202);
    // The worker claims by the application's clock; the queue's rows are due from the database's now.
    Duration behind = Duration.between(clock.instant(), Instant.now());
    if (!behind.isNegative()) clock.advance(behind.plusSeconds(1));
  }

  void awaitFinal(long orgId, int count) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (jdbc.sql("select count(*) from outbound_recipient where organization_id = ? and state in ('delivered', 'bounced')")
        .param(orgId).query(Long.class).single() < count) {
      assertThat(System.nanoTime()).as("recipients never all delivered or bounced").isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  JsonNode api(TestOrganizations.Created org, String path) throws Exception {
    MockHttpServletResponse r = mvc.perform(get("/api/v1/orgs/" + org.slug() + path).header("Authorization", "Bearer " + org.apiKey()))
        .andReturn().getResponse();
    assertThat(r.getStatus()).as(r.getContentAsString()).isEqualTo(200);
    return json.readTree(r.getContentAsString());
  }

  /** The decoded HTML part of a captured message. */
  static String html(byte[] wire) throws Exception {
    MimeMessage m = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(wire));
    return htmlOf(m);
  }

  static String htmlOf(Part p) throws Exception {
    if (p.isMimeType("text/html")) return (String) p.getContent();
    if (p.isMimeType("multipart/*")) {
      Multipart mp = (Multipart) p.getContent();
      for (int i = 0; i < mp.getCount(); i++) {
        String h = htmlOf(mp.getBodyPart(i));
        if (h != null) return h;
      }
    }
    return null;
  }

  MockHttpServletResponse track(String url, String agent, String ip) throws Exception {
    URI uri = URI.create(url);
    return mvc.perform(get(uri).with(r -> {
      r.setServerName(uri.getHost());
      r.setRemoteAddr(ip);
      r.addHeader("User-Agent", agent);
      return r;
    })).andReturn().getResponse();
  }

  @Test
  void the_overview_counts_each_day_what_was_sent_bounced_complained_opened_and_clicked_and_the_complaints_pause_sending()
      throws Exception {
    TestOrganizations.Created org = organizations.create("Report Co", "send", "reports:read");
    new TestSendingDomains(sendingDomains, jdbc).verifiedSigning(org.id(), "report-co.example");
    SmtpSink accepting = SmtpSink.start(SmtpSink.directory(dir, "accept"));
    sinks.add(accepting);
    SmtpSink refusing = SmtpSink.start(null, "-f", "rcpt");
    sinks.add(refusing);
    routes.to("accept.example", accepting.address);
    routes.to("reject.example", refusing.address);

    // Two refused at RCPT, then five taken. The application's clock stands still from the last send on, so a5's delivery
    // and the click below on its link happen at the same instant (a scanner's click), whatever the load.
    for (int i = 1; i <= 2; i++) send(org, "news@report-co.example", "b" + i + "@reject.example");
    awaitFinal(org.id(), 2);
    for (int i = 1; i <= 5; i++) send(org, "news@report-co.example", "a" + i + "@accept.example");
    awaitFinal(org.id(), 7);

    // Each person's own tracking links and return path, from the mail as the sink received it.
    Pattern open = Pattern.compile("https://[^\"/]+/t/o/[A-Za-z0-9]+");
    Pattern click = Pattern.compile("https://[^\"/]+/t/c/[A-Za-z0-9]+");
    Map<String, String> opens = new HashMap<>(), clicks = new HashMap<>(), returnPaths = new HashMap<>();
    List<SmtpSink.Dump> dumps = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while ((dumps = accepting.captured()).size() < 5 && System.nanoTime() < deadline) Thread.sleep(50);
    assertThat(dumps).hasSize(5);
    for (SmtpSink.Dump d : dumps) {
      String to = d.recipients().getFirst();
      String h = html(d.wire());
      Matcher o = open.matcher(h), c = click.matcher(h);
      assertThat(o.find()).as("open pixel for " + to).isTrue();
      assertThat(c.find()).as("tracked link for " + to).isTrue();
      opens.put(to, o.group());
      clicks.put(to, c.group());
      returnPaths.put(to, d.mailFrom());
    }

    // Opens: three people, and Apple's privacy proxy for a fourth (a machine). A click at once after delivery is a scanner's.
    for (String who : List.of("a1", "a2", "a3")) assertThat(track(opens.get(who + "@accept.example"), CHROME, "198.51.100.7").getStatus()).isEqualTo(200);
    assertThat(track(opens.get("a4@accept.example"), "Mozilla/5.0", "17.58.0.1").getStatus()).isEqualTo(200);
    assertThat(track(clicks.get("a5@accept.example"), CHROME, "198.51.100.7").getStatus()).isEqualTo(302);
    clock.advance(Duration.ofSeconds(61));
    for (String who : List.of("a1", "a2")) assertThat(track(clicks.get(who + "@accept.example"), CHROME, "198.51.100.8").getStatus()).isEqualTo(302);

    // A complaint about a4's message, then a DSN: a3's mailbox does not exist after all.
    TestFeedback feedback = new TestFeedback(context);
    assertThat(feedback.complaint(returnPaths.get("a4@accept.example"), "a4@accept.example")).isEqualTo(1);
    assertThat(feedback.bounce(returnPaths.get("a3@accept.example"), "a3@accept.example", "5.1.1", "550 5.1.1 User unknown")).isEqualTo(1);

    deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (jdbc.sql("select count(*) from tracking_event where organization_id = ?").param(org.id()).query(Long.class).single() < 7) {
      assertThat(System.nanoTime()).as("tracking events never stored").isLessThan(deadline);
      Thread.sleep(50);
    }
    JsonNode report = api(org, "/reports/overview?days=30");
    while (!report.at("/protection/paused").asBoolean()) {
      assertThat(System.nanoTime()).as("sender protection never paused: " + report.get("protection")).isLessThan(deadline);
      Thread.sleep(100);
      report = api(org, "/reports/overview?days=30");
    }

    LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    assertThat(report.get("days").asInt()).isEqualTo(30);
    assertThat(report.get("from").asString()).isEqualTo(today.minusDays(29).toString());
    assertThat(report.get("to").asString()).isEqualTo(today.toString());
    JsonNode daily = report.get("daily");
    assertThat(daily.size()).isEqualTo(30);
    JsonNode last = daily.get(29);
    assertThat(last.get("day").asString()).isEqualTo(today.toString());
    Map<String, Long> expected = new java.util.LinkedHashMap<>();
    expected.put("sent", 7L);
    expected.put("delivered", 5L);
    expected.put("bounced", 3L);        // two refused at RCPT, one reported later by the DSN
    expected.put("hardBounces", HARD_AT_RCPT + 1);
    expected.put("complaints", 1L);
    expected.put("opens", 3L);
    expected.put("clicks", 2L);
    expected.put("machineOpens", 1L);
    expected.put("machineClicks", 1L);
    for (var e : expected.entrySet()) {
      assertThat(last.get(e.getKey()).asLong()).as("today's " + e.getKey()).isEqualTo(e.getValue());
      assertThat(report.at("/totals/" + e.getKey()).asLong()).as("total " + e.getKey()).isEqualTo(e.getValue());
    }
    for (int i = 0; i < 29; i++) {
      for (String k : expected.keySet()) assertThat(daily.get(i).get(k).asLong()).as(daily.get(i).get("day") + " " + k).isZero();
    }
    assertThat(report.at("/totals/deliveryRate").asDouble()).isEqualTo(5.0 / 7);
    assertThat(report.at("/totals/bounceRate").asDouble()).isEqualTo(3.0 / 7);
    assertThat(report.at("/totals/complaintRate").asDouble()).isEqualTo(1.0 / 7);

    JsonNode protection = report.get("protection");
    assertThat(protection.get("sent").asLong()).isEqualTo(7);
    assertThat(protection.get("minimumSent").asLong()).isEqualTo(5);
    assertThat(protection.get("judged").asBoolean()).isTrue();
    assertThat(protection.at("/complaints/counted").asLong()).isEqualTo(1);
    assertThat(protection.at("/complaints/rate").asDouble()).isEqualTo(1.0 / 7);
    assertThat(protection.at("/complaints/warn").asDouble()).isEqualTo(0.001);
    assertThat(protection.at("/complaints/pause").asDouble()).isEqualTo(0.003);
    assertThat(protection.at("/complaints/level").asString()).isEqualTo("pause");
    assertThat(protection.at("/hardBounces/counted").asLong()).isEqualTo(HARD_AT_RCPT + 1);
    assertThat(protection.at("/hardBounces/level").isNull()).isTrue();
    assertThat(protection.get("alerts").size()).isEqualTo(1);
    assertThat(protection.at("/alerts/0/level").asString()).isEqualTo("pause");
    assertThat(protection.at("/alerts/0/metric").asString()).isEqualTo("complaints");

    // The deliverability panel's complaint line judges the same rate against the providers' 0.3 %.
    JsonNode deliverability = api(org, "/reports/deliverability");
    JsonNode complaintLine = line(deliverability.get("organization"), "Complaint rate");
    assertThat(complaintLine.get("state").asString()).isEqualTo("fail");
    assertThat(complaintLine.get("reason").asString()).startsWith("14.29 % (1 of 7 messages in the last 7 days)");
  }

  /**
   * Hard bounces among the two refusals at RCPT: none. smtp-sink's "500 5.3.0 Error: command failed" names a mail-system
   * fault, not a mailbox that does not exist, and the reply classifier does not read it as hard (they count as bounced).
   */
  static final long HARD_AT_RCPT = 0;

  static JsonNode line(JsonNode lines, String rule) {
    for (JsonNode l : lines) if (l.get("rule").asString().equals(rule)) return l;
    throw new AssertionError("no line " + rule + " in " + lines);
  }

  @Test
  void the_deliverability_panel_reads_each_domains_stored_checks_and_says_what_is_missing() throws Exception {
    TestOrganizations.Created org = organizations.create("Deliverability Co", "reports:read");
    dns.txt(INCLUDE, "v=spf1 ip4:127.0.0.1 -all");
    TestSendingDomains domains = new TestSendingDomains(sendingDomains, jdbc);
    long good = domains.added(org.id(), "good-sender.example");
    long noDmarc = domains.added(org.id(), "no-dmarc.example");
    assertThat(DomainPublishing.publishAndCheck(sendingDomains, dns, org.id(), good)).isTrue();
    dns.remove("_dmarc.no-dmarc.example");
    assertThat(DomainPublishing.publishAndCheck(sendingDomains, dns, org.id(), noDmarc)).isTrue();
    // publishAndCheck publishes every record; take DMARC away again and check as the owner does.
    dns.remove("_dmarc.no-dmarc.example");
    assertThat(mvc.perform(post("/o/" + org.slug() + "/domains/" + noDmarc + "/check").with(organizations.asOwner(org))
        .with(csrf()))
        .andReturn().getResponse().getStatus()).isBetween(200, 399);
    int queries = dns.queries().size();

    JsonNode report = api(org, "/reports/deliverability");
    assertThat(dns.queries()).as("the panel asks DNS nothing").hasSize(queries);
    assertThat(report.get("state").asString()).isEqualTo("fail");
    JsonNode list = report.get("domains");
    assertThat(list.size()).isEqualTo(2);
    JsonNode goodDomain = list.get(0), missing = list.get(1);
    assertThat(goodDomain.get("name").asString()).isEqualTo("good-sender.example");
    assertThat(goodDomain.get("verified").asBoolean()).isTrue();
    assertThat(goodDomain.get("state").asString()).isEqualTo("ok");
    assertThat(line(goodDomain.get("lines"), "SPF").get("reason").asString())
        .isEqualTo("SPF passes for the return path bounces.good-sender.example and aligns with the From domain (relaxed alignment).");
    assertThat(line(goodDomain.get("lines"), "DKIM").get("reason").asString())
        .isEqualTo("Mail is signed with d=good-sender.example, the From domain: DKIM passes and aligns.");
    assertThat(line(goodDomain.get("lines"), "DMARC").get("reason").asString()).startsWith("p=none; ").contains("SPF aligned");
    for (JsonNode l : goodDomain.get("lines")) assertThat(l.get("todo").asString()).isEmpty();

    assertThat(missing.get("name").asString()).isEqualTo("no-dmarc.example");
    assertThat(missing.get("state").asString()).isEqualTo("fail");
    assertThat(line(missing.get("lines"), "SPF").get("state").asString()).isEqualTo("ok");
    assertThat(line(missing.get("lines"), "DKIM").get("state").asString()).isEqualTo("ok");
    JsonNode dmarc = line(missing.get("lines"), "DMARC");
    assertThat(dmarc.get("state").asString()).isEqualTo("fail");
    assertThat(dmarc.get("reason").asString()).startsWith("No DMARC record at _dmarc.no-dmarc.example nor above it")
        .contains("Gmail and Yahoo require a DMARC record");
    assertThat(dmarc.get("todo").asString())
        .isEqualTo("Publish a TXT record at _dmarc.no-dmarc.example: v=DMARC1; p=none; adkim=r; aspf=r (p=none is enough to start).");

    JsonNode organization = report.get("organization");
    assertThat(line(organization, "One-click unsubscribe").get("state").asString()).isEqualTo("ok");
    assertThat(line(organization, "Complaint rate").get("state").asString()).isEqualTo("ok");
    assertThat(line(organization, "Complaint rate").get("reason").asString()).isEqualTo("No mail ended delivered or bounced in the last 7 days.");
    assertThat(line(organization, "TLS").get("state").asString()).isEqualTo("ok");
    assertThat(report.get("notChecked").get(0).asString()).startsWith("Reverse DNS (PTR)");
  }

  @Test
  void days_out_of_range_are_refused_naming_the_field_and_a_key_without_reports_read_is_forbidden() throws Exception {
    TestOrganizations.Created reader = organizations.create("Report Range Co", "reports:read");
    for (String days : List.of("0", "91", "thirty")) {
      MockHttpServletResponse r = mvc.perform(get("/api/v1/orgs/" + reader.slug() + "/reports/overview?days=" + days)
          .header("Authorization", "Bearer " + reader.apiKey())).andReturn().getResponse();
      assertThat(r.getStatus()).as(days).isEqualTo(422);
      assertThat(r.getContentAsString()).contains("\"days\"");
    }
    assertThat(api(reader, "/reports/overview?days=1").get("daily").size()).isEqualTo(1);
    assertThat(api(reader, "/reports/overview?days=90").get("daily").size()).isEqualTo(90);
    TestOrganizations.Created sender = organizations.create("Report Scope Co", "send");
    for (String path : List.of("/reports/overview", "/reports/deliverability")) {
      assertThat(mvc.perform(get("/api/v1/orgs/" + sender.slug() + path).header("Authorization", "Bearer " + sender.apiKey()))
          .andReturn().getResponse().getStatus()).as(path).isEqualTo(403);
    }
  }
}
