package dev.herald.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.audiences.SubscriptionStatus;
import dev.herald.campaigns.Campaign;
import dev.herald.campaigns.CampaignFixtures;
import dev.herald.campaigns.CampaignForm;
import dev.herald.campaigns.Campaigns;
import dev.herald.delivery.RoutesByDomain;
import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.feedback.TestFeedback;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.SmtpSink;
import java.io.ByteArrayInputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * A campaign's report from a real send: a campaign of five people scheduled now, started and handed off by the worker,
 * delivered by the MTA to Postfix's smtp-sink (one domain's to a second smtp-sink that refuses every RCPT: a bounce
 * while sending); opens and clicks through the real tracking endpoints with the tokens of
 * the mail the sink received (people's, an Apple Mail Privacy Protection open, a click without a user agent, an open
 * with Do Not Track); a DSN and an ARF complaint sent to the inbound SMTP listener at the return paths the sink saw; a
 * one-click unsubscribe from the mail's List-Unsubscribe; a forward to a friend from the forward page. The report's
 * exact numbers through the API, its CSV, the per-recipient CSV and the page.
 */
@SpringBootTest(properties = {"herald.roles=web,delivery,worker,smtp", "herald.delivery.worker.poll=50ms", "herald.delivery.route=static",
    "herald.campaigns.poll=100ms", "herald.base-url=https://panel.herald.test", "herald.public-url=https://news.herald.test",
    "herald.sending.tracking-host=t.herald.test", "herald.tracking.flush=20ms", "herald.tracking.scanner-window=0s",
    "herald.feedback.inbound-bind=127.0.0.1"})
@AutoConfigureMockMvc
@Import({TestOrganizations.class, CampaignFixtures.class, RoutesByDomain.class})
class CampaignReportTest {
  static SmtpSink sink;
  static int inboundPort;

  @DynamicPropertySource
  static void peers(DynamicPropertyRegistry registry) throws Exception {
    sink = SmtpSink.forStaticRoute(registry);
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      inboundPort = probe.getLocalPort();
    }
    registry.add("herald.feedback.inbound-port", () -> inboundPort);
  }

  @AfterAll
  static void stopSink() throws Exception {
    sink.close();
  }

  @Autowired MockMvc mvc;
  @Autowired TestOrganizations organizations;
  @Autowired CampaignFixtures fixtures;
  @Autowired SendingDomains sendingDomains;
  @Autowired Campaigns campaigns;
  @Autowired JdbcClient jdbc;
  @Autowired ObjectMapper json;
  @Autowired RoutesByDomain.Table routes;

  static final String BODY = """
      <p>Hello</p>
      <p><a href="https://shop.example/spring">Spring</a> <a href="https://shop.example/autumn">Autumn</a>
      <a href="https://shop.example/winter">Winter</a></p>
      <p>{% if forward_url %}<a href="{{ forward_url }}">Forward to a friend</a>{% endif %}</p>""";
  static final String PERSON = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";

  /** What the sink received for one person: the return path, the mail's tracked links, pixel and one-click unsubscribe. */
  record Received(String address, String returnPath, List<String> clicks, String pixel, String unsubscribe, String forward) {}

  @Test
  void a_sent_campaigns_report_counts_what_came_back_exactly_in_the_api_and_both_csv_files() throws Exception {
    try (SmtpSink refusing = SmtpSink.start(null, "-f", "rcpt")) {
      for (String d : List.of("one.example", "two.example", "three.example", "four.example")) routes.to(d, sink.address);
      routes.to("five.example", refusing.address);
      report();
    }
  }

  void report() throws Exception {
    TestOrganizations.Created created = organizations.create("Report Co " + System.nanoTime(), "reports:read", "campaigns:read");
    current = created;
    String domain = "report-" + created.id() + ".example";
    new TestSendingDomains(sendingDomains, jdbc).verified(created.id(), domain);
    CampaignFixtures.Org org = new CampaignFixtures.Org(created, domain);
    long list = fixtures.list(org, "Readers");
    for (String person : List.of("ann@one.example", "bob@one.example", "cy@two.example", "dan@three.example", "eve@five.example")) {
      fixtures.subscriber(org, person, SubscriptionStatus.SUBSCRIBED, list);
    }
    // People's events tied to them: the organization chooses so (the default counts anonymously).
    assertThat(panel(post("/o/" + created.slug() + "/tracking").param("mode", "identified").param("ip", "none").with(csrf()), created)
        .getStatus()).isEqualTo(302);
    Campaign c = campaigns.create(org.id(), new CampaignForm("Spring report", List.of(), "Spring is here", "", org.from(), "Shop", "",
        null, BODY, "html", true, true, CampaignFixtures.lists(list)));
    campaigns.schedule(org.id(), c.id(), null, null);

    waitFor("the four delivered", () -> jdbc.sql("""
        select count(*) from outbound_recipient r join campaign c on c.message_id = r.message_id where c.id = ? and r.state = 'delivered'""")
        .param(c.id()).query(Long.class).single() == 4);
    waitFor("Eve's refusal at RCPT recorded as feedback", () -> jdbc.sql(
        "select count(*) from feedback_event where campaign_id = ? and source = 'synchronous'").param(c.id()).query(Long.class).single() == 1);
    Map<String, Received> mail = new HashMap<>();
    for (String person : List.of("ann@one.example", "bob@one.example", "cy@two.example", "dan@three.example")) {
      mail.put(person, received(person));
    }
    Received ann = mail.get("ann@one.example"), bob = mail.get("bob@one.example"), cy = mail.get("cy@two.example"),
        dan = mail.get("dan@three.example");
    assertThat(ann.clicks()).hasSize(3);

    // Opens: Ann twice, Bob once; Cy's by Apple's privacy proxy (a machine); Dan's with Do Not Track (anonymous).
    assertThat(track(ann.pixel(), PERSON, null).getStatus()).isEqualTo(200);
    assertThat(track(ann.pixel(), PERSON, null).getStatus()).isEqualTo(200);
    assertThat(track(bob.pixel(), PERSON, null).getStatus()).isEqualTo(200);
    assertThat(track(cy.pixel(), "Mozilla/5.0", null).getStatus()).isEqualTo(200);
    assertThat(track(dan.pixel(), PERSON, "1").getStatus()).isEqualTo(200);
    // Clicks: Ann on the first link twice, Bob on the second; Cy's first link by an agent that names none (a machine).
    assertThat(track(ann.clicks().get(0), PERSON, null).getHeader("Location")).isEqualTo("https://shop.example/spring");
    assertThat(track(ann.clicks().get(0), PERSON, null).getStatus()).isEqualTo(302);
    assertThat(track(bob.clicks().get(1), PERSON, null).getHeader("Location")).isEqualTo("https://shop.example/autumn");
    assertThat(track(cy.clicks().get(0), null, null).getStatus()).isEqualTo(302);

    // Dan's address bounces later (a DSN), Cy complains (ARF), both to the return paths the sink saw; Bob unsubscribes.
    inbound(dan.returnPath(), TestFeedback.dsnMessage(dan.returnPath(), dan.address(), "5.1.1", "550 5.1.1 User unknown"));
    inbound(cy.returnPath(), TestFeedback.complaintMessage(cy.returnPath(), cy.address()));
    MockHttpServletResponse left = mvc.perform(post(URI.create(bob.unsubscribe())).secure(true)
        .contentType("application/x-www-form-urlencoded").content("List-Unsubscribe=One-Click")
        .with(r -> {
          r.setServerName(URI.create(bob.unsubscribe()).getHost());
          return r;
        })).andReturn().getResponse();
    assertThat(left.getContentAsString()).isEqualTo("Unsubscribed.\n");
    // Ann forwards the campaign to a friend from her forward page (the page's form, then its POST).
    URI forward = URI.create(ann.forward());
    String form = publicPage(get(forward)).getContentAsString();
    java.util.regex.Matcher token = java.util.regex.Pattern.compile("name=\"form\" value=\"([^\"]+)\"").matcher(form);
    assertThat(token.find()).as("the forward page's form token").isTrue();
    assertThat(publicPage(post(URI.create(forward.getScheme() + "://" + forward.getHost() + forward.getRawPath()))
        .param("token", java.net.URLDecoder.decode(forward.getRawQuery().replaceFirst("^token=", ""), StandardCharsets.UTF_8))
        .param("form", token.group(1)).param("email", "friend@four.example")).getContentAsString()).contains("Sent to your friend");

    waitFor("9 tracking events stored", () -> jdbc.sql("select count(*) from tracking_event where campaign_id = ?").param(c.id())
        .query(Long.class).single() == 9);
    waitFor("the unsubscribe counted", () -> jdbc.sql("select count(*) from campaign_recipient where campaign_id = ? and unsubscribed_at is not null")
        .param(c.id()).query(Long.class).single() == 1);

    JsonNode r = api("/campaigns/" + c.id() + "/report");
    assertThat(r.get("campaignId").asLong()).isEqualTo(c.id());
    assertThat(r.get("recipients").asLong()).isEqualTo(5);
    assertThat(r.get("sent").asLong()).isEqualTo(5);
    assertThat(r.get("delivery").toString()).isEqualTo(
        "{\"delivered\":4,\"deferred\":0,\"bounced\":1,\"expired\":0,\"notSent\":0,\"waiting\":0}");
    // Eve's refusal ("500 5.3.0 Error: command failed") is classified by the reply classifier: a bounce of some class.
    List<JsonNode> feedbackRows = new ArrayList<>();
    r.get("feedback").forEach(feedbackRows::add);
    assertThat(feedbackRows).hasSize(3);
    JsonNode eves = feedbackRows.stream().filter(f -> f.get("synchronous").asLong() == 1).findFirst().orElseThrow();
    String eveClass = eves.get("feedbackClass").asString();
    assertThat(eveClass).isIn("hard", "soft", "block");
    assertThat(eves.get("recipients").asLong()).isEqualTo(1);
    assertThat(feedbackRows.stream().map(JsonNode::toString).toList()).contains(
        "{\"feedbackClass\":\"complaint\",\"reason\":\"feedback\",\"recipients\":1,\"synchronous\":0}",
        "{\"feedbackClass\":\"hard\",\"reason\":\"userunknown\",\"recipients\":1,\"synchronous\":0}");
    JsonNode bounces = r.get("bounces");
    assertThat(bounces.get("recipients").asLong()).isEqualTo(2);
    assertThat(bounces.get("synchronous").asLong()).isEqualTo(1);
    assertThat(bounces.get("hard").asLong() + bounces.get("soft").asLong() + bounces.get("block").asLong()).isEqualTo(2);
    assertThat(bounces.get(eveClass).asLong()).isEqualTo(eveClass.equals("hard") ? 2 : 1);
    assertThat(r.get("complaints").asLong()).isEqualTo(1);
    assertThat(r.get("unsubscribes").asLong()).isEqualTo(1);
    assertThat(r.get("forwards").asLong()).isEqualTo(1);
    assertThat(r.get("opens").toString()).isEqualTo("{\"unique\":2,\"total\":4,\"anonymous\":1,\"machine\":1}");
    assertThat(r.get("clicks").toString()).isEqualTo("{\"unique\":2,\"total\":3,\"anonymous\":0,\"machine\":1}");
    assertThat(r.get("links").toString()).isEqualTo("["
        + "{\"number\":1,\"url\":\"https://shop.example/spring\",\"unique\":1,\"total\":2,\"anonymous\":0,\"machine\":1},"
        + "{\"number\":2,\"url\":\"https://shop.example/autumn\",\"unique\":1,\"total\":1,\"anonymous\":0,\"machine\":0},"
        + "{\"number\":3,\"url\":\"https://shop.example/winter\",\"unique\":0,\"total\":0,\"anonymous\":0,\"machine\":0}]");
    assertThat(r.get("domains").toString()).isEqualTo("["
        + "{\"domain\":\"one.example\",\"recipients\":2,\"delivered\":2,\"deferred\":0,\"bounced\":0,\"expired\":0,\"notSent\":0,\"opened\":2,\"clicked\":2},"
        + "{\"domain\":\"five.example\",\"recipients\":1,\"delivered\":0,\"deferred\":0,\"bounced\":1,\"expired\":0,\"notSent\":0,\"opened\":0,\"clicked\":0},"
        + "{\"domain\":\"three.example\",\"recipients\":1,\"delivered\":1,\"deferred\":0,\"bounced\":1,\"expired\":0,\"notSent\":0,\"opened\":0,\"clicked\":0},"
        + "{\"domain\":\"two.example\",\"recipients\":1,\"delivered\":1,\"deferred\":0,\"bounced\":0,\"expired\":0,\"notSent\":0,\"opened\":0,\"clicked\":0}]");
    JsonNode timeline = r.get("timeline");
    assertThat(timeline.get("unit").asText()).isEqualTo("hour");
    long[] sums = new long[7];
    Instant previous = null;
    for (JsonNode p : timeline.get("periods")) {
      Instant start = Instant.parse(p.get("start").asText());
      if (previous != null) assertThat(start).as("hour after hour, no gap").isEqualTo(previous.plusSeconds(3600));
      previous = start;
      String[] names = {"delivered", "bounces", "opens", "clicks", "machineOpens", "machineClicks", "complaints"};
      for (int i = 0; i < names.length; i++) sums[i] += p.get(names[i]).asLong();
    }
    assertThat(sums).as("delivered, bounces, opens, clicks, machine opens, machine clicks, complaints over the timeline")
        .containsExactly(4, 2, 4, 3, 1, 1, 1);

    // The same figures as CSV, one number per row.
    MockHttpServletResponse figures = apiResponse("/campaigns/" + c.id() + "/report/figures.csv");
    assertThat(figures.getContentType()).isEqualTo("text/csv;charset=UTF-8");
    assertThat(figures.getHeader("Content-Disposition")).isEqualTo("attachment; filename=\"campaign-" + c.id() + "-report.csv\"");
    List<String> rows = figures.getContentAsString(StandardCharsets.UTF_8).lines().toList();
    assertThat(rows.getFirst()).isEqualTo("\uFEFFsection,item,measure,value");
    assertThat(rows).contains("summary,,sent,5", "summary,,delivered,4", "summary,,bounced,2", "summary,,bounced_while_sending,1",
        "summary,,complaints,1", "summary,,unsubscribes,1", "summary,,forwards,1", "opens,,unique,2", "opens,,total,4",
        "opens,,anonymous,1", "opens,,machine,1", "clicks,,unique,2", "clicks,,total,3", "clicks,,machine,1",
        "feedback,hard/userunknown,recipients,1", "feedback,complaint/feedback,recipients,1",
        "link,1 https://shop.example/spring,clicks,2", "link,2 https://shop.example/autumn,unique_clicks,1",
        "link,3 https://shop.example/winter,clicks,0", "domain,one.example,opened,2", "domain,three.example,bounced,1");
    assertThat(rows.stream().filter(l -> l.startsWith("timeline_hour,") && l.contains(",opens,"))
        .mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(',') + 1))).sum()).as("people's opens, the anonymous one too").isEqualTo(4);

    // One row per recipient, in queue order.
    MockHttpServletResponse people = apiResponse("/campaigns/" + c.id() + "/report/recipients.csv");
    Map<String, String> byAddress = new HashMap<>();
    List<String> lines = people.getContentAsString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines.getFirst()).isEqualTo("\uFEFFaddress,state,attempts,finished_at,last_reply,opens,clicks,machine_events,feedback,unsubscribed");
    assertThat(lines).hasSize(6);
    for (String line : lines.subList(1, 6)) byAddress.put(line.substring(0, line.indexOf(',')), line);
    assertThat(byAddress.get("ann@one.example")).startsWith("ann@one.example,delivered,1,").endsWith(",2,2,0,,no");
    assertThat(byAddress.get("bob@one.example")).endsWith(",1,1,0,,yes");
    assertThat(byAddress.get("cy@two.example")).endsWith(",0,0,2,complaint:feedback,no");
    assertThat(byAddress.get("eve@five.example")).startsWith("eve@five.example,bounced,1,").contains(",0,0,0," + eveClass + ":")
        .endsWith(",no");
    assertThat(byAddress.get("dan@three.example")).as("Dan's open was anonymous").endsWith(",0,0,0,hard:userunknown,no");

    // Another organization's key sees no such campaign; a key without reports:read is refused.
    TestOrganizations.Created other = organizations.create("Other Report Co " + System.nanoTime(), "reports:read");
    assertThat(mvc.perform(get("/api/v1/orgs/" + other.slug() + "/campaigns/" + c.id() + "/report").secure(true)
        .with(r2 -> { r2.setServerName("panel.herald.test"); return r2; })
        .header("Authorization", "Bearer " + other.apiKey())).andReturn().getResponse().getStatus()).isEqualTo(404);
    TestOrganizations.Created narrow = organizations.create("Narrow Report Co " + System.nanoTime(), "campaigns:read");
    assertThat(mvc.perform(get("/api/v1/orgs/" + narrow.slug() + "/campaigns/" + c.id() + "/report").secure(true)
        .with(r2 -> { r2.setServerName("panel.herald.test"); return r2; })
        .header("Authorization", "Bearer " + narrow.apiKey())).andReturn().getResponse().getStatus()).isEqualTo(403);

    // The page shows the same numbers.
    Document page = Jsoup.parse(panel(get("/o/" + created.slug() + "/campaigns/" + c.id() + "/report"), created).getContentAsString());
    assertThat(page.getElementById("report-sent").text()).isEqualTo("5");
    assertThat(page.getElementById("report-bounced").text()).isEqualTo("2");
    assertThat(page.getElementById("report-opens-unique").text()).isEqualTo("2");
    assertThat(page.getElementById("report-clicks-machine").text()).isEqualTo("1");
    assertThat(page.getElementById("report-unsubscribes").text()).isEqualTo("1");
    Document campaignPage = Jsoup.parse(panel(get("/o/" + created.slug() + "/campaigns/" + c.id()), created).getContentAsString());
    assertThat(campaignPage.getElementById("campaign-report-link").attr("href"))
        .isEqualTo("/o/" + created.slug() + "/campaigns/" + c.id() + "/report");
  }

  // ---- the sink's mail ---------------------------------------------------------------------------------------------

  Received received(String address) throws Exception {
    List<SmtpSink.Dump> dumps = sink.capturedFor(address);
    assertThat(dumps).as("one message for " + address).hasSize(1);
    SmtpSink.Dump dump = dumps.getFirst();
    var message = new jakarta.mail.internet.MimeMessage(null, new ByteArrayInputStream(dump.wire()));
    String html = null;
    var multipart = (jakarta.mail.Multipart) message.getContent();
    for (int i = 0; i < multipart.getCount(); i++) {
      if (multipart.getBodyPart(i).isMimeType("text/html")) html = (String) multipart.getBodyPart(i).getContent();
    }
    assertThat(html).as("the HTML part").isNotNull();
    Document d = Jsoup.parse(html);
    List<String> clicks = new ArrayList<>();
    for (var a : d.select("a[href^=https://t.herald.test/t/c/]")) clicks.add(a.attr("href"));
    String pixel = d.select("img[src^=https://t.herald.test/t/o/]").attr("src");
    String unsubscribe = null;
    for (String part : message.getHeader("List-Unsubscribe")[0].split(",")) {
      String u = part.strip().replaceAll("^<|>$", "");
      if (u.startsWith("https:")) unsubscribe = u;
    }
    return new Received(address, dump.mailFrom(), clicks.stream().distinct().toList(), pixel, unsubscribe,
        d.select("a:containsOwn(Forward to a friend)").attr("href"));
  }

  /** Fetches a tracking URL on its host, as a mail client would; {@code agent} null sends no User-Agent. */
  MockHttpServletResponse track(String url, String agent, String dnt) throws Exception {
    URI u = URI.create(url);
    MockHttpServletRequestBuilder request = get(u).secure(true).with(r -> {
      r.setServerName(u.getHost());
      r.setRemoteAddr(agent != null && agent.equals("Mozilla/5.0") ? "17.58.100.1" : "198.51.100.7");
      return r;
    });
    if (agent != null) request = request.header("User-Agent", agent);
    if (dnt != null) request = request.header("DNT", dnt);
    return mvc.perform(request).andReturn().getResponse();
  }

  /** A request to a hosted page on the public origin. */
  MockHttpServletResponse publicPage(MockHttpServletRequestBuilder request) throws Exception {
    return mvc.perform(request.secure(true).with(r -> {
      r.setServerName("news.herald.test");
      return r;
    })).andReturn().getResponse();
  }

  MockHttpServletResponse panel(MockHttpServletRequestBuilder request, TestOrganizations.Created org) throws Exception {
    return mvc.perform(request.secure(true).with(organizations.asOwner(org)).with(r -> {
      r.setServerName("panel.herald.test");
      return r;
    })).andReturn().getResponse();
  }

  TestOrganizations.Created current;

  MockHttpServletResponse apiResponse(String path) throws Exception {
    MockHttpServletResponse response = mvc.perform(get("/api/v1/orgs/" + current.slug() + path).secure(true).with(r -> {
      r.setServerName("panel.herald.test");
      return r;
    }).header("Authorization", "Bearer " + current.apiKey())).andReturn().getResponse();
    assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(200);
    return response;
  }

  JsonNode api(String path) throws Exception {
    return json.readTree(apiResponse(path).getContentAsString());
  }

  // ---- feedback to the inbound listener ----------------------------------------------------------------------------

  /** Sends one message to the inbound SMTP listener for {@code rcpt}; its 250 comes after the actions committed. */
  static void inbound(String rcpt, byte[] message) throws Exception {
    dev.herald.testsupport.InboundSmtp.deliver(inboundPort, rcpt, message);
  }


  static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waited for " + what).isLessThan(deadline);
      Thread.sleep(50);
    }
  }
}
