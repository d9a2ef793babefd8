package dev.herald.tracking;

import dev.herald.messages.LinkTracking;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Queued mail with tracked links, written straight into the queue's tables as the send API and campaigns leave them
 * (a message, its recipients, its link table; for a campaign also its ledger and subscribers), with each recipient's
 * tokens: what the endpoint tests click on.
 */
record TrackedMail(JdbcClient jdbc, LinkTracking tokens) {
  /** One queued message: {@code recipients.get(i)} is the queue's row of the i-th address, {@code subscribers} the campaign's. */
  record Sent(long organizationId, long messageId, List<Long> recipients, Long campaignId, List<Long> subscribers, List<String> links) {}

  Sent apiMessage(long organizationId, List<String> links, String... addresses) {
    return queue(organizationId, null, links, addresses);
  }

  /** A campaign's message: the addresses are subscribers of a list, each with a ledger row that the queue's row names. */
  Sent campaign(long organizationId, List<String> links, String... addresses) {
    long list = jdbc.sql("insert into mailing_list (organization_id, name, optin) values (?, ?, 'single') returning id")
        .params(organizationId, "Tracked list " + System.nanoTime()).query(Long.class).single();
    long campaign = jdbc.sql("""
        insert into campaign (organization_id, name, subject, from_address, state, started_at)
        values (?, 'Tracked campaign', 'Hello', 'news@tracked.example', 'sending', now()) returning id""")
        .param(organizationId).query(Long.class).single();
    return queue(organizationId, new long[] {campaign, list}, links, addresses);
  }

  private Sent queue(long organizationId, long[] campaign, List<String> links, String... addresses) {
    long message = jdbc.sql("""
        insert into outbound_message (organization_id, source, from_address, subject, header_message_id, header_date, content,
          track_opens, track_clicks)
        values (?, ?, 'news@tracked.example', 'Hello', ?, now(), ?, true, true) returning id""")
        .params(organizationId, campaign == null ? "api" : "campaign", "<" + System.nanoTime() + "@tracked.example>",
            campaign == null ? "Subject: Hello\r\n\r\nHi\r\n".getBytes() : null)
        .query(Long.class).single();
    for (int i = 0; i < links.size(); i++) {
      jdbc.sql("insert into outbound_link (message_id, link_number, url) values (?, ?, ?)").params(message, i + 1, links.get(i)).update();
    }
    List<Long> recipients = new ArrayList<>();
    List<Long> subscribers = new ArrayList<>();
    for (String address : addresses) {
      Long ref = null;
      if (campaign != null) {
        long subscriber = jdbc.sql("insert into subscriber (organization_id, email, email_key) values (?, ?, ?) returning id")
            .params(organizationId, address, address.toLowerCase()).query(Long.class).single();
        subscribers.add(subscriber);
        ref = jdbc.sql("""
            insert into campaign_recipient (campaign_id, subscriber_id, list_id, address, address_key, state, handed_off_at)
            values (?, ?, ?, ?, ?, 'handed_off', now()) returning id""")
            .params(campaign[0], subscriber, campaign[1], address, address.toLowerCase()).query(Long.class).single();
      }
      recipients.add(jdbc.sql("""
          insert into outbound_recipient (message_id, organization_id, kind, address, address_key, domain, source_ref)
          values (?, ?, 'to', ?, ?, ?, ?) returning id""")
          .params(message, organizationId, address, address.toLowerCase(), address.substring(address.indexOf('@') + 1), ref)
          .query(Long.class).single());
    }
    return new Sent(organizationId, message, recipients, campaign == null ? null : campaign[0], subscribers, links);
  }

  /** The message reached the recipient's server at {@code at}. */
  void delivered(long recipientId, Instant at) {
    jdbc.sql("update outbound_recipient set state = 'delivered', finished_at = ? where id = ?").params(Timestamp.from(at), recipientId).update();
  }

  String openPath(Sent sent, int recipient) {
    return LinkTracking.OPEN_PATH + tokens.token(sent.messageId(), sent.recipients().get(recipient), 0);
  }

  String clickPath(Sent sent, int recipient, int link) {
    return LinkTracking.CLICK_PATH + tokens.token(sent.messageId(), sent.recipients().get(recipient), link);
  }
}
