package dev.herald.campaigns;

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
import dev.herald.suppression.SuppressionReason;
import dev.herald.suppression.Suppressions;
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
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
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
 * A campaign through Herald's MTA to Postfix's smtp-sink: each recipient's message rendered at delivery time from the
 * campaign's one content (personalized subject and body in the template, CSS inlined, preheader hidden, a text part,
 * List-Unsubscribe with https and mailto and one-click, Feedback-ID, Message-ID from campaign and ledger row, Date of
 * the hand-off), the same bytes on every call (a retry), DKIM-valid by python3-dkim and MIME-lint clean at the sink;
 * a person unsubscribed or suppressed after the hand-off is not mailed; a paused campaign's rows are held, a cancelled
 * one's end deleted.
 */
@SpringBootTest(properties = {"herald.roles=web,delivery,worker", "herald.delivery.worker.poll=50ms", "herald.delivery.route=static",
    "herald.public-url=https://news.herald.test"})
@Import(TestOrganizations.class)
class CampaignMessageSourceTest {
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
  @Autowired Suppressions suppressions;
  @Autowired CampaignMessageSource source;
  @Autowired CampaignPreviews previews;
  @Autowired Campaigns campaigns;
  @Autowired dev.herald.tenancy.Organizations organizationNames;
  @TempDir Path dir;
  static int counter;

  static final String TEMPLATE = """
      <html><head><style>p { color: #336699; } .footer { font-size: 12px; }</style></head>
      <body><div class="wrap">{{ content }}</div>
      <p class="footer">{{ organization.name }} · <a href="{{ unsubscribe_url }}">Unsubscribe</a></p></body></html>""";

  record Setup(long org, long campaign, long message, Map<String, String> dns, Map<String, Long> refs, String domain) {}

  /** An organization, its signing domain, a list of these people, a campaign sending to them, handed off to a held queue. */
  Setup campaign(String... people) {
    counter++;
    long org = organizations.create("Campaign Co " + counter, "send").id();
    String domain = "camp-" + counter + ".example";
    Map<String, String> dns = new TestSendingDomains(sendingDomains, jdbc).verifiedSigning(org, domain);
    long domainId = sendingDomains.verifiedDomainFor(org, "news@" + domain).orElseThrow().id();
    jdbc.sql("insert into custom_field (organization_id, key, label, type) values (?, 'city', 'City', 'text')").param(org).update();
    long list = jdbc.sql("insert into mailing_list (organization_id, name, optin) values (?, 'Weekly News', 'single') returning id")
        .param(org).query(Long.class).single();
    long message = bulk.open(org, domainId, MessageSourceKind.CAMPAIGN, "news@" + domain, "Hello {{ subscriber.name }}");
    bulk.hold(message); // nothing is claimed until the test releases it
    long campaign = jdbc.sql("""
        insert into campaign (organization_id, name, subject, preheader, from_address, from_name, template_source, body, body_format,
          state, sending_domain_id, message_id, started_at)
        values (?, 'Spring news', 'Hello {{ subscriber.name | default: ''friend'' }}', 'Our {{ list.name }} for you', ?, 'Camp News', ?,
          '<h1>Hi {{ subscriber.fields.city | default: ''there'' }}</h1><p>Spring is here.</p>', 'html', 'sending', ?, ?, now())
        returning id""")
        .params(org, "news@" + domain, TEMPLATE, domainId, message).query(Long.class).single();
    Instant handedOff = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Map<String, Long> refs = new HashMap<>();
    List<BulkSends.BulkRecipient> queued = new ArrayList<>();
    for (String email : people) {
      long subscriber = subscribers.addToLists(org, new Subscribers.Input(email, email.substring(0, 1).toUpperCase() + email.substring(1,
          email.indexOf('@')), Map.of("city", "Lyon"), null), List.of(list), SubscriptionStatus.SUBSCRIBED,
          new Consent.Evidence(ConsentChannel.API, "test", null, null, null, null), "test");
      long ref = jdbc.sql("""
          insert into campaign_recipient (campaign_id, subscriber_id, list_id, address, address_key, state, handed_off_at)
          values (?, ?, ?, ?, ?, 'handed_off', ?) returning id""")
          .params(campaign, subscriber, list, email, email.toLowerCase(), java.sql.Timestamp.from(handedOff)).query(Long.class).single();
      refs.put(email, ref);
      queued.add(new BulkSends.BulkRecipient(ref, email));
    }
    bulk.add(message, queued);
    return new Setup(org, campaign, message, dns, refs, domain);
  }

  Map<String, String> states(long message) {
    Map<String, String> states = new HashMap<>();
    jdbc.sql("select address, state, last_reply from outbound_recipient where message_id = ?").param(message)
        .query(rs -> {
          states.put(rs.getString(1), rs.getString(2));
        });
    return states;
  }

  String reply(long message, String address) {
    return jdbc.sql("select last_reply from outbound_recipient where message_id = ? and address = ?").params(message, address)
        .query(String.class).single();
  }

  static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waited 30 s for " + what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  MessageSource.Wanted wanted(Setup s, String address) {
    long id = jdbc.sql("select id from outbound_recipient where message_id = ? and address = ?").params(s.message(), address)
        .query(Long.class).single();
    return new MessageSource.Wanted(s.message(), id, s.refs().get(address));
  }

  @Autowired CampaignAttribution attribution;

  @Test
  void a_ledger_ref_names_its_campaign_subscriber_and_list() {
    Setup s = campaign("ann@one.example");
    long ref = s.refs().get("ann@one.example");
    long subscriber = jdbc.sql("select id from subscriber where organization_id = ? and email = 'ann@one.example'").param(s.org())
        .query(Long.class).single();
    long list = jdbc.sql("select list_id from campaign_recipient where id = ?").param(ref).query(Long.class).single();
    assertThat(attribution.byRef(ref)).contains(new CampaignAttribution.Sent(ref, s.org(), s.campaign(), subscriber, list));
    assertThat(attribution.byRef(ref + 1_000_000)).isEmpty();
  }

  @Test
  void each_recipient_gets_their_own_message_the_same_bytes_on_every_call() {
    Setup s = campaign("ann@one.example", "bob@two.example");
    jdbc.sql("update subscriber set attributes = jsonb_set(attributes, '{city}', '\"<b>Lyon</b>\"') where email = 'bob@two.example'").update();
    MessageSource.Wanted ann = wanted(s, "ann@one.example"), bob = wanted(s, "bob@two.example");
    Map<MessageSource.Wanted, MessageSource.Answer> first = source.contents(List.of(ann, bob));
    source.forget(s.campaign());
    Map<MessageSource.Wanted, MessageSource.Answer> again = source.contents(List.of(ann, bob));
    byte[] annBytes = ((MessageSource.Content) first.get(ann)).bytes();
    assertThat(((MessageSource.Content) again.get(ann)).bytes()).as("a retry sends the same bytes").isEqualTo(annBytes);
    assertThat(((MessageSource.Content) source.content(ann)).bytes()).isEqualTo(annBytes);

    String mail = new String(annBytes, StandardCharsets.UTF_8);
    String unfolded = mail.replace("\r\n ", " ").replace("\r\n\t", " ");
    assertThat(unfolded).contains("Subject: Hello Ann", "To: ann@one.example", "From: Camp News <news@" + s.domain() + ">",
        "Message-ID: <c" + s.campaign() + "." + s.refs().get("ann@one.example") + "@" + s.domain() + ">",
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click", "Feedback-ID: " + s.campaign() + ":")
        .containsPattern("List-Unsubscribe: <https://news.herald.test/p/unsubscribe\\?token=[^>]+>, <mailto:[^>]+@[^>]+\\?subject=unsubscribe>")
        .contains("multipart/alternative", "text/plain", "text/html");
    org.jsoup.nodes.Document html = org.jsoup.Jsoup.parse(decodedHtml(annBytes));
    assertThat(html.select("h1").text()).isEqualTo("Hi Lyon");
    assertThat(html.select(".wrap p").attr("style")).as("the template's CSS inlined into the body's own elements")
        .contains("color: rgb(51, 102, 153)");
    assertThat(html.select("style")).as("nothing left to inline").isEmpty();
    org.jsoup.nodes.Element preheader = html.body().child(0);
    assertThat(preheader.text()).as("the preheader, first in the body").isEqualTo("Our Weekly News for you");
    assertThat(preheader.attr("style")).contains("display:none");
    assertThat(html.select(".footer a").attr("href")).startsWith("https://news.herald.test/p/unsubscribe?token=");
    assertThat(decodedPart(annBytes, "text/plain")).contains("Hi Lyon", "Spring is here.").doesNotContain("<p");
    assertThat(new String(((MessageSource.Content) first.get(bob)).bytes(), StandardCharsets.UTF_8)).contains("Subject: Hello Bob")
        .doesNotContain("Ann");
    assertThat(org.jsoup.Jsoup.parse(decodedHtml(((MessageSource.Content) first.get(bob)).bytes())).select("h1").html())
        .as("a subscriber's field is text in the HTML, never markup").isEqualTo("Hi &lt;b&gt;Lyon&lt;/b&gt;");
    MimeLint.check(annBytes, false);
  }

  /** A decoded MIME text part with its lines as they were written (MIME ends them with CRLF). */
  static String lines(String part) {
    return part.replace("\r\n", "\n");
  }

  static String decodedHtml(byte[] bytes) {
    return decodedPart(bytes, "text/html");
  }

  static String decodedPart(byte[] bytes, String type) {
    try {
      var message = new jakarta.mail.internet.MimeMessage(null, new java.io.ByteArrayInputStream(bytes));
      var multipart = (jakarta.mail.Multipart) message.getContent();
      for (int i = 0; i < multipart.getCount(); i++) {
        if (multipart.getBodyPart(i).isMimeType(type)) return (String) multipart.getBodyPart(i).getContent();
      }
      throw new AssertionError("no " + type + " part");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void delivered_dkim_valid_and_mime_clean_and_nobody_unsubscribed_or_suppressed_since_the_hand_off_is_mailed() throws Exception {
    Setup s = campaign("cy@three.example", "dan@three.example", "eve@three.example");
    long dan = jdbc.sql("select subscriber_id from campaign_recipient where id = ?").param(s.refs().get("dan@three.example"))
        .query(Long.class).single();
    long list = jdbc.sql("select list_id from campaign_recipient where id = ?").param(s.refs().get("dan@three.example")).query(Long.class).single();
    subscribers.unsubscribe(s.org(), dan, list, "test");
    suppressions.add(s.org(), new Suppressions.NewEntry("eve@three.example", null, SuppressionReason.MANUAL, null, null), "test");
    bulk.release(s.message());

    waitFor("every row ended", () -> !states(s.message()).containsValue("queued") && !states(s.message()).containsValue("sending"));
    assertThat(states(s.message())).isEqualTo(Map.of("cy@three.example", "delivered", "dan@three.example", "failed",
        "eve@three.example", "failed"));
    assertThat(reply(s.message(), "dan@three.example")).isEqualTo("Not sent: unsubscribed since the campaign started");
    assertThat(reply(s.message(), "eve@three.example")).startsWith("Not sent: suppressed");
    assertThat(sink.sentTo("dan@three.example")).isEmpty();
    assertThat(sink.sentTo("eve@three.example")).isEmpty();

    List<String> cy = sink.sentTo("cy@three.example");
    assertThat(cy).hasSize(1);
    MimeLint.check(cy.getFirst().getBytes(StandardCharsets.ISO_8859_1), false);
    Path file = dir.resolve("cy.eml");
    Files.writeString(file, cy.getFirst(), StandardCharsets.ISO_8859_1);
    Path keys = dir.resolve("keys.tsv");
    Files.writeString(keys, s.dns().entrySet().stream().map(e -> e.getKey() + "\t" + e.getValue() + "\n").collect(Collectors.joining()));
    DebianPython.Run run = DebianPython.run("dkim_verify.py", dir, List.of(keys.toString(), file.toString()));
    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output().strip().lines().toList()).hasSize(2).allSatisfy(line -> assertThat(line).endsWith(" pass"));
    assertThat(cy.getFirst()).containsPattern("(?i)DKIM-Signature:[^\\r]*\\r\\n(?:[ \\t][^\\r]*\\r\\n)*").contains("List-Unsubscribe");
  }

  @Test
  void a_paused_campaigns_recipient_is_held_and_a_cancelled_ones_ends_deleted() throws Exception {
    Setup paused = campaign("fay@four.example");
    Setup cancelled = campaign("gil@four.example");
    jdbc.sql("update campaign set state = 'paused' where id = ?").param(paused.campaign()).update();
    jdbc.sql("update campaign set state = 'cancelled' where id = ?").param(cancelled.campaign()).update();
    // Released as if they had been in flight when the campaign stopped: their source says what to do.
    bulk.release(paused.message());
    bulk.release(cancelled.message());
    waitFor("both answered", () -> states(paused.message()).get("fay@four.example").equals("held")
        && states(cancelled.message()).get("gil@four.example").equals("deleted"));
    assertThat(reply(cancelled.message(), "gil@four.example")).isEqualTo("Not sent: the campaign was cancelled");
    assertThat(sink.sentTo("fay@four.example")).isEmpty();
    assertThat(sink.sentTo("gil@four.example")).isEmpty();
  }

  @Test
  void the_preview_the_test_send_and_the_web_version_are_the_message_the_subscriber_got() throws Exception {
    Setup s = campaign("ida@eight.example");
    // Untracked, so the parts compare whole (a tracked campaign's preview: CampaignTrackingTest).
    jdbc.sql("update campaign set track_opens = false, track_clicks = false where id = ?").param(s.campaign()).update();
    bulk.release(s.message());
    waitFor("delivered", () -> "delivered".equals(states(s.message()).get("ida@eight.example")));
    List<String> delivered = sink.sentTo("ida@eight.example");
    assertThat(delivered).hasSize(1);
    byte[] mail = delivered.getFirst().getBytes(StandardCharsets.ISO_8859_1);
    String subject = new jakarta.mail.internet.MimeMessage(null, new java.io.ByteArrayInputStream(mail)).getSubject();

    long subscriber = jdbc.sql("select subscriber_id from campaign_recipient where id = ?").param(s.refs().get("ida@eight.example"))
        .query(Long.class).single();
    Campaign campaign = campaigns.find(s.org(), s.campaign()).orElseThrow();
    String orgName = organizationNames.name(s.org()).orElseThrow();
    CampaignRenderer.Message preview = previews.draw(campaign, orgName, subscribers.find(s.org(), subscriber).orElseThrow())
        .message();
    assertThat(preview.subject()).isEqualTo(subject).isEqualTo("Hello Ida");
    assertThat(preview.html()).as("the HTML part, the person's own links included").isEqualTo(lines(decodedHtml(mail)));
    assertThat(preview.text()).isEqualTo(lines(decodedPart(mail, "text/plain")));
    CampaignRenderer.Message web = previews.webVersion(s.campaign(), s.refs().get("ida@eight.example"), org -> orgName)
        .orElseThrow().message();
    assertThat(web.html()).isEqualTo(lines(decodedHtml(mail)));
  }
}
