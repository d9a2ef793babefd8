package dev.herald.campaigns;

import static dev.herald.campaigns.CampaignMessageSourceTest.decodedHtml;
import static dev.herald.campaigns.CampaignMessageSourceTest.decodedPart;
import static dev.herald.campaigns.CampaignMessageSourceTest.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.audiences.Consent;
import dev.herald.audiences.ConsentChannel;
import dev.herald.audiences.Subscribers;
import dev.herald.audiences.SubscriptionStatus;
import dev.herald.delivery.BulkSends;
import dev.herald.delivery.MessageSource;
import dev.herald.delivery.MessageSourceKind;
import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.messages.DebianPython;
import dev.herald.messages.LinkTracking;
import dev.herald.suppression.SuppressionReason;
import dev.herald.suppression.Suppressions;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.MimeLint;
import dev.herald.testsupport.SmtpSink;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Forward-to-a-friend over a real socket and through the real MTA: the recipient's {@code forward_url} opens a page
 * whose GET sends nothing; its form sends the campaign once to the friend through the queue, DKIM-signed by the
 * campaign's domain, From the campaign's sender, with none of the recipient's data, no unsubscribe link and no
 * tracking; once delivered, no table holds the friend's address; the organization sees the count. Abuse: the cap per
 * link, the form token, another site's POST, a tampered link, a bad address (a clear error), a suppressed friend
 * (answered alike, not sent).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {"herald.roles=web,delivery",
    "herald.delivery.worker.poll=50ms", "herald.delivery.route=static", "herald.sending.tracking-host=t.herald.test"})
@Import(TestOrganizations.class)
class ForwardTest {
  static SmtpSink sink;

  @DynamicPropertySource
  static void staticRoute(DynamicPropertyRegistry registry) throws Exception {
    sink = SmtpSink.forStaticRoute(registry);
  }

  @AfterAll
  static void stopSink() throws Exception {
    sink.close();
  }

  @LocalServerPort int port;
  @Autowired TestOrganizations organizations;
  @Autowired SendingDomains sendingDomains;
  @Autowired JdbcClient jdbc;
  @Autowired BulkSends bulk;
  @Autowired Subscribers subscribers;
  @Autowired Suppressions suppressions;
  @Autowired CampaignMessageSource source;
  @Autowired Forwards forwards;
  @TempDir Path dir;
  final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  static int counter;
  static final Pattern FORM = Pattern.compile("name=\"form\" value=\"([^\"]+)\"");

  static final String TEMPLATE = """
      <html><body><h1>Hello {{ subscriber.name | default: 'there' }}</h1>{{ content }}
      <p>{% if forward_url %}<a href="{{ forward_url }}">Forward to a friend</a>{% endif %}
      <a href="{{ web_version_url }}">Web</a> <a href="{{ unsubscribe_url }}">Unsubscribe</a>
      <span>{{ subscriber.email }}</span> <span>{{ list.name }}</span></p></body></html>""";

  record Setup(long org, long campaign, long message, Map<String, String> dns, long ref, String forwardPath) {}

  /**
   * A sent campaign (clicks and opens tracked) to one subscriber, Ann, whose own message is held in the queue: her
   * rendered message gives her forward link.
   */
  Setup campaign() {
    counter++;
    long org = organizations.create("Forward Co " + counter, "send").id();
    String domain = "fwd-" + counter + ".example";
    Map<String, String> dns = new TestSendingDomains(sendingDomains, jdbc).verifiedSigning(org, domain);
    SendingDomains.VerifiedDomain verified = sendingDomains.verifiedDomainFor(org, "news@" + domain).orElseThrow();
    long list = jdbc.sql("insert into mailing_list (organization_id, name, optin) values (?, 'Weekly News', 'single') returning id")
        .param(org).query(Long.class).single();
    long message = bulk.open(org, verified.id(), MessageSourceKind.CAMPAIGN, "news@" + domain, "Spring news");
    bulk.hold(message);
    long campaign = jdbc.sql("""
        insert into campaign (organization_id, name, subject, from_address, from_name, reply_to, template_source, body, body_format,
          state, sending_domain_id, message_id, started_at, track_opens, track_clicks)
        values (?, 'Spring', 'Spring news for {{ subscriber.name | default: ''you'' }}', ?, 'Camp News', ?, ?,
          '<p>Read <a href="https://shop.example/spring">the shop</a>.</p>', 'html', 'sending', ?, ?, now(), true, true)
        returning id""")
        .params(org, "news@" + domain, "replies@" + domain, TEMPLATE, verified.id(), message).query(Long.class).single();
    String ann = "ann" + counter + "@readers.example";
    long subscriber = subscribers.addToLists(org, new Subscribers.Input(ann, "Ann Reader", Map.of(), null), List.of(list),
        SubscriptionStatus.SUBSCRIBED, new Consent.Evidence(ConsentChannel.API, "test", null, null, null, null), "test");
    Instant handedOff = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    long ref = jdbc.sql("""
        insert into campaign_recipient (campaign_id, subscriber_id, list_id, address, address_key, state, handed_off_at)
        values (?, ?, ?, ?, ?, 'handed_off', ?) returning id""")
        .params(campaign, subscriber, list, ann, ann, java.sql.Timestamp.from(handedOff)).query(Long.class).single();
    bulk.add(message, List.of(new BulkSends.BulkRecipient(ref, ann)));
    long recipient = jdbc.sql("select id from outbound_recipient where message_id = ?").param(message).query(Long.class).single();
    byte[] annMail = ((MessageSource.Content) source.content(new MessageSource.Wanted(message, recipient, ref))).bytes();
    Document html = Jsoup.parse(decodedHtml(annMail));
    assertThat(html.select("a[href*=" + LinkTracking.CLICK_PATH + "]")).as("Ann's copy is tracked").isNotEmpty();
    String forwardLink = html.select("a:containsOwn(Forward to a friend)").attr("href");
    assertThat(forwardLink).as("forward_url in Ann's message").contains("/p/forward?token=");
    URI u = URI.create(forwardLink);
    return new Setup(org, campaign, message, dns, ref, u.getRawPath() + "?" + u.getRawQuery());
  }

  @Test
  void the_friend_gets_the_campaign_once_signed_by_its_domain_without_the_recipients_data_and_no_table_keeps_the_address()
      throws Exception {
    Setup s = campaign();
    String friend = "friend-" + System.nanoTime() + "@friends.example";
    int sentBefore = sink.count();

    HttpResponse<String> page = get(s.forwardPath());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("Forward to a friend").contains("Spring news").contains("3 more times");
    assertThat(page.headers().allValues("Set-Cookie")).isEmpty();
    assertThat(page.headers().firstValue("Tk")).hasValue("N");
    assertThat(jdbc.sql("select count(*) from outbound_message where organization_id = ? and source = 'forward'").param(s.org())
        .query(Long.class).single()).as("a GET sends nothing").isZero();

    HttpResponse<String> sent = post(s.forwardPath(), Map.of("form", formToken(page.body()), "email", friend));
    assertThat(sent.statusCode()).isEqualTo(200);
    assertThat(sent.body()).contains("Sent to your friend").contains("2 more times");

    long message = jdbc.sql("select id from outbound_message where organization_id = ? and source = 'forward'").param(s.org())
        .query(Long.class).single();
    assertThat(jdbc.sql("select address from outbound_recipient where message_id = ?").param(message).query(String.class).single())
        .as("the queue holds the address while it delivers").isIn(friend, "");
    waitFor("the forward delivered", () -> "delivered".equals(jdbc.sql("select state from outbound_recipient where message_id = ?")
        .param(message).query(String.class).single()));
    List<String> found = sink.sentTo(friend);
    assertThat(found).hasSize(1);
    assertThat(sink.count()).as("nothing else was sent (Ann's message is held)").isEqualTo(sentBefore + 1);
    String mail = found.getFirst();
    byte[] bytes = mail.getBytes(StandardCharsets.ISO_8859_1);
    var parsed = new jakarta.mail.internet.MimeMessage(null, new java.io.ByteArrayInputStream(bytes));
    assertThat(parsed.getHeader("From")[0]).contains("news@fwd-").contains("Camp News");
    assertThat(parsed.getHeader("To")[0]).isEqualTo(friend);
    assertThat(parsed.getHeader("Reply-To")[0]).startsWith("replies@fwd-");
    assertThat(parsed.getSubject()).isEqualTo("Spring news for you");
    assertThat(parsed.getHeader("List-Unsubscribe")).as("the friend is on no list").isNull();
    String html = decodedHtml(bytes);
    String text = decodedPart(bytes, "text/plain");
    assertThat(html + text).contains("Hello there").contains("https://shop.example/spring")
        .doesNotContain("Ann").doesNotContain("ann" + counter).doesNotContain("Weekly News")
        .doesNotContain("/p/unsubscribe").doesNotContain("/p/forward").doesNotContain("/p/preferences")
        .doesNotContain(LinkTracking.CLICK_PATH).doesNotContain(LinkTracking.OPEN_PATH);
    MimeLint.check(bytes, false);
    Path file = dir.resolve("friend.eml");
    Files.writeString(file, mail, StandardCharsets.ISO_8859_1);
    Path keys = dir.resolve("keys.tsv");
    Files.writeString(keys, s.dns().entrySet().stream().map(e -> e.getKey() + "\t" + e.getValue() + "\n").collect(Collectors.joining()));
    DebianPython.Run run = DebianPython.run("dkim_verify.py", dir, List.of(keys.toString(), file.toString()));
    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output().strip().lines().toList()).isNotEmpty().allSatisfy(line -> assertThat(line).endsWith(" pass"));

    // the friend's web version names nobody either
    String web = Jsoup.parse(html).select("a:containsOwn(Web)").attr("href");
    HttpResponse<String> webPage = get(URI.create(web).getRawPath() + "?" + URI.create(web).getRawQuery());
    assertThat(webPage.statusCode()).isEqualTo(200);
    assertThat(webPage.body()).contains("Hello there").doesNotContain("Ann");

    assertThat(forwards.count(s.org(), s.campaign())).isEqualTo(1);
    assertThat(forwards.count(s.org() + 100_000, s.campaign())).as("another organization's figure").isZero();
    bulk.eraseFinishedAddresses(1000);
    assertThat(rowsHolding(friend)).as("tables whose rows hold the friend's address after the sweep").isEmpty();
    assertThat(jdbc.sql("select state from outbound_recipient where message_id = ?").param(message).query(String.class).single())
        .as("the row stays, without the address").isEqualTo("delivered");
  }

  @Test
  void each_link_forwards_three_times_then_says_so_and_bad_input_is_refused_clearly() throws Exception {
    Setup s = campaign();
    String form = formToken(get(s.forwardPath()).body());

    HttpResponse<String> bad = post(s.forwardPath(), Map.of("form", form, "email", "not an address"));
    assertThat(bad.statusCode()).isEqualTo(422);
    assertThat(bad.body()).contains("Enter your friend&#39;s email address, like name@example.com.").contains("3 more times");

    HttpResponse<String> noForm = post(s.forwardPath(), Map.of("email", "a@friends.example"));
    assertThat(noForm.statusCode()).as("a POST without the page's form token").isEqualTo(422);
    assertThat(noForm.body()).contains("This form was open too long");
    HttpResponse<String> crossSite = send(HttpRequest.newBuilder(uri(s.forwardPath())).header("Origin", "https://evil.example")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body(Map.of("form", form, "email", "b@friends.example")))).build());
    assertThat(crossSite.statusCode()).as("another site's POST").isEqualTo(403);
    String otherForm = formToken(get(campaign().forwardPath()).body());
    assertThat(post(s.forwardPath(), Map.of("form", otherForm, "email", "c@friends.example")).statusCode())
        .as("another link's form token").isEqualTo(422);
    String tampered = s.forwardPath().substring(0, s.forwardPath().length() - 3) + "AAA";
    assertThat(get(tampered).statusCode()).isEqualTo(404);
    assertThat(post(tampered, Map.of("form", form, "email", "d@friends.example")).statusCode()).isEqualTo(404);
    assertThat(forwardsQueued(s.org())).as("nothing sent so far").isZero();

    String suppressed = "blocked-" + System.nanoTime() + "@friends.example";
    suppressions.add(s.org(), new Suppressions.NewEntry(suppressed, null, SuppressionReason.MANUAL, null, null), "test");
    HttpResponse<String> quiet = post(s.forwardPath(), Map.of("form", form, "email", suppressed));
    assertThat(quiet.statusCode()).isEqualTo(200);
    assertThat(quiet.body()).as("answered like any other").contains("Sent to your friend");
    assertThat(forwardsQueued(s.org())).as("a suppressed friend is not sent").isZero();

    assertThat(post(s.forwardPath(), Map.of("form", form, "email", "e@friends.example")).statusCode()).isEqualTo(200);
    HttpResponse<String> last = post(s.forwardPath(), Map.of("form", form, "email", "f@friends.example"));
    assertThat(last.body()).contains("This link cannot forward it again.");
    HttpResponse<String> fourth = post(s.forwardPath(), Map.of("form", form, "email", "g@friends.example"));
    assertThat(fourth.statusCode()).isEqualTo(429);
    assertThat(fourth.body()).contains("No forwards left");
    assertThat(get(s.forwardPath()).body()).contains("No forwards left");
    assertThat(forwardsQueued(s.org())).isEqualTo(2);
    assertThat(forwards.count(s.org(), s.campaign())).isEqualTo(2);
    // the ledger's cap row holds a count, the queue the two friends; neither Ann's address nor any friend's is elsewhere
    assertThat(rowsHolding("e@friends.example")).isSubsetOf("outbound_recipient", "outbound_attempt");
  }

  /** One network holding many links (a leaked list of them) is stopped after {@link ForwardController#PER_NETWORK}. */
  @Test
  void one_network_gets_a_limited_number_of_forwards_over_all_links() throws Exception {
    Setup s = campaign();
    String form = formToken(get(s.forwardPath()).body());
    // The network has used its forwards on other links: attempts are counted in the database, so every node sees them.
    for (int i = 0; i < ForwardController.PER_NETWORK; i++) {
      jdbc.sql("insert into public_attempt (scope, ip, attempted_at) values ('forward', '127.0.0.1', now())").update();
    }
    try {
      HttpResponse<String> limited = post(s.forwardPath(), Map.of("form", form, "email", "h@friends.example"));
      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.headers().firstValue("Retry-After")).hasValue("600");
      assertThat(limited.body()).contains("Too many forwards from your network.");
      assertThat(forwardsQueued(s.org())).isZero();
      // Another network's attempts do not count against this one, and old attempts age out.
      jdbc.sql("update public_attempt set ip = '192.0.2.7' where scope = 'forward' and ip = '127.0.0.1'").update();
      assertThat(post(s.forwardPath(), Map.of("form", form, "email", "h@friends.example")).statusCode()).isEqualTo(200);
      assertThat(forwardsQueued(s.org())).isEqualTo(1);
    } finally {
      jdbc.sql("delete from public_attempt where scope = 'forward'").update();
    }
  }

  long forwardsQueued(long org) {
    return jdbc.sql("select count(*) from outbound_recipient r join outbound_message m on m.id = r.message_id "
        + "where m.organization_id = ? and m.source = 'forward'").param(org).query(Long.class).single();
  }

  /**
   * The tables any of whose rows holds {@code address}, as text or in a bytea column (the row's text shows bytea in
   * hex): every table of the schema, so a copy kept anywhere is found.
   */
  List<String> rowsHolding(String address) {
    String hex = java.util.HexFormat.of().formatHex(address.getBytes(StandardCharsets.UTF_8));
    List<String> holding = new ArrayList<>();
    for (String table : jdbc.sql("""
        select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'
        order by table_name""").query(String.class).list()) {
      long n = jdbc.sql("select count(*) from \"" + table + "\" x where strpos(lower(x::text), ?) > 0 or strpos(lower(x::text), ?) > 0")
          .params(address.toLowerCase(), hex).query(Long.class).single();
      if (n > 0) holding.add(table);
    }
    return holding;
  }

  static String formToken(String page) {
    Matcher m = FORM.matcher(page);
    assertThat(m.find()).as("the page's form token").isTrue();
    return m.group(1);
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  HttpResponse<String> get(String path) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).header("Accept", "text/html").build());
  }

  HttpResponse<String> post(String path, Map<String, String> fields) throws Exception {
    Map<String, String> all = new LinkedHashMap<>();
    URI u = uri(path);
    String token = u.getRawQuery().substring("token=".length());
    all.put("token", java.net.URLDecoder.decode(token, StandardCharsets.UTF_8));
    all.putAll(fields);
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + u.getRawPath()))
        .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "text/html")
        .POST(HttpRequest.BodyPublishers.ofString(body(all))).build());
  }

  static String body(Map<String, String> fields) {
    return fields.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }

  HttpResponse<String> send(HttpRequest request) throws Exception {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
