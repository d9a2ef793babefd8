package dev.herald.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import dev.herald.messages.LinkTracking;
import dev.herald.tenancy.TestOrganizations;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.web.servlet.MockMvc;

/**
 * Opens and clicks are stored with their campaign and subscriber, move the subscriber's engagement and are published
 * as {@link TrackingEvents}, as the organization's and campaign's privacy settings say: anonymous with no address by
 * default, tied to the subscriber when the organization chose it, nothing when off; Do Not Track and Global Privacy
 * Control make an event anonymous whatever the setting; machines' events are stored apart and move no engagement.
 */
@SpringBootTest(properties = {"herald.tracking.flush=20ms"})
@AutoConfigureMockMvc
@Import({TestOrganizations.class, TrackingIngestionTest.Published.class})
class TrackingIngestionTest {
  static final String BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";

  @TestConfiguration
  static class Published {
    final List<TrackingEvents.Recorded> events = new CopyOnWriteArrayList<>();

    @EventListener
    void on(TrackingEvents.EventsRecorded recorded) {
      events.addAll(recorded.events());
    }
  }

  @Autowired MockMvc mvc;
  @Autowired JdbcClient jdbc;
  @Autowired LinkTracking tokens;
  @Autowired TestOrganizations organizations;
  @Autowired TrackingPrivacy privacy;
  @Autowired Published published;
  TrackedMail mail;

  @BeforeEach
  void setUp() {
    mail = new TrackedMail(jdbc, tokens);
  }

  int fetch(String path, String userAgent, String ip, Map<String, String> headers) throws Exception {
    return mvc.perform(get(URI.create("http://localhost" + path)).with(r -> {
      r.setRemoteAddr(ip);
      if (userAgent != null) r.addHeader("User-Agent", userAgent);
      headers.forEach(r::addHeader);
      return r;
    })).andReturn().getResponse().getStatus();
  }

  int fetch(String path) throws Exception {
    return fetch(path, BROWSER, "203.0.113.45", Map.of());
  }

  List<Map<String, Object>> stored(long messageId, long count) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    while (Instant.now().isBefore(deadline) && count(messageId) < count) Thread.sleep(20);
    assertThat(count(messageId)).isEqualTo(count);
    return jdbc.sql("""
        select kind, recipient_id, campaign_id, subscriber_id, link_number, machine, machine_reason, ip from tracking_event
        where message_id = ? order by id""").param(messageId).query().listOfRows();
  }

  long count(long messageId) {
    return jdbc.sql("select count(*) from tracking_event where message_id = ?").param(messageId).query(Long.class).single();
  }

  Instant lastOpened(long subscriberId) {
    return jdbc.sql("select last_opened_at from subscriber where id = ?").param(subscriberId).query(java.sql.Timestamp.class).optional()
        .map(java.sql.Timestamp::toInstant).orElse(null);
  }

  Instant lastClicked(long subscriberId) {
    return jdbc.sql("select last_clicked_at from subscriber where id = ?").param(subscriberId).query(java.sql.Timestamp.class).optional()
        .map(java.sql.Timestamp::toInstant).orElse(null);
  }

  @Test
  void with_identified_tracking_an_open_and_a_click_name_the_campaign_and_subscriber_move_engagement_and_are_published() throws Exception {
    TestOrganizations.Created org = organizations.create("Identified Co", "send");
    privacy.save(org.id(), 0, new TrackingPrivacy.Setting(TrackingMode.IDENTIFIED, IpStorage.TRUNCATED));
    TrackedMail.Sent sent = mail.campaign(org.id(), List.of("https://shop.example/a", "https://shop.example/b"), "ann@one.example",
        "bob@two.example");
    mail.delivered(sent.recipients().get(0), Instant.now().minus(Duration.ofHours(1)));
    assertThat(fetch(mail.openPath(sent, 0))).isEqualTo(200);
    assertThat(fetch(mail.clickPath(sent, 0, 2))).isEqualTo(302);

    List<Map<String, Object>> rows = stored(sent.messageId(), 2);
    assertThat(rows).allSatisfy(r -> {
      assertThat(r).containsEntry("recipient_id", sent.recipients().get(0)).containsEntry("campaign_id", sent.campaignId())
          .containsEntry("subscriber_id", sent.subscribers().get(0)).containsEntry("machine", false).containsEntry("ip", "203.0.113.0");
    });
    assertThat(rows).extracting(r -> r.get("kind")).containsExactly("open", "click");
    assertThat(rows.get(1)).containsEntry("link_number", 2);
    assertThat(lastOpened(sent.subscribers().get(0))).isNotNull();
    assertThat(lastClicked(sent.subscribers().get(0))).isNotNull();
    assertThat(lastOpened(sent.subscribers().get(1))).as("bob did nothing").isNull();

    assertThat(published.events).filteredOn(e -> e.messageId() == sent.messageId()).satisfiesExactlyInAnyOrder(
        open -> assertThat(open).extracting(TrackingEvents.Recorded::kind, TrackingEvents.Recorded::campaignId,
            TrackingEvents.Recorded::subscriberId, TrackingEvents.Recorded::link).containsExactly(EventKind.OPEN, sent.campaignId(),
            sent.subscribers().get(0), null),
        click -> assertThat(click).extracting(TrackingEvents.Recorded::kind, TrackingEvents.Recorded::subscriberId,
            TrackingEvents.Recorded::link, TrackingEvents.Recorded::url).containsExactly(EventKind.CLICK, sent.subscribers().get(0), 2,
            "https://shop.example/b"));
  }

  @Test
  void by_default_events_are_counted_anonymously_without_an_address_and_move_no_engagement() throws Exception {
    TestOrganizations.Created org = organizations.create("Default Co", "send");
    TrackedMail.Sent sent = mail.campaign(org.id(), List.of("https://shop.example/a"), "ann@one.example");
    fetch(mail.openPath(sent, 0));
    fetch(mail.clickPath(sent, 0, 1));
    assertThat(stored(sent.messageId(), 2)).allSatisfy(r -> {
      assertThat(r.get("recipient_id")).isNull();
      assertThat(r.get("subscriber_id")).isNull();
      assertThat(r.get("ip")).isNull();
      assertThat(r).containsEntry("campaign_id", sent.campaignId());
    });
    assertThat(lastOpened(sent.subscribers().get(0))).isNull();
    assertThat(lastClicked(sent.subscribers().get(0))).isNull();
  }

  @Test
  void do_not_track_and_global_privacy_control_make_the_event_anonymous_whatever_the_setting() throws Exception {
    TestOrganizations.Created org = organizations.create("Dnt Co", "send");
    privacy.save(org.id(), 0, new TrackingPrivacy.Setting(TrackingMode.IDENTIFIED, IpStorage.FULL));
    TrackedMail.Sent sent = mail.campaign(org.id(), List.of("https://shop.example/a"), "ann@one.example", "bob@two.example");
    assertThat(fetch(mail.clickPath(sent, 0, 1), BROWSER, "203.0.113.45", Map.of("DNT", "1"))).isEqualTo(302);
    assertThat(fetch(mail.clickPath(sent, 1, 1), BROWSER, "2001:db8:1:2::7", Map.of("Sec-GPC", "1"))).isEqualTo(302);
    assertThat(stored(sent.messageId(), 2)).allSatisfy(r -> {
      assertThat(r.get("recipient_id")).isNull();
      assertThat(r.get("subscriber_id")).isNull();
    });
    assertThat(lastClicked(sent.subscribers().get(0))).isNull();
    assertThat(lastClicked(sent.subscribers().get(1))).isNull();
  }

  @Test
  void tracking_off_records_nothing_and_a_campaigns_own_setting_wins_over_the_organizations() throws Exception {
    TestOrganizations.Created org = organizations.create("Off Co", "send");
    privacy.save(org.id(), 0, new TrackingPrivacy.Setting(TrackingMode.OFF, IpStorage.NONE));
    TrackedMail.Sent off = mail.campaign(org.id(), List.of("https://shop.example/a"), "ann@one.example");
    TrackedMail.Sent own = mail.campaign(org.id(), List.of("https://shop.example/b"), "bob@two.example");
    privacy.save(org.id(), own.campaignId(), new TrackingPrivacy.Setting(TrackingMode.IDENTIFIED, IpStorage.FULL));
    assertThat(fetch(mail.clickPath(off, 0, 1))).as("the redirect still works").isEqualTo(302);
    assertThat(fetch(mail.openPath(off, 0))).isEqualTo(200);
    assertThat(fetch(mail.clickPath(own, 0, 1), BROWSER, "2001:db8:1:2::7", Map.of())).isEqualTo(302);
    assertThat(stored(own.messageId(), 1).getFirst()).containsEntry("subscriber_id", own.subscribers().get(0))
        .containsEntry("ip", "2001:db8:1:2:0:0:0:7");
    assertThat(count(off.messageId())).as("written in the same or an earlier batch as the other campaign's").isZero();

    privacy.clear(org.id(), own.campaignId());
    assertThat(privacy.campaign(org.id(), own.campaignId())).isEmpty();
    assertThat(privacy.organization(org.id()).mode()).isEqualTo(TrackingMode.OFF);
  }

  @Test
  void the_send_apis_mail_is_stored_without_campaign_or_subscriber() throws Exception {
    TestOrganizations.Created org = organizations.create("Api Co", "send");
    privacy.save(org.id(), 0, new TrackingPrivacy.Setting(TrackingMode.IDENTIFIED, IpStorage.NONE));
    TrackedMail.Sent sent = mail.apiMessage(org.id(), List.of("https://shop.example/a"), "ann@one.example");
    fetch(mail.openPath(sent, 0));
    Map<String, Object> row = stored(sent.messageId(), 1).getFirst();
    assertThat(row).containsEntry("recipient_id", sent.recipients().get(0));
    assertThat(row.get("campaign_id")).isNull();
    assertThat(row.get("subscriber_id")).isNull();
  }

  @Test
  void machines_opens_and_clicks_are_stored_apart_and_move_no_engagement() throws Exception {
    TestOrganizations.Created org = organizations.create("Machine Co", "send");
    privacy.save(org.id(), 0, new TrackingPrivacy.Setting(TrackingMode.IDENTIFIED, IpStorage.NONE));
    TrackedMail.Sent sent = mail.campaign(org.id(), List.of("https://shop.example/a", "https://shop.example/b", "https://shop.example/c"),
        "apple@one.example", "gmail@two.example", "early@three.example", "walker@four.example", "curl@five.example");
    mail.delivered(sent.recipients().get(2), Instant.now().minusSeconds(2));
    mail.delivered(sent.recipients().get(3), Instant.now().minus(Duration.ofHours(1)));
    fetch(mail.openPath(sent, 0), "Mozilla/5.0", "104.28.40.1", Map.of());
    fetch(mail.openPath(sent, 0), BROWSER, "17.58.101.3", Map.of());
    fetch(mail.openPath(sent, 1), "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)", "66.249.84.1",
        Map.of());
    fetch(mail.clickPath(sent, 2, 1));
    for (int link = 1; link <= 3; link++) fetch(mail.clickPath(sent, 3, link));
    fetch(mail.clickPath(sent, 4, 2), "curl/8.5.0", "192.0.2.1", Map.of());
    List<Map<String, Object>> rows = stored(sent.messageId(), 8);
    assertThat(rows).allSatisfy(r -> assertThat(r).containsEntry("machine", true));
    assertThat(rows).extracting(r -> r.get("machine_reason")).containsExactly("apple_privacy", "apple_privacy", "image_proxy",
        "scanner_early", "scanner_all_links", "scanner_all_links", "scanner_all_links", "automated_agent");
    // The walker's first click may be stored in a batch before the rest are seen: its row is marked afterwards, but the
    // engagement it moved stays (MachineDetector says so). Every other machine moved nothing.
    for (int i : new int[] {0, 1, 2, 4}) {
      assertThat(lastOpened(sent.subscribers().get(i))).isNull();
      assertThat(lastClicked(sent.subscribers().get(i))).isNull();
    }
    assertThat(published.events).filteredOn(e -> e.messageId() == sent.messageId()).hasSize(8)
        .filteredOn(e -> !sent.subscribers().get(3).equals(e.subscriberId())).hasSize(5).allMatch(TrackingEvents.Recorded::machine);
  }
}
