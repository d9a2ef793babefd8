package dev.herald.campaigns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.audiences.Consent;
import dev.herald.audiences.ConsentChannel;
import dev.herald.audiences.Subscribers;
import dev.herald.audiences.SubscriptionStatus;
import dev.herald.delivery.BulkSends;
import dev.herald.delivery.MessageSourceKind;
import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.Browser;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The forward-to-a-friend page in a browser, on a 390 px phone: the page asks for the address and sends nothing by
 * itself; a bad address is refused next to the field; a good one is sent (queued once, counted); no cookie.
 */
@Tag("browser")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "herald.roles=web")
@Import(TestOrganizations.class)
class ForwardBrowserTest {
  @LocalServerPort int port;
  @Autowired TestOrganizations organizations;
  @Autowired SendingDomains sendingDomains;
  @Autowired JdbcClient jdbc;
  @Autowired BulkSends bulk;
  @Autowired Subscribers subscribers;
  @Autowired ForwardLinks links;
  @Autowired Forwards forwards;

  @Test
  void the_page_asks_refuses_a_bad_address_beside_the_field_and_sends_a_good_one_on_a_phone() throws Exception {
    long org = organizations.create("Phone Forward Co", "send").id();
    new TestSendingDomains(sendingDomains, jdbc).verifiedSigning(org, "phone-forward.example");
    SendingDomains.VerifiedDomain domain = sendingDomains.verifiedDomainFor(org, "news@phone-forward.example").orElseThrow();
    long list = jdbc.sql("insert into mailing_list (organization_id, name, optin) values (?, 'Daily', 'single') returning id").param(org)
        .query(Long.class).single();
    long message = bulk.open(org, domain.id(), MessageSourceKind.CAMPAIGN, "news@phone-forward.example", "Autumn sale");
    bulk.hold(message);
    long campaign = jdbc.sql("""
        insert into campaign (organization_id, name, subject, from_address, body, body_format, state, sending_domain_id, message_id,
          started_at)
        values (?, 'Autumn', 'Autumn sale', 'news@phone-forward.example', '<p>Hi</p>', 'html', 'sending', ?, ?, now()) returning id""")
        .params(org, domain.id(), message).query(Long.class).single();
    long subscriber = subscribers.addToLists(org, new Subscribers.Input("reader@phone.example", "Reader", Map.of(), null), List.of(list),
        SubscriptionStatus.SUBSCRIBED, new Consent.Evidence(ConsentChannel.API, "test", null, null, null, null), "test");
    long ref = jdbc.sql("""
        insert into campaign_recipient (campaign_id, subscriber_id, list_id, address, address_key, state, handed_off_at)
        values (?, ?, ?, 'reader@phone.example', 'reader@phone.example', 'handed_off', now()) returning id""")
        .params(campaign, subscriber, list).query(Long.class).single();
    URI link = URI.create(links.link(campaign, ref, Instant.now()));

    try (Browser web = Browser.start(port)) {
      web.driver().manage().window().setSize(new Dimension(390, 844));
      web.open(link.getRawPath() + "?" + link.getRawQuery());
      assertThat(web.driver().getTitle()).isEqualTo("Forward to a friend · Phone Forward Co");
      assertThat(web.bodyText()).contains("We will send Autumn sale from Phone Forward Co to your friend, once.")
          .contains("Neither your address nor your friend's is kept");
      assertThat(forwardsQueued(org)).as("opening the page sends nothing").isZero();
      var button = web.button("Send to my friend");
      assertThat(button.getLocation().getX() + button.getSize().getWidth()).as("the button fits the phone").isLessThanOrEqualTo(390);
      Object scrollWidth = web.js().executeScript("return document.documentElement.scrollWidth");
      assertThat(((Number) scrollWidth).intValue()).as("no sideways scrolling").isLessThanOrEqualTo(390);

      web.fill("email", "not-an-address");
      web.submit("Send to my friend");
      web.until(d -> d.findElement(By.id("email-error")).isDisplayed());
      assertThat(web.driver().findElement(By.id("email-error")).getText())
          .isEqualTo("Enter your friend's email address, like name@example.com.");
      assertThat(web.driver().findElement(By.id("email")).getAttribute("aria-invalid")).isEqualTo("true");
      assertThat(web.driver().findElement(By.id("email")).getAttribute("value")).as("what was typed is kept").isEqualTo("not-an-address");
      assertThat(forwardsQueued(org)).isZero();

      web.fill("email", "pal@friends.example");
      web.submit("Send to my friend");
      web.until(d -> d.findElement(By.cssSelector("h1")).getText().equals("Sent to your friend"));
      assertThat(web.bodyText()).contains("This link can forward it 2 more times.");
      assertThat(web.driver().manage().getCookies()).isEmpty();
      assertThat(web.consoleErrors()).as("nothing but the refused form's 422 (no Content-Security-Policy violation)")
          .allSatisfy(e -> assertThat(e).contains("status of 422"));
    }
    assertThat(forwardsQueued(org)).isOne();
    assertThat(forwards.count(org, campaign)).isOne();
  }

  long forwardsQueued(long org) {
    return jdbc.sql("select count(*) from outbound_recipient r join outbound_message m on m.id = r.message_id "
        + "where m.organization_id = ? and m.source = 'forward'").param(org).query(Long.class).single();
  }
}
