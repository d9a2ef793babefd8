package dev.herald.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.herald.audiences.Consent;
import dev.herald.audiences.ConsentChannel;
import dev.herald.audiences.Subscribers;
import dev.herald.audiences.SubscriptionStatus;
import dev.herald.delivery.BulkSends;
import dev.herald.delivery.MessageSourceKind;
import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.messages.LinkTracking;
import dev.herald.messages.ReturnPath;
import dev.herald.reports.CampaignReport;
import dev.herald.reports.CampaignReports;
import dev.herald.suppression.Suppressions;
import dev.herald.tenancy.TestOrganizations;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.SMTPServer;

/**
 * Issue 12's "done when", end to end: a campaign sent through Herald's MTA to a receiving server that refuses some
 * recipients while it sends (an in-process SMTP peer, SubEthaSMTP: smtp-sink can refuse only every RCPT or none) and a
 * real mailbox (GreenMail IMAP) holding later DSNs and an ARF report, with Herald's VERP return paths, polled by the
 * mailbox monitor. It ends with the right suppressions, subscriber statuses, feedback events and report figures:
 * hard bounces (synchronous and reported) and the complaint suppress; the block and a soft bounce below the limit do
 * not; nobody's engagement is touched by bounces; the click redirect goes to the stored URL only, and a tampered or
 * truncated token is a 404 without Location.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {"herald.roles=web,delivery",
    "herald.delivery.worker.poll=50ms", "herald.delivery.route=static", "herald.sending.tracking-host=t.herald.test",
    "herald.feedback.soft-bounce-limit=3"})
@Import(TestOrganizations.class)
class FeedbackDoneWhenTest {
  /** What the receiving server took, by recipient. */
  static final Map<String, byte[]> received = new ConcurrentHashMap<>();
  static SMTPServer receiver;

  /**
   * The receiving server: {@code gone-*} is refused as unknown (550 5.1.1), {@code blocked-*} for the sender's
   * reputation (554 5.7.1, a block: the sender's problem, not the address's); everyone else is accepted.
   */
  @DynamicPropertySource
  static void receivingServer(DynamicPropertyRegistry registry) {
    receiver = SMTPServer.port(0).bindAddress(java.net.InetAddress.getLoopbackAddress()).hostName("mx.receiver.example")
        .messageHandlerFactory(context -> new org.subethamail.smtp.MessageHandler() {
          final List<String> accepted = new ArrayList<>();

          @Override
          public void from(String from) {}

          @Override
          public void recipient(String recipient) throws RejectException {
            String local = recipient.substring(0, recipient.indexOf('@'));
            if (local.startsWith("gone")) {
              throw new RejectException(550, "5.1.1 <" + recipient + ">: The email account that you tried to reach does not exist");
            }
            if (local.startsWith("blocked")) throw new RejectException(554, "5.7.1 Message rejected due to sender reputation");
            accepted.add(recipient);
          }

          @Override
          public String data(InputStream data) throws java.io.IOException {
            byte[] bytes = data.readAllBytes();
            for (String r : accepted) received.put(r.toLowerCase(), bytes);
            return null;
          }

          @Override
          public void done() {}
        })
        .build();
    receiver.start();
    registry.add("herald.delivery.static-route", () -> "127.0.0.1:" + receiver.getPortAllocated());
  }

  @AfterAll
  static void stopReceiver() {
    receiver.stop();
  }

  @LocalServerPort int port;
  @Autowired TestOrganizations organizations;
  @Autowired SendingDomains sendingDomains;
  @Autowired JdbcClient jdbc;
  @Autowired BulkSends bulk;
  @Autowired Subscribers subscribers;
  @Autowired ReturnPath returnPath;
  @Autowired Suppressions suppressions;
  @Autowired Mailboxes mailboxes;
  @Autowired MailboxPoller poller;
  @Autowired CampaignReports reports;
  final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  static final List<String> PEOPLE = List.of("ok1@receiver.example", "ok2@receiver.example", "clicker@receiver.example",
      "gone@receiver.example", "blocked@receiver.example", "later-hard@receiver.example", "angry@receiver.example",
      "full@receiver.example");

  @Test
  void a_campaign_with_refused_recipients_and_a_mailbox_of_reports_ends_with_the_right_suppressions_statuses_events_and_report()
      throws Exception {
    long org = organizations.create("Done When Co", "send").id();
    String domain = "done-when.example";
    new TestSendingDomains(sendingDomains, jdbc).verifiedSigning(org, domain);
    SendingDomains.VerifiedDomain verified = sendingDomains.verifiedDomainFor(org, "news@" + domain).orElseThrow();
    long list = jdbc.sql("insert into mailing_list (organization_id, name, optin) values (?, 'News', 'single') returning id").param(org)
        .query(Long.class).single();
    long message = bulk.open(org, verified.id(), MessageSourceKind.CAMPAIGN, "news@" + domain, "Spring");
    bulk.hold(message); // until every row is queued: the campaign then goes out in one go
    long campaign = jdbc.sql("""
        insert into campaign (organization_id, name, subject, preheader, from_address, from_name, template_source, body, body_format,
          state, sending_domain_id, message_id, started_at, recipients, track_clicks)
        values (?, 'Spring', 'Spring', '', ?, 'News', '{{ content }}', '<p><a href="https://shop.example/spring">Shop</a></p>', 'html',
          'sending', ?, ?, now(), ?, true) returning id""")
        .params(org, "news@" + domain, verified.id(), message, PEOPLE.size()).query(Long.class).single();
    Map<String, Long> subscriberIds = new LinkedHashMap<>();
    List<BulkSends.BulkRecipient> queued = new ArrayList<>();
    for (String email : PEOPLE) {
      long subscriber = subscribers.addToLists(org, new Subscribers.Input(email, null, Map.of(), null), List.of(list),
          SubscriptionStatus.SUBSCRIBED, new Consent.Evidence(ConsentChannel.API, "test", null, null, null, null), "test");
      long ref = jdbc.sql("""
          insert into campaign_recipient (campaign_id, subscriber_id, list_id, address, address_key, state, handed_off_at)
          values (?, ?, ?, ?, ?, 'handed_off', now()) returning id""")
          .params(campaign, subscriber, list, email, email).query(Long.class).single();
      subscriberIds.put(email, subscriber);
      queued.add(new BulkSends.BulkRecipient(ref, email));
    }
    bulk.add(message, queued);
    bulk.release(message);

    waitFor("every recipient delivered or refused", () -> jdbc.sql("""
        select count(*) from outbound_recipient where message_id = ? and state in ('delivered', 'bounced')""").param(message)
        .query(Long.class).single() == PEOPLE.size());
    assertThat(states(message)).containsEntry("gone@receiver.example", "bounced").containsEntry("blocked@receiver.example", "bounced")
        .containsEntry("ok1@receiver.example", "delivered").containsEntry("full@receiver.example", "delivered");
    assertThat(received.keySet()).containsExactlyInAnyOrder("ok1@receiver.example", "ok2@receiver.example", "clicker@receiver.example",
        "later-hard@receiver.example", "angry@receiver.example", "full@receiver.example");
    // the synchronous refusals go through the classifier and actions after delivery's commit
    waitFor("the synchronous bounces acted on", () -> events(org).size() == 2);

    // Later, reports arrive in the organization's mailbox, each naming Herald's signed return path of its recipient.
    GreenMail mail = new GreenMail(new ServerSetup(MailboxPollerTest.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_IMAP));
    mail.start();
    try {
      GreenMailUser user = mail.setUser("bounces@external.example", "bounces", "secret-pw");
      deliver(user, FeedbackFixtures.dsn(verp(message, "later-hard@receiver.example", domain), "later-hard@receiver.example", "5.1.1",
          "550 5.1.1 <later-hard@receiver.example>: Recipient address rejected: User unknown in virtual mailbox table"));
      deliver(user, FeedbackFixtures.complaint(verp(message, "angry@receiver.example", domain), "angry@receiver.example"));
      deliver(user, FeedbackFixtures.dsn(verp(message, "full@receiver.example", domain), "full@receiver.example", "4.2.2",
          "452 4.2.2 <full@receiver.example>: Mailbox full"));
      mailboxes.create(org, new Mailboxes.Input("Bounces", MailboxProtocol.IMAP, "127.0.0.1", mail.getImap().getPort(), MailboxTls.NONE,
          true, "bounces", "secret-pw", "INBOX", AfterProcessing.MOVE, null));
      poller.pollDue();
    } finally {
      mail.stop();
    }

    // Suppressions: the hard bounces (refused while sending, and reported later) and the complaint; not the block, not
    // one soft bounce below the limit of 3, not the people who got the mail.
    for (String suppressed : List.of("gone@receiver.example", "later-hard@receiver.example", "angry@receiver.example")) {
      assertThat(suppressions.check(org, suppressed)).as(suppressed).isNotEmpty();
    }
    for (String kept : List.of("blocked@receiver.example", "full@receiver.example", "ok1@receiver.example", "ok2@receiver.example",
        "clicker@receiver.example")) {
      assertThat(suppressions.check(org, kept)).as(kept).isEmpty();
    }
    Map<String, String> statuses = new LinkedHashMap<>();
    subscriberIds.forEach((email, id) -> statuses.put(email, jdbc.sql("select status from subscription where subscriber_id = ? and list_id = ?")
        .params(id, list).query(String.class).single()));
    assertThat(statuses).containsExactlyInAnyOrderEntriesOf(Map.of("ok1@receiver.example", "subscribed", "ok2@receiver.example", "subscribed",
        "clicker@receiver.example", "subscribed", "gone@receiver.example", "bounced", "blocked@receiver.example", "subscribed",
        "later-hard@receiver.example", "bounced", "angry@receiver.example", "complained", "full@receiver.example", "subscribed"));
    assertThat(events(org)).containsExactlyInAnyOrder(
        "gone@receiver.example synchronous hard suppressed " + campaign,
        "blocked@receiver.example synchronous block recorded " + campaign,
        "later-hard@receiver.example mailbox hard suppressed " + campaign,
        "angry@receiver.example mailbox complaint suppressed " + campaign,
        "full@receiver.example mailbox soft counted " + campaign);

    // Nobody opened or clicked yet: bounces and complaints touch no one's engagement.
    assertThat(jdbc.sql("select count(*) from subscriber where organization_id = ? and (last_opened_at is not null or last_clicked_at is not null)")
        .param(org).query(Long.class).single()).isZero();

    // Tracking links cannot be used as open redirects: only the stored URL, and a changed token is a 404 without Location.
    String html = new String(received.get("clicker@receiver.example"), StandardCharsets.ISO_8859_1).replace("=\r\n", "");
    Matcher click = Pattern.compile("https?://[^/\"]+(" + Pattern.quote(LinkTracking.CLICK_PATH) + "[a-z0-9]{45})").matcher(html);
    assertThat(click.find()).as("a tracked link in the clicker's message").isTrue();
    String path = click.group(1);
    HttpResponse<String> real = get(path);
    assertThat(real.statusCode()).isEqualTo(302);
    assertThat(real.headers().firstValue("Location")).hasValue("https://shop.example/spring");
    char last = path.charAt(path.length() - 1);
    // A URL in place of the token: the servlet container refuses the path's "//" or encoded slashes (400) before Herald
    // sees it; no Location either way.
    for (String url : List.of("https://evil.example/", "https%3A%2F%2Fevil.example%2F")) {
      HttpResponse<String> named = get(LinkTracking.CLICK_PATH + url);
      assertThat(named.statusCode()).as(url).isIn(400, 404);
      assertThat(named.headers().firstValue("Location")).as(url).isEmpty();
    }
    for (String bad : List.of(path.substring(0, path.length() - 1) + (last == 'a' ? 'b' : 'a'), path.substring(0, path.length() - 5),
        path + "0", path + "?url=https://evil.example/", LinkTracking.CLICK_PATH + "evil.example")) {
      HttpResponse<String> refused = get(bad);
      if (bad.contains("?url=")) {
        assertThat(refused.headers().firstValue("Location")).as(bad).hasValue("https://shop.example/spring");
        continue;
      }
      assertThat(refused.statusCode()).as(bad).isEqualTo(404);
      assertThat(refused.headers().firstValue("Location")).as(bad).isEmpty();
    }

    // The campaign's report counts the same.
    CampaignReport report = reports.of(org, campaign);
    assertThat(report.sent()).isEqualTo(PEOPLE.size());
    assertThat(report.delivery().delivered()).isEqualTo(6);
    assertThat(report.delivery().bounced()).isEqualTo(2);
    assertThat(report.bounces()).isEqualTo(new CampaignReport.Bounces(4, 2, 1, 1, 2));
    assertThat(report.complaints()).isEqualTo(1);
    assertThat(report.unsubscribes()).isZero();
    assertThat(report.opens().unique()).isZero();
  }

  String verp(long message, String address, String domain) {
    long recipient = jdbc.sql("select id from outbound_recipient where message_id = ? and address = ?").params(message, address)
        .query(Long.class).single();
    return returnPath.address(message, recipient, domain);
  }

  Map<String, String> states(long message) {
    Map<String, String> states = new LinkedHashMap<>();
    jdbc.sql("select address, state from outbound_recipient where message_id = ?").param(message)
        .query(rs -> {
          states.put(rs.getString(1), rs.getString(2));
        });
    return states;
  }

  List<String> events(long org) {
    return jdbc.sql("""
        select address || ' ' || source || ' ' || feedback_class || ' ' || action || ' ' || coalesce(campaign_id::text, '-')
        from feedback_event where organization_id = ? order by id""").param(org).query(String.class).list();
  }

  static void deliver(GreenMailUser user, byte[] raw) throws Exception {
    user.deliver(new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw)));
  }

  HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waited 60 s for " + what).isLessThan(deadline);
      Thread.sleep(50);
    }
  }
}
