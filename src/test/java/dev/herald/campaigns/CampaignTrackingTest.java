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
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.MimeLint;
import dev.herald.testsupport.SmtpSink;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Campaign mail honours the campaign's tracking options: with clicks tracked, the HTML's written-out http(s) links go
 * through the tracking host with each recipient's own tokens and the link table is stored once for the campaign's
 * message; with opens, the pixel; the unsubscribe, preference and web-version links, mailto:, links marked
 * data-herald-track="off" and links holding Liquid stay as written, and so does the text part. The same bytes on every
 * call, DKIM-valid at the sink and MIME-lint clean.
 */
@SpringBootTest(properties = {"herald.roles=web,delivery,worker", "herald.delivery.worker.poll=50ms", "herald.delivery.route=static",
    "herald.public-url=https://news.herald.test", "herald.sending.tracking-host=t.herald.test"})
@Import(TestOrganizations.class)
class CampaignTrackingTest {
  static SmtpSink sink;

  @DynamicPropertySource
  static void staticRoute(DynamicPropertyRegistry registry) throws Exception {
    sink = SmtpSink.forStaticRoute(registry);
  }

  @AfterAll
  static void stopSink() throws Exception {
    sink.close();
  }

  @Autowired TestOrganizations organizations;
  @Autowired SendingDomains sendingDomains;
  @Autowired JdbcClient jdbc;
  @Autowired BulkSends bulk;
  @Autowired Subscribers subscribers;
  @Autowired CampaignMessageSource source;
  @Autowired LinkTracking tracking;
  @Autowired CampaignPreviews previews;
  @Autowired Campaigns campaigns;
  @Autowired dev.herald.tenancy.Organizations organizationNames;
  @TempDir Path dir;
  static int counter;

  static final String BODY = """
      <h1>Hi {{ subscriber.name }}</h1>
      <p><a href="https://shop.example/spring?a=1&amp;b=2">Shop</a> and <a href="https://shop.example/spring?a=1&amp;b=2">again</a>,
      <a href="https://shop.example/autumn">Autumn</a>, <a href="mailto:help@shop.example">Write</a>,
      <a href="https://shop.example/own" data-herald-track="off">Own</a>, <a href="https://shop.example/?e={{ subscriber.email }}">Mine</a>,
      <a href="{{ web_version_url }}">Web</a>, <a href="{{ preferences_url }}">Preferences</a></p>""";

  record Setup(long org, long campaign, long message, Map<String, String> dns, Map<String, Long> refs, String domain, String trackingHost) {}

  /** A campaign with the body above and these tracking options, handed off to a held queue. */
  Setup campaign(String template, boolean opens, boolean clicks, String... people) {
    return campaign(template, Map.of(), opens, clicks, people);
  }

  /** Also with these snippets of the organization, by name. */
  Setup campaign(String template, Map<String, String> snippets, boolean opens, boolean clicks, String... people) {
    counter++;
    long org = organizations.create("Tracking Co " + counter, "send").id();
    snippets.forEach((name, source) -> jdbc.sql("insert into template (organization_id, kind, name, format, source) values (?, 'snippet', ?, 'html', ?)")
        .params(org, name, source).update());
    String domain = "track-" + counter + ".example";
    Map<String, String> dns = new TestSendingDomains(sendingDomains, jdbc).verifiedSigning(org, domain);
    SendingDomains.VerifiedDomain verified = sendingDomains.verifiedDomainFor(org, "news@" + domain).orElseThrow();
    long list = jdbc.sql("insert into mailing_list (organization_id, name, optin) values (?, 'Weekly News', 'single') returning id")
        .param(org).query(Long.class).single();
    long message = bulk.open(org, verified.id(), MessageSourceKind.CAMPAIGN, "news@" + domain, "Hello");
    bulk.hold(message);
    long campaign = jdbc.sql("""
        insert into campaign (organization_id, name, subject, from_address, from_name, template_source, body, body_format,
          state, sending_domain_id, message_id, started_at, track_opens, track_clicks)
        values (?, 'Spring news', 'Hello {{ subscriber.name }}', ?, 'Camp News', ?, ?, 'html', 'sending', ?, ?, now(), ?, ?)
        returning id""")
        .params(org, "news@" + domain, template, BODY, verified.id(), message, opens, clicks).query(Long.class).single();
    Instant handedOff = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Map<String, Long> refs = new HashMap<>();
    List<BulkSends.BulkRecipient> queued = new ArrayList<>();
    for (String email : people) {
      long subscriber = subscribers.addToLists(org, new Subscribers.Input(email, email.substring(0, 1).toUpperCase() + email.substring(1,
          email.indexOf('@')), Map.of(), null), List.of(list), SubscriptionStatus.SUBSCRIBED,
          new Consent.Evidence(ConsentChannel.API, "test", null, null, null, null), "test");
      long ref = jdbc.sql("""
          insert into campaign_recipient (campaign_id, subscriber_id, list_id, address, address_key, state, handed_off_at)
          values (?, ?, ?, ?, ?, 'handed_off', ?) returning id""")
          .params(campaign, subscriber, list, email, email.toLowerCase(), java.sql.Timestamp.from(handedOff)).query(Long.class).single();
      refs.put(email, ref);
      queued.add(new BulkSends.BulkRecipient(ref, email));
    }
    bulk.add(message, queued);
    return new Setup(org, campaign, message, dns, refs, domain, sendingDomains.trackingHost(verified));
  }

  MessageSource.Wanted wanted(Setup s, String address) {
    long id = jdbc.sql("select id from outbound_recipient where message_id = ? and address = ?").params(s.message(), address)
        .query(Long.class).single();
    return new MessageSource.Wanted(s.message(), id, s.refs().get(address));
  }

  byte[] bytes(MessageSource.Wanted w) {
    return ((MessageSource.Content) source.content(w)).bytes();
  }

  List<String> links(long message) {
    return jdbc.sql("select url from outbound_link where message_id = ? order by link_number").param(message).query(String.class).list();
  }

  static String href(Document html, String text) {
    return html.select("a:containsOwn(" + text + ")").attr("href");
  }

  @Test
  void tracked_links_carry_each_recipients_tokens_the_link_table_is_stored_once_and_the_rest_stays_as_written() {
    Setup s = campaign(CampaignMessageSourceTest.TEMPLATE, true, true, "ann@one.example", "bob@two.example");
    MessageSource.Wanted ann = wanted(s, "ann@one.example"), bob = wanted(s, "bob@two.example");
    byte[] annBytes = bytes(ann);
    source.forget(s.campaign());
    assertThat(bytes(ann)).as("a retry sends the same bytes, also after the campaign is compiled again").isEqualTo(annBytes);
    byte[] bobBytes = bytes(bob);

    String click = "https://" + s.trackingHost() + LinkTracking.CLICK_PATH;
    Document html = Jsoup.parse(decodedHtml(annBytes));
    assertThat(href(html, "Shop")).isEqualTo(click + tracking.token(s.message(), ann.recipientId(), 1));
    assertThat(href(html, "again")).as("one URL is one link").isEqualTo(href(html, "Shop"));
    assertThat(href(html, "Autumn")).isEqualTo(click + tracking.token(s.message(), ann.recipientId(), 2));
    assertThat(html.select("img[src^=https://" + s.trackingHost() + LinkTracking.OPEN_PATH + "]").attr("src"))
        .isEqualTo("https://" + s.trackingHost() + LinkTracking.OPEN_PATH + tracking.token(s.message(), ann.recipientId(), 0));
    assertThat(tracking.verify(href(html, "Shop").substring(click.length())))
        .contains(new LinkTracking.Tracked(s.message(), ann.recipientId(), 1));
    assertThat(href(html, "Write")).isEqualTo("mailto:help@shop.example");
    assertThat(href(html, "Own")).isEqualTo("https://shop.example/own");
    assertThat(href(html, "Mine")).as("a link holding Liquid differs per person: not stored once, so not tracked")
        .isEqualTo("https://shop.example/?e=ann@one.example");
    assertThat(href(html, "Unsubscribe")).startsWith("https://news.herald.test/p/unsubscribe?token=");
    assertThat(href(html, "Preferences")).startsWith("https://news.herald.test/");
    assertThat(href(html, "Web")).startsWith("https://news.herald.test/");
    assertThat(new String(annBytes, StandardCharsets.US_ASCII)).doesNotContain("heraldtrackinglink");

    Document bobs = Jsoup.parse(decodedHtml(bobBytes));
    assertThat(href(bobs, "Shop")).isEqualTo(click + tracking.token(s.message(), bob.recipientId(), 1)).isNotEqualTo(href(html, "Shop"));

    assertThat(links(s.message())).as("stored once for the campaign, not per recipient")
        .containsExactly("https://shop.example/spring?a=1&b=2", "https://shop.example/autumn");
    assertThat(jdbc.sql("select track_opens and track_clicks from outbound_message where id = ?").param(s.message())
        .query(Boolean.class).single()).isTrue();
    assertThat(decodedPart(annBytes, "text/plain")).as("the text part has the links as written")
        .contains("https://shop.example/spring?a=1&b=2", "https://shop.example/autumn").doesNotContain(LinkTracking.CLICK_PATH,
            LinkTracking.OPEN_PATH);
    MimeLint.check(annBytes, false);
    MimeLint.check(bobBytes, false);
  }

  @Test
  void an_untracked_campaign_keeps_its_links_and_has_no_pixel_and_no_link_table() {
    Setup s = campaign(CampaignMessageSourceTest.TEMPLATE, false, false, "cy@three.example");
    byte[] bytes = bytes(wanted(s, "cy@three.example"));
    Document html = Jsoup.parse(decodedHtml(bytes));
    assertThat(href(html, "Shop")).isEqualTo("https://shop.example/spring?a=1&b=2");
    assertThat(html.select("img")).isEmpty();
    assertThat(new String(bytes, StandardCharsets.US_ASCII)).doesNotContain(s.trackingHost());
    assertThat(links(s.message())).isEmpty();

    Setup opensOnly = campaign(CampaignMessageSourceTest.TEMPLATE, true, false, "dan@three.example");
    MessageSource.Wanted dan = wanted(opensOnly, "dan@three.example");
    Document dans = Jsoup.parse(decodedHtml(bytes(dan)));
    assertThat(href(dans, "Shop")).isEqualTo("https://shop.example/spring?a=1&b=2");
    assertThat(dans.select("img").attr("src"))
        .isEqualTo("https://" + opensOnly.trackingHost() + LinkTracking.OPEN_PATH + tracking.token(opensOnly.message(), dan.recipientId(), 0));
    assertThat(links(opensOnly.message())).isEmpty();
  }

  @Test
  void a_template_that_filters_its_content_shares_one_link_numbering_with_the_body() {
    String template = """
        <html><body><p><a href="https://shop.example/home">Home</a></p>{{ content | strip | raw }}
        <p><a href="https://shop.example/autumn">Fall</a> <a href="{{ unsubscribe_url }}">Unsubscribe</a></p></body></html>""";
    Setup s = campaign(template, true, true, "eve@five.example");
    MessageSource.Wanted eve = wanted(s, "eve@five.example");
    byte[] bytes = bytes(eve);
    assertThat(bytes(eve)).isEqualTo(bytes);
    Document html = Jsoup.parse(decodedHtml(bytes));
    String click = "https://" + s.trackingHost() + LinkTracking.CLICK_PATH;
    assertThat(links(s.message())).containsExactly("https://shop.example/spring?a=1&b=2", "https://shop.example/autumn",
        "https://shop.example/home");
    assertThat(href(html, "Shop")).isEqualTo(click + tracking.token(s.message(), eve.recipientId(), 1));
    assertThat(href(html, "Fall")).isEqualTo(href(html, "Autumn")).isEqualTo(click + tracking.token(s.message(), eve.recipientId(), 2));
    assertThat(href(html, "Home")).isEqualTo(click + tracking.token(s.message(), eve.recipientId(), 3));
    assertThat(href(html, "Unsubscribe")).startsWith("https://news.herald.test/p/unsubscribe?token=");
    assertThat(html.select("img[src*=" + LinkTracking.OPEN_PATH + "]")).hasSize(1);
    assertThat(decodedPart(bytes, "text/plain")).contains("https://shop.example/home").doesNotContain(LinkTracking.CLICK_PATH);
    MimeLint.check(bytes, false);
  }

  @Test
  void tracked_campaign_mail_is_dkim_valid_and_mime_clean_at_the_sink() throws Exception {
    Setup s = campaign(CampaignMessageSourceTest.TEMPLATE, true, true, "fay@six.example");
    MessageSource.Wanted fay = wanted(s, "fay@six.example");
    byte[] rendered = bytes(fay);
    bulk.release(s.message());
    waitFor("delivered", () -> "delivered".equals(jdbc.sql("select state from outbound_recipient where message_id = ?")
        .param(s.message()).query(String.class).single()));
    List<String> found = sink.sentTo("fay@six.example");
    assertThat(found).hasSize(1);
    String mail = found.getFirst();
    assertThat(decodedHtml(mail.getBytes(StandardCharsets.ISO_8859_1))).as("the message sent is the one rendered, with its tokens")
        .isEqualTo(decodedHtml(rendered));
    assertThat(Jsoup.parse(decodedHtml(rendered)).select("a:containsOwn(Shop)").attr("href"))
        .endsWith(tracking.token(s.message(), fay.recipientId(), 1));
    MimeLint.check(mail.getBytes(StandardCharsets.ISO_8859_1), false);
    Path file = dir.resolve("fay.eml");
    Files.writeString(file, mail, StandardCharsets.ISO_8859_1);
    Path keys = dir.resolve("keys.tsv");
    Files.writeString(keys, s.dns().entrySet().stream().map(e -> e.getKey() + "\t" + e.getValue() + "\n").collect(Collectors.joining()));
    DebianPython.Run run = DebianPython.run("dkim_verify.py", dir, List.of(keys.toString(), file.toString()));
    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output().strip().lines().toList()).hasSize(2).allSatisfy(line -> assertThat(line).endsWith(" pass"));
  }

  /**
   * Prints (never asserts) what a recipient's message costs with tracking and without (each call includes its ledger
   * and subscriber queries), and tracking's own per-recipient work: the text part's links put back, the tokens written in.
   */
  @Test
  void prints_the_per_recipient_render_cost_with_and_without_tracking() {
    Setup plain = campaign(CampaignMessageSourceTest.TEMPLATE, false, false, "gil@seven.example");
    Setup tracked = campaign(CampaignMessageSourceTest.TEMPLATE, true, true, "hal@seven.example");
    MessageSource.Wanted g = wanted(plain, "gil@seven.example"), h = wanted(tracked, "hal@seven.example");
    int rounds = 200;
    long[] nanos = new long[2];
    for (int warm = 0; warm < 3; warm++) {
      nanos = new long[2];
      for (int n = 0; n < rounds; n++) {
        for (int i = 0; i < 2; i++) {
          long start = System.nanoTime();
          source.content(i == 0 ? g : h);
          nanos[i] += System.nanoTime() - start;
        }
      }
    }
    byte[] bytes = bytes(h);
    CampaignLinks links = source.cached(tracked.campaign()).orElseThrow().links();
    String html = decodedHtml(bytes);
    // A message holding the campaign's placeholders, as the source builds it before writing a recipient's tokens in.
    byte[] unpersonalized = new dev.herald.messages.MessageBuilder().from("news@" + tracked.domain(), null).to("hal@seven.example", null)
        .subject("Hello").messageId("m@" + tracked.domain()).date(Instant.now()).html(links.html()).text("Hello").build().bytes();
    long own = 0;
    for (int warm = 0; warm < 3; warm++) {
      long start = System.nanoTime();
      for (int n = 0; n < rounds; n++) {
        links.untracked(html);
        tracking.personalize(unpersonalized, h.messageId(), h.recipientId() + n);
      }
      own = System.nanoTime() - start;
    }
    System.out.printf("campaign message per recipient: untracked %.3f ms, tracked %.3f ms; of which tracking's own work %.1f µs%n",
        nanos[0] / 1e6 / rounds, nanos[1] / 1e6 / rounds, own / 1e3 / rounds);
    assertThat(links.links()).as("the tracked campaign's links, compiled once")
        .containsExactly("https://shop.example/spring?a=1&b=2", "https://shop.example/autumn");
    assertThat(tracking.personalize(unpersonalized, 1, 2)).isNotEqualTo(unpersonalized);
    assertThat(bytes(h)).isEqualTo(bytes);
  }

  static final String FOOTER = """
      <p><a href="https://shop.example/footer">Footer</a> <a href="{{ unsubscribe_url }}">Unsubscribe</a>
      <a href="mailto:help@shop.example">Help</a> <a href="https://shop.example/quiet" data-herald-track="off">Quiet</a>
      <a href="https://shop.example/?e={{ subscriber.email }}">Yours</a> {% include 'social' %}</p>""";

  @Test
  void links_in_snippets_are_tracked_in_the_campaigns_numbering_and_an_edited_snippet_changes_no_message() {
    Setup s = campaign("<html><body>{{ content }}{% include 'footer' %}</body></html>",
        Map.of("footer", FOOTER, "social", "<a href=\"https://social.example/shop\">Follow</a>"), true, true, "ivy@nine.example");
    MessageSource.Wanted ivy = wanted(s, "ivy@nine.example");
    byte[] bytes = bytes(ivy);
    Document html = Jsoup.parse(decodedHtml(bytes));
    String click = "https://" + s.trackingHost() + LinkTracking.CLICK_PATH;
    assertThat(links(s.message())).as("the body's links, then the snippets' (a snippet in a snippet too)").containsExactly(
        "https://shop.example/spring?a=1&b=2", "https://shop.example/autumn", "https://shop.example/footer", "https://social.example/shop");
    assertThat(href(html, "Footer")).isEqualTo(click + tracking.token(s.message(), ivy.recipientId(), 3));
    assertThat(href(html, "Follow")).isEqualTo(click + tracking.token(s.message(), ivy.recipientId(), 4));
    assertThat(href(html, "Unsubscribe")).startsWith("https://news.herald.test/p/unsubscribe?token=");
    assertThat(href(html, "Help")).isEqualTo("mailto:help@shop.example");
    assertThat(href(html, "Quiet")).isEqualTo("https://shop.example/quiet");
    assertThat(href(html, "Yours")).isEqualTo("https://shop.example/?e=ivy@nine.example");
    assertThat(html.select("img[src*=" + LinkTracking.OPEN_PATH + "]")).as("one pixel, not one per snippet").hasSize(1);
    assertThat(decodedPart(bytes, "text/plain")).contains("https://shop.example/footer", "https://social.example/shop")
        .doesNotContain(LinkTracking.CLICK_PATH);

    jdbc.sql("update template set source = '<p><a href=\"https://elsewhere.example/\">Elsewhere</a></p>' where organization_id = ? and name = 'footer'")
        .param(s.org()).update();
    source.forget(s.campaign());
    assertThat(bytes(ivy)).as("the snippets were fixed for the campaign when it was first rendered").isEqualTo(bytes);
    assertThat(links(s.message())).hasSize(4).doesNotContain("https://elsewhere.example/");
    MimeLint.check(bytes, false);
  }

  @Test
  void the_tracking_host_is_fixed_for_the_campaign_so_a_flip_of_the_domains_tracking_check_changes_no_message() {
    Setup s = campaign(CampaignMessageSourceTest.TEMPLATE, true, true, "jay@ten.example");
    MessageSource.Wanted jay = wanted(s, "jay@ten.example");
    byte[] first = bytes(jay);
    SendingDomains.VerifiedDomain domain = sendingDomains.verifiedDomainFor(s.org(), "news@" + s.domain()).orElseThrow();
    jdbc.sql("""
        insert into domain_record_check (domain_id, record, state, checked_at) values (?, 'tracking', 'ok', now())
        on conflict (domain_id, record) do update set state = 'ok'""").param(domain.id()).update();
    assertThat(sendingDomains.trackingHost(domain)).as("the domain's own tracking host now checks ok").isEqualTo("track." + s.domain())
        .isNotEqualTo(s.trackingHost());
    source.forget(s.campaign());
    assertThat(bytes(jay)).as("compiled again after the flip: the same bytes").isEqualTo(first);
    assertThat(href(Jsoup.parse(decodedHtml(first)), "Shop")).startsWith("https://" + s.trackingHost() + LinkTracking.CLICK_PATH);

    jdbc.sql("update domain_record_check set state = 'missing' where domain_id = ? and record = 'tracking'").param(domain.id()).update();
    source.forget(s.campaign());
    assertThat(bytes(jay)).as("and flipped back").isEqualTo(first);
  }

  @Test
  void the_preview_of_a_tracked_campaign_is_the_recipients_message_with_the_links_as_written() throws Exception {
    Setup s = campaign("<html><body>{{ content }}{% include 'footer' %}</body></html>",
        Map.of("footer", FOOTER, "social", "<a href=\"https://social.example/shop\">Follow</a>"), true, true, "kim@eleven.example");
    MessageSource.Wanted kim = wanted(s, "kim@eleven.example");
    byte[] mail = bytes(kim);
    long subscriber = jdbc.sql("select subscriber_id from campaign_recipient where id = ?").param(kim.ref()).query(Long.class).single();
    CampaignRenderer.Message preview = previews.draw(campaigns.find(s.org(), s.campaign()).orElseThrow(),
        organizationNames.name(s.org()).orElseThrow(), subscribers.find(s.org(), subscriber).orElseThrow()).message();

    // The delivered HTML with each tracked link put back as written and the pixel taken out is the preview's.
    List<String> urls = links(s.message());
    String delivered = java.util.regex.Pattern.compile("https://" + java.util.regex.Pattern.quote(s.trackingHost()) + "/t/c/([a-z2-7]{45})")
        .matcher(CampaignMessageSourceTest.lines(decodedHtml(mail))).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(
            org.springframework.web.util.HtmlUtils.htmlEscape(urls.get(tracking.verify(m.group(1)).orElseThrow().link() - 1))))
        .replaceAll("<img src=\"https://" + java.util.regex.Pattern.quote(s.trackingHost()) + "/t/o/[a-z2-7]{45}\"[^>]*>", "");
    assertThat(preview.html()).isEqualTo(delivered).doesNotContain(s.trackingHost());
    assertThat(preview.text()).isEqualTo(CampaignMessageSourceTest.lines(decodedPart(mail, "text/plain")));
    assertThat(preview.subject()).isEqualTo(new jakarta.mail.internet.MimeMessage(null, new java.io.ByteArrayInputStream(mail)).getSubject());
  }
}
