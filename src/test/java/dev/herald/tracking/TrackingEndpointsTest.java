package dev.herald.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.head;

import dev.herald.messages.LinkTracking;
import dev.herald.tenancy.TestOrganizations;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

/**
 * The open pixel and the click redirect on the public origin, the installation's tracking host and an organization's own
 * tracking host; a click goes only to the URL stored for its message and link, and every other token gets the 404
 * page: changed, cut short, spelled otherwise, its link number changed with the MAC kept, an open token on the click
 * path, a link the message does not have, and another organization's mail on an organization's tracking host.
 */
@SpringBootTest(properties = {"herald.base-url=https://panel.herald.test", "herald.public-url=https://news.herald.test",
    "herald.sending.tracking-host=t.herald.test", "herald.tracking.flush=20ms"})
@AutoConfigureMockMvc
@Import(TestOrganizations.class)
class TrackingEndpointsTest {
  @Autowired MockMvc mvc;
  @Autowired JdbcClient jdbc;
  @Autowired LinkTracking tokens;
  @Autowired TestOrganizations organizations;
  @Autowired TrackingDomains domains;
  @Autowired io.micrometer.core.instrument.MeterRegistry meters;
  TrackedMail mail;

  @BeforeEach
  void setUp() {
    mail = new TrackedMail(jdbc, tokens);
  }

  MockHttpServletResponse fetch(String host, String path) throws Exception {
    return perform(get(URI.create("https://" + host + path)), host);
  }

  MockHttpServletResponse perform(MockHttpServletRequestBuilder request, String host) throws Exception {
    return mvc.perform(request.with(r -> {
      r.setServerName(host);
      r.setRemoteAddr("198.51.100.7");
      r.addHeader("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36");
      return r;
    })).andReturn().getResponse();
  }

  long events(long messageId, String kind) {
    return jdbc.sql("select count(*) from tracking_event where message_id = ? and kind = ?").params(messageId, kind).query(Long.class).single();
  }

  void waitForEvents(long messageId, String kind, long count) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    while (events(messageId, kind) < count && Instant.now().isBefore(deadline)) Thread.sleep(20);
    assertThat(events(messageId, kind)).isEqualTo(count);
  }

  static void assertNotFound(MockHttpServletResponse response) {
    assertThat(response.getStatus()).isEqualTo(404);
    assertThat(response.getHeader("Location")).isNull();
  }

  double counted(String kind, String outcome) {
    return meters.get("herald.tracking.requests").tag("kind", kind).tag("outcome", outcome).counter().count();
  }

  @Test
  void the_filters_answers_are_counted_by_their_own_counters_not_timed_as_http_requests() throws Exception {
    TestOrganizations.Created org = organizations.create("Counted Co", "send");
    TrackedMail.Sent sent = mail.apiMessage(org.id(), List.of("https://shop.example/a"), "ann@one.example");
    double pixels = counted("open", "pixel");
    double redirects = counted("click", "redirect");
    double notFound = counted("click", "not_found");
    assertThat(fetch("news.herald.test", mail.openPath(sent, 0)).getStatus()).isEqualTo(200);
    assertThat(fetch("news.herald.test", mail.clickPath(sent, 0, 1)).getStatus()).isEqualTo(302);
    String forged = mail.clickPath(sent, 0, 1);
    forged = forged.substring(0, forged.length() - 1) + (forged.endsWith("a") ? "b" : "a");
    assertNotFound(fetch("news.herald.test", forged));
    assertThat(counted("open", "pixel")).isEqualTo(pixels + 1);
    assertThat(counted("click", "redirect")).isEqualTo(redirects + 1);
    assertThat(counted("click", "not_found")).isEqualTo(notFound + 1);
    assertThat(meters.find("http.server.requests").timers()).as("no timer names a tracking route")
        .noneMatch(t -> String.valueOf(t.getId().getTag("uri")).startsWith("/t/"));
  }

  @Test
  void the_pixel_is_a_43_byte_gif_never_cached_without_cookies_and_its_open_is_stored() throws Exception {
    TestOrganizations.Created org = organizations.create("Pixel Co", "send");
    TrackedMail.Sent sent = mail.apiMessage(org.id(), List.of("https://shop.example/a"), "ann@one.example");
    MockHttpServletResponse pixel = fetch("news.herald.test", mail.openPath(sent, 0));
    assertThat(pixel.getStatus()).isEqualTo(200);
    assertThat(pixel.getContentType()).isEqualTo("image/gif");
    assertThat(pixel.getContentAsByteArray()).hasSize(43).isEqualTo(TrackingController.PIXEL);
    assertThat(pixel.getHeader("Cache-Control")).isEqualTo("no-store");
    assertThat(pixel.getHeader("Set-Cookie")).isNull();
    assertThat(pixel.getCookies()).isEmpty();
    waitForEvents(sent.messageId(), "open", 1);
  }

  @Test
  void a_click_goes_to_the_stored_url_only_whatever_the_request_names() throws Exception {
    TestOrganizations.Created org = organizations.create("Click Co", "send");
    TrackedMail.Sent sent = mail.apiMessage(org.id(), List.of("https://shop.example/spring?a=1&b=2", "https://shop.example/autumn"),
        "ann@one.example", "bob@two.example");
    MockHttpServletResponse click = fetch("news.herald.test", mail.clickPath(sent, 0, 2)
        + "?url=https://evil.example/&redirect=https://evil.example/&next=//evil.example");
    assertThat(click.getStatus()).isEqualTo(302);
    assertThat(click.getHeader("Location")).isEqualTo("https://shop.example/autumn");
    assertThat(click.getHeader("Set-Cookie")).isNull();
    assertThat(click.getHeader("Cache-Control")).isEqualTo("no-store");
    assertThat(fetch("news.herald.test", mail.clickPath(sent, 1, 1)).getHeader("Location")).isEqualTo("https://shop.example/spring?a=1&b=2");
    assertThat(fetch("t.herald.test", mail.clickPath(sent, 1, 1)).getHeader("Location")).as("the installation's tracking host")
        .isEqualTo("https://shop.example/spring?a=1&b=2");
    waitForEvents(sent.messageId(), "click", 3);
    assertThat(jdbc.sql("select link_number from tracking_event where message_id = ? order by id").param(sent.messageId())
        .query(Integer.class).list()).containsExactlyInAnyOrder(2, 1, 1);
  }

  @Test
  void a_changed_truncated_or_respelled_token_or_one_of_the_wrong_kind_gets_the_404_page() throws Exception {
    TestOrganizations.Created org = organizations.create("Tamper Co", "send");
    TrackedMail.Sent sent = mail.apiMessage(org.id(), List.of("https://shop.example/a"), "ann@one.example");
    String click = mail.clickPath(sent, 0, 1);
    String token = click.substring(LinkTracking.CLICK_PATH.length());
    assertThat(fetch("news.herald.test", click).getStatus()).isEqualTo(302);

    for (int i : new int[] {0, 20, 30, 44}) {
      char c = token.charAt(i);
      String changed = token.substring(0, i) + (c == 'a' ? 'b' : 'a') + token.substring(i + 1);
      assertNotFound(fetch("news.herald.test", LinkTracking.CLICK_PATH + changed));
    }
    assertNotFound(fetch("news.herald.test", LinkTracking.CLICK_PATH + token.substring(0, 44)));
    assertNotFound(fetch("news.herald.test", LinkTracking.CLICK_PATH + token.substring(0, 30)));
    assertNotFound(fetch("news.herald.test", LinkTracking.CLICK_PATH + token + "a"));
    assertNotFound(fetch("news.herald.test", LinkTracking.CLICK_PATH + token.toUpperCase()));
    assertNotFound(fetch("news.herald.test", LinkTracking.CLICK_PATH));
    assertNotFound(fetch("news.herald.test", LinkTracking.OPEN_PATH + token));
    assertNotFound(fetch("news.herald.test", LinkTracking.CLICK_PATH + mail.openPath(sent, 0).substring(LinkTracking.OPEN_PATH.length())));
    assertNotFound(fetch("news.herald.test", mail.clickPath(sent, 0, 2)));
    assertNotFound(fetch("news.herald.test", mail.clickPath(sent, 0, 65_535)));
  }

  @Test
  void a_token_replayed_with_another_link_number_under_its_own_mac_gets_the_404_page() throws Exception {
    TestOrganizations.Created org = organizations.create("Replay Co", "send");
    TrackedMail.Sent sent = mail.apiMessage(org.id(), List.of("https://shop.example/a", "https://shop.example/b"), "ann@one.example",
        "bob@two.example");
    byte[] bytes = Base32.decode(mail.clickPath(sent, 0, 1).substring(LinkTracking.CLICK_PATH.length()));
    bytes[17] = 2; // the link number's low byte: link 1 becomes link 2, the MAC stays link 1's
    String forged = Base32.encode(bytes);
    assertThat(tokens.verify(forged)).isEmpty();
    assertNotFound(fetch("news.herald.test", LinkTracking.CLICK_PATH + forged));
    byte[] other = Base32.decode(mail.clickPath(sent, 0, 1).substring(LinkTracking.CLICK_PATH.length()));
    other[15] = (byte) (other[15] + 1); // another recipient of the same message, the MAC kept
    assertNotFound(fetch("news.herald.test", LinkTracking.CLICK_PATH + Base32.encode(other)));
    // A token of another message with the same link number leads to that message's link, never to this one's.
    TrackedMail.Sent second = mail.apiMessage(org.id(), List.of("https://second.example/"), "cy@three.example");
    assertThat(fetch("news.herald.test", mail.clickPath(second, 0, 1)).getHeader("Location")).isEqualTo("https://second.example/");
  }

  @Test
  void an_organizations_tracking_host_serves_its_own_mail_only_and_nothing_but_tracking() throws Exception {
    TestOrganizations.Created alpha = organizations.create("Alpha Tracking", "send");
    TestOrganizations.Created beta = organizations.create("Beta Tracking", "send");
    long domain = jdbc.sql("""
        insert into sending_domain (organization_id, name, unicode_name, verified, verified_at) values (?, 'alpha-news.example',
          'alpha-news.example', true, now()) returning id""").param(alpha.id()).query(Long.class).single();
    jdbc.sql("insert into domain_record_check (domain_id, record, state, checked_at) values (?, 'tracking', 'ok', now())").param(domain).update();
    domains.refresh();
    TrackedMail.Sent alphas = mail.apiMessage(alpha.id(), List.of("https://alpha.example/"), "ann@one.example");
    TrackedMail.Sent betas = mail.apiMessage(beta.id(), List.of("https://beta.example/"), "bob@two.example");

    assertThat(fetch("track.alpha-news.example", mail.clickPath(alphas, 0, 1)).getHeader("Location")).isEqualTo("https://alpha.example/");
    assertThat(fetch("TRACK.alpha-news.example.", mail.openPath(alphas, 0)).getStatus()).isEqualTo(200);
    assertNotFound(fetch("track.alpha-news.example", mail.clickPath(betas, 0, 1)));
    assertNotFound(fetch("track.alpha-news.example", mail.openPath(betas, 0)));
    assertThat(fetch("news.herald.test", mail.clickPath(betas, 0, 1)).getHeader("Location")).as("on the public host every organization's")
        .isEqualTo("https://beta.example/");

    assertNotFound(fetch("track.alpha-news.example", "/login"));
    assertNotFound(fetch("track.alpha-news.example", "/o/" + alpha.slug()));
    assertNotFound(fetch("track.alpha-news.example", "/p/unsubscribe"));
    assertNotFound(fetch("t.herald.test", "/login"));
    assertNotFound(fetch("panel.herald.test", mail.clickPath(alphas, 0, 1)));
    assertThat(fetch("track.beta-news.example", mail.clickPath(betas, 0, 1)).getStatus()).as("not a tracking host: the panel's rules")
        .isEqualTo(404);
  }

  @Test
  void a_head_request_gets_the_redirect_but_is_not_counted() throws Exception {
    TestOrganizations.Created org = organizations.create("Head Co", "send");
    TrackedMail.Sent sent = mail.apiMessage(org.id(), List.of("https://shop.example/head"), "ann@one.example");
    MockHttpServletResponse response = perform(head(URI.create("https://news.herald.test" + mail.clickPath(sent, 0, 1))), "news.herald.test");
    assertThat(response.getStatus()).isEqualTo(302);
    assertThat(response.getHeader("Location")).isEqualTo("https://shop.example/head");
    fetch("news.herald.test", mail.openPath(sent, 0)); // a GET after it: once stored, the HEAD before it would be too
    waitForEvents(sent.messageId(), "open", 1);
    assertThat(events(sent.messageId(), "click")).isZero();
  }

  @Test
  void another_spelling_of_a_tracking_path_is_answered_as_the_path_herald_writes() throws Exception {
    TestOrganizations.Created org = organizations.create("Spelling Co", "send");
    TrackedMail.Sent sent = mail.apiMessage(org.id(), List.of("https://shop.example/spelled"), "ann@one.example");
    String click = mail.clickPath(sent, 0, 1);
    String open = mail.openPath(sent, 0);
    // The filter answers only the exact paths; these go on to the chain and the controller, with the same outcome.
    String encoded = click.substring(0, 5) + "%" + Integer.toHexString(click.charAt(5)) + click.substring(6);
    assertThat(TrackingFilter.kind(encoded, 0)).isEqualTo((char) 0);
    MockHttpServletResponse viaController = fetch("news.herald.test", encoded);
    assertThat(viaController.getStatus()).isEqualTo(302);
    assertThat(viaController.getHeader("Location")).isEqualTo("https://shop.example/spelled");
    assertThat(viaController.getHeader("Cache-Control")).isEqualTo("no-store");
    MockHttpServletResponse encodedOpen = fetch("news.herald.test", open.substring(0, 5) + "%" + Integer.toHexString(open.charAt(5))
        + open.substring(6));
    assertThat(encodedOpen.getStatus()).isEqualTo(200);
    assertThat(encodedOpen.getContentAsByteArray()).isEqualTo(TrackingController.PIXEL);
    MockHttpServletResponse pixelHead = perform(head(URI.create("https://news.herald.test" + open)), "news.herald.test");
    assertThat(pixelHead.getStatus()).isEqualTo(200);
    assertThat(pixelHead.getHeader("Content-Length")).isEqualTo("43");
    assertThat(pixelHead.getContentAsByteArray()).as("a HEAD gets no body").isEmpty();
    waitForEvents(sent.messageId(), "click", 1);
    waitForEvents(sent.messageId(), "open", 1);
  }

  @Test
  void a_stored_url_with_characters_a_header_cannot_carry_is_sent_in_its_ascii_form() {
    assertThat(TrackingController.location("https://bücher.example/straße?q=a b")).isEqualTo("https://xn--bcher-kva.example/stra%C3%9Fe?q=a%20b");
    assertThat(TrackingController.location("https://shop.example/a?b=c&d=%20#top")).isEqualTo("https://shop.example/a?b=c&d=%20#top");
  }

  /** Lower-case RFC 4648 base32 without padding, as the tokens are written. */
  static final class Base32 {
    static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

    static byte[] decode(String text) {
      byte[] out = new byte[text.length() * 5 / 8];
      int buffer = 0, bits = 0, n = 0;
      for (char c : text.toCharArray()) {
        buffer = (buffer << 5) | ALPHABET.indexOf(c);
        bits += 5;
        if (bits >= 8) {
          out[n++] = (byte) (buffer >> (bits - 8));
          bits -= 8;
        }
      }
      return out;
    }

    static String encode(byte[] bytes) {
      StringBuilder out = new StringBuilder();
      int buffer = 0, bits = 0;
      for (byte b : bytes) {
        buffer = (buffer << 8) | (b & 0xff);
        bits += 8;
        while (bits >= 5) {
          out.append(ALPHABET.charAt((buffer >> (bits - 5)) & 31));
          bits -= 5;
        }
      }
      if (bits > 0) out.append(ALPHABET.charAt((buffer << (5 - bits)) & 31));
      return out.toString();
    }
  }
}
