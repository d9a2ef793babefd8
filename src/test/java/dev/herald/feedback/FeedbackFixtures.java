package dev.herald.feedback;

import dev.herald.audiences.Consent;
import dev.herald.audiences.ConsentChannel;
import dev.herald.audiences.Subscribers;
import dev.herald.audiences.SubscriptionStatus;
import dev.herald.delivery.BulkSends;
import dev.herald.delivery.MessageSourceKind;
import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.messages.ReturnPath;
import dev.herald.tenancy.TestOrganizations;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A campaign sent (held in the queue: nothing leaves) to subscribers of one list, for feedback tests: each recipient's
 * ids and signed bounce address.
 */
final class FeedbackFixtures {
  private static int counter;

  record Sent(long organizationId, long campaignId, long listId, long messageId, String domain, Map<String, Recipient> recipients) {}

  record Recipient(String address, long recipientId, long subscriberId, long ledgerRef, String returnPath) {}

  static synchronized Sent campaign(TestOrganizations organizations, SendingDomains sendingDomains, JdbcClient jdbc, BulkSends bulk,
      Subscribers subscribers, ReturnPath returnPath, String... people) {
    counter++;
    long org = organizations.create("Feedback Co " + counter + " " + System.nanoTime(), "send").id();
    String domain = "fb-" + counter + "-" + (System.nanoTime() % 100000) + ".example";
    new TestSendingDomains(sendingDomains, jdbc).verifiedSigning(org, domain);
    long domainId = sendingDomains.verifiedDomainFor(org, "news@" + domain).orElseThrow().id();
    long list = jdbc.sql("insert into mailing_list (organization_id, name, optin) values (?, 'News', 'single') returning id")
        .param(org).query(Long.class).single();
    long message = bulk.open(org, domainId, MessageSourceKind.CAMPAIGN, "news@" + domain, "Hello");
    bulk.hold(message);
    long campaign = jdbc.sql("""
        insert into campaign (organization_id, name, subject, preheader, from_address, from_name, template_source, body, body_format,
          state, sending_domain_id, message_id, started_at)
        values (?, 'News', 'Hello', '', ?, 'News', '{{ content }}', '<p>Hi</p>', 'html', 'sending', ?, ?, now()) returning id""")
        .params(org, "news@" + domain, domainId, message).query(Long.class).single();
    Map<String, Long> refs = new HashMap<>();
    Map<String, Long> subscriberIds = new HashMap<>();
    List<BulkSends.BulkRecipient> queued = new ArrayList<>();
    for (String email : people) {
      long subscriber = subscribers.addToLists(org, new Subscribers.Input(email, null, Map.of(), null), List.of(list),
          SubscriptionStatus.SUBSCRIBED, new Consent.Evidence(ConsentChannel.API, "test", null, null, null, null), "test");
      long ref = jdbc.sql("""
          insert into campaign_recipient (campaign_id, subscriber_id, list_id, address, address_key, state, handed_off_at)
          values (?, ?, ?, ?, ?, 'handed_off', now()) returning id""")
          .params(campaign, subscriber, list, email, email.toLowerCase()).query(Long.class).single();
      refs.put(email, ref);
      subscriberIds.put(email, subscriber);
      queued.add(new BulkSends.BulkRecipient(ref, email));
    }
    bulk.add(message, queued);
    Map<String, Recipient> recipients = new HashMap<>();
    for (String email : people) {
      long id = jdbc.sql("select id from outbound_recipient where message_id = ? and address = ?").params(message, email)
          .query(Long.class).single();
      recipients.put(email, new Recipient(email, id, subscriberIds.get(email), refs.get(email), returnPath.address(message, id, domain)));
    }
    return new Sent(org, campaign, list, message, domain, recipients);
  }

  /** An RFC 3464 bounce of {@code address} to Herald's return path, with this status and diagnostic. */
  static byte[] dsn(String returnPath, String address, String status, String diagnostic) {
    return ("""
        From: Mail Delivery System <MAILER-DAEMON@mx.receiver.example>
        To: %1$s
        Subject: Undelivered Mail Returned to Sender
        Date: Mon, 7 Dec 2026 03:00:00 +0000
        Message-ID: <dsn-%5$s@mx.receiver.example>
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

        --b1
        Content-Type: text/plain

        This is the mail system at host mx.receiver.example. Your message could not be delivered.

        --b1
        Content-Type: message/delivery-status

        Reporting-MTA: dns; mx.receiver.example
        Arrival-Date: Mon, 7 Dec 2026 02:59:59 +0000

        Final-Recipient: rfc822; %2$s
        Original-Recipient: rfc822; %2$s
        Action: failed
        Status: %3$s
        Remote-MTA: dns; mx.receiver.example
        Diagnostic-Code: smtp; %4$s

        --b1
        Content-Type: text/rfc822-headers

        Return-Path: <%1$s>
        From: News <news@example.com>
        To: %2$s
        Subject: Hello
        Message-ID: <orig-%5$s@example.com>

        --b1--
        """.formatted(returnPath, address, status, diagnostic, Integer.toHexString(address.hashCode())))
        .replace("\n", "\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** An ARF abuse report (RFC 5965) about {@code address}, the original's return path in its returned headers. */
  static byte[] complaint(String returnPath, String address) {
    return ("""
        From: Feedback Loop <fbl@isp.example>
        To: %1$s
        Subject: Abuse report
        Date: Mon, 7 Dec 2026 03:00:00 +0000
        Message-ID: <arf-%3$s@isp.example>
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=feedback-report; boundary="b2"

        --b2
        Content-Type: text/plain

        This is an email abuse report for an email message received from IP 127.0.0.1.

        --b2
        Content-Type: message/feedback-report

        Feedback-Type: abuse
        User-Agent: ISP-FBL/1.0
        Version: 1
        Original-Mail-From: <%1$s>
        Original-Rcpt-To: <%2$s>
        Arrival-Date: Mon, 7 Dec 2026 02:00:00 +0000

        --b2
        Content-Type: message/rfc822

        Return-Path: <%1$s>
        From: News <news@example.com>
        To: %2$s
        Subject: Hello
        Message-ID: <orig-%3$s@example.com>

        Hi
        --b2--
        """.formatted(returnPath, address, Integer.toHexString(address.hashCode())))
        .replace("\n", "\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** What a mail client sends to a List-Unsubscribe mailto address. */
  static byte[] unsubscribeRequest(String returnPath, String from) {
    return ("""
        From: %2$s
        To: %1$s
        Subject: unsubscribe
        Date: Mon, 7 Dec 2026 03:00:00 +0000
        Message-ID: <unsub-%3$s@client.example>
        MIME-Version: 1.0
        Content-Type: text/plain

        unsubscribe
        """.formatted(returnPath, from, Integer.toHexString(from.hashCode())))
        .replace("\n", "\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}
