package dev.herald.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.audiences.Subscribers;
import dev.herald.domains.SendingDomains;
import dev.herald.platform.Dates;
import dev.herald.platform.HeraldProperties;
import dev.herald.platform.SignedLinks;
import dev.herald.suppression.RestrictionKind;
import dev.herald.suppression.Restrictions;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.SmtpSink;
import dev.herald.testsupport.VerifiedSenders;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
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

/**
 * A person's own request on the hosted page, with the confirmation mail delivered for real (the static route to
 * Postfix's smtp-sink, from a verified system sender): the same answer for a known and an unknown address, the
 * request opened only by the mailed link, completed at once when the organization chose so, the archive reachable
 * only through its signed link, and the limits per address and per network.
 */
@SpringBootTest(properties = {"herald.roles=web,delivery,worker", "herald.delivery.worker.poll=50ms", "herald.delivery.route=static"})
@AutoConfigureMockMvc
@Import({TestOrganizations.class, PrivacyTestHolder.class})
class SelfServiceTest {
  static SmtpSink sink;

  @DynamicPropertySource
  static void staticRoute(DynamicPropertyRegistry registry) throws Exception {
    sink = SmtpSink.forStaticRoute(registry);
  }

  @AfterAll
  static void stopSink() throws Exception {
    sink.close();
  }

  @Autowired MockMvc mvc;
  @Autowired TestOrganizations organizations;
  @Autowired Subscribers subscribers;
  @Autowired SendingDomains sendingDomains;
  @Autowired DataSubjectRequests requests;
  @Autowired JdbcClient jdbc;
  @Autowired HeraldProperties properties;
  @Autowired Restrictions restrictions;
  @Autowired Archives archives;
  @Autowired SignedLinks links;

  TestOrganizations.Created acme;
  static int counter;

  @BeforeEach
  void organization() throws Exception {
    acme = organizations.create("Self Service " + (++counter), "privacy");
    new VerifiedSenders(sendingDomains, jdbc).system(mvc, organizations, "privacy-mail.example");
  }

  MockHttpServletResponse ask(String email, String type, String ip) throws Exception {
    return mvc.perform(post("/p/privacy/o/" + acme.slug()).param("email", email).param("type", type)
        .with(r -> {
          r.setRemoteAddr(ip);
          return r;
        })).andReturn().getResponse();
  }

  /** The text of the mails the sink got for the address, waiting up to 20 s for {@code expected} of them. */
  List<String> mails(String address, int expected) throws Exception {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (sink.capturedFor(address).size() < expected) {
      assertThat(System.nanoTime()).as("waited 20 s for " + expected + " mails to " + address).isLessThan(deadline);
      Thread.sleep(50);
    }
    List<String> texts = new java.util.ArrayList<>();
    for (SmtpSink.Dump d : sink.capturedFor(address)) {
      MimeMessage m = new MimeMessage(null, new ByteArrayInputStream(d.wire()));
      Object content = m.getContent();
      texts.add(content instanceof Multipart mp ? String.valueOf(mp.getBodyPart(0).getContent()) : String.valueOf(content));
    }
    return texts;
  }

  static String link(String mail) {
    Matcher m = Pattern.compile("(/p/privacy/confirm\\?token=[A-Za-z0-9_\\-.]+)").matcher(mail);
    assertThat(m.find()).as(mail).isTrue();
    return m.group(1);
  }

  static String page(MockHttpServletResponse r, int status) throws Exception {
    assertThat(r.getStatus()).as(r.getContentAsString()).isEqualTo(status);
    return r.getContentAsString();
  }

  @Test
  void the_answer_is_the_same_for_a_known_and_an_unknown_address_and_only_the_mailed_link_opens_the_request() throws Exception {
    String known = "known" + counter + "@people.example", unknown = "unknown" + counter + "@people.example";
    subscribers.upsert(acme.id(), new Subscribers.Input(known, "Known", null, null), "test");
    String a = page(ask(known, "access", "192.0.2.1"), 200);
    String b = page(ask(unknown, "access", "192.0.2.1"), 200);
    assertThat(a).contains("id=\"sent\"");
    assertThat(a.replace(known, "X")).isEqualTo(b.replace(unknown, "X"));
    assertThat(jdbc.sql("select count(*) from privacy_request where organization_id = ?").param(acme.id()).query(Long.class).single())
        .as("nothing is opened before the link is confirmed").isZero();

    // Both get the mail (the answer must not differ, so neither may the mail's coming).
    String mail = mails(known, 1).getFirst();
    assertThat(mails(unknown, 1).getFirst()).contains("/p/privacy/confirm?token=");
    assertThat(mail).contains("a copy of the personal data Self Service " + counter + " holds about you");

    String link = link(mail);
    assertThat(page(mvc.perform(get(link)).andReturn().getResponse(), 200)).contains("id=\"state-pending\"");
    String token = link.substring(link.indexOf('=') + 1);
    String received = page(mvc.perform(post("/p/privacy/confirm").param("token", token)).andReturn().getResponse(), 200);
    assertThat(received).contains("id=\"state-received\"");
    page(mvc.perform(post("/p/privacy/confirm").param("token", token)).andReturn().getResponse(), 200);
    List<DataSubjectRequests.Request> opened = requests.search(acme.id(), new DataSubjectRequests.Filter(null, null, null, ""), 0, 10).items();
    assertThat(opened).as("the same link twice opens one request").hasSize(1);
    assertThat(opened.getFirst().channel()).isEqualTo(RequestChannel.SELF_SERVICE);
    assertThat(opened.getFirst().status()).isEqualTo(RequestStatus.RECEIVED);
    assertThat(opened.getFirst().address()).isEqualTo(known);
    assertThat(requests.history(acme.id(), opened.getFirst().id())).extracting(DataSubjectRequests.Step::action)
        .containsExactly(RequestAction.RECEIVED, RequestAction.VERIFIED);

    // A tampered token opens nothing.
    String tampered = token.substring(0, token.length() - 2) + (token.endsWith("A") ? "BB" : "AA");
    page(mvc.perform(post("/p/privacy/confirm").param("token", tampered)).andReturn().getResponse(), 422);
  }

  @Test
  void an_organization_that_chose_so_completes_access_at_once_and_the_archive_comes_only_through_its_signed_link() throws Exception {
    requests.setSelfServiceCompletes(acme.id(), true);
    String address = "copy" + counter + "@people.example";
    PrivacyTestHolder.ROWS.put(PrivacyTestHolder.key(acme.id(), address), List.of(PrivacyTestHolder.row("item", "a lamp")));
    page(ask(address, "access", "192.0.2.2"), 200);
    String token = link(mails(address, 1).getFirst());
    token = token.substring(token.indexOf('=') + 1);
    String done = page(mvc.perform(post("/p/privacy/confirm").param("token", token)).andReturn().getResponse(), 200);
    assertThat(done).contains("id=\"state-completed\"").contains("id=\"archive-link\"");
    Matcher archive = Pattern.compile("href=\"[^\"]*(/p/privacy/archive\\?token=[^\"]+)\"").matcher(done);
    assertThat(archive.find()).isTrue();
    // The same link is mailed, since the page may be closed before the download.
    String mailed = archiveLink(archiveMail(mails(address, 2)));
    assertThat(mailed).isEqualTo(archive.group(1).replace("&amp;", "&"));
    MockHttpServletResponse zip = mvc.perform(get(mailed)).andReturn().getResponse();
    assertThat(zip.getStatus()).isEqualTo(200);
    Map<String, String> files = PrivacyRequestsApiTest.unzip(zip.getContentAsByteArray());
    assertThat(files.get("summary.html")).contains(address).contains("a lamp");
    assertThat(page(mvc.perform(get("/p/privacy/archive").param("token", "forged.token")).andReturn().getResponse(), 422))
        .contains("id=\"archive-invalid\"");
    // The confirmation link is no way to the archive of another request: it is signed for another purpose.
    assertThat(page(mvc.perform(get("/p/privacy/archive").param("token", token)).andReturn().getResponse(), 422))
        .contains("id=\"archive-invalid\"");
  }

  /** Of the mails to one address (the sink keeps no order), the one with the archive's link. */
  static String archiveMail(List<String> mails) {
    List<String> found = mails.stream().filter(m -> m.contains("/p/privacy/archive?token=")).toList();
    assertThat(found).as("one mail with the archive's link among " + mails).hasSize(1);
    return found.getFirst();
  }

  /** The archive link in a mail, as a path and query on the public origin. */
  String archiveLink(String mail) {
    Matcher m = Pattern.compile(Pattern.quote(properties.publicLink("")) + "(/p/privacy/archive\\?token=[A-Za-z0-9_\\-.]+)").matcher(mail);
    assertThat(m.find()).as(mail).isTrue();
    return m.group(1);
  }

  @Test
  void a_member_completing_a_self_service_access_request_mails_the_person_a_signed_link_that_downloads_without_a_login()
      throws Exception {
    String address = "restricted" + counter + "@people.example";
    PrivacyTestHolder.ROWS.put(PrivacyTestHolder.key(acme.id(), address), List.of(PrivacyTestHolder.row("item", "a blue kettle")));
    // Their processing is restricted: nothing is sent to them by the organization, but their own data is theirs (art. 15).
    restrictions.restrict(acme.id(), address, RestrictionKind.RESTRICTION, "disputes accuracy");
    page(ask(address, "access", "192.0.2.4"), 200);
    String confirm = link(mails(address, 1).getFirst());
    page(mvc.perform(post("/p/privacy/confirm").param("token", confirm.substring(confirm.indexOf('=') + 1))).andReturn().getResponse(), 200);
    DataSubjectRequests.Request r = requests.search(acme.id(), new DataSubjectRequests.Filter(null, null, null, ""), 0, 10).items().getFirst();
    assertThat(r.status()).as("the organization completes it itself").isEqualTo(RequestStatus.RECEIVED);
    assertThat(sink.capturedFor(address)).as("no archive yet").hasSize(1);

    MockHttpServletResponse completed = mvc.perform(post("/api/v1/orgs/" + acme.slug() + "/privacy/requests/" + r.id() + "/completion")
        .header("Authorization", "Bearer " + acme.apiKey())).andReturn().getResponse();
    assertThat(completed.getStatus()).as(completed.getContentAsString()).isEqualTo(200);

    String mail = archiveMail(mails(address, 2));
    SmtpSink.Dump dump = sink.capturedFor(address).stream().filter(d -> d.text().contains("Subject: Your personal data")).findFirst()
        .orElseThrow();
    assertThat(dump.text()).contains("Subject: Your personal data from Self Service " + counter, "Auto-Submitted: auto-generated",
        "From: Herald <herald@privacy-mail.example>");
    Instant expires = archives.available(acme.id(), r.id()).orElseThrow().expiresAt();
    assertThat(mail).contains("You asked Self Service " + counter + " for a copy", "the link works until " + Dates.time(expires),
        properties.publicLink("/p/privacy/archive?token="));
    String download = archiveLink(mail);

    // No session, no key: the link alone.
    MockHttpServletResponse zip = mvc.perform(get(download)).andReturn().getResponse();
    assertThat(zip.getStatus()).isEqualTo(200);
    assertThat(zip.getContentType()).isEqualTo("application/zip");
    Map<String, String> files = PrivacyRequestsApiTest.unzip(zip.getContentAsByteArray());
    assertThat(files.get("summary.html")).contains(address).contains("a blue kettle");
    assertThat(files).containsKey("data.json");
    mvc.perform(get(download)).andReturn();
    List<DataSubjectRequests.Step> history = requests.history(acme.id(), r.id());
    assertThat(history).extracting(DataSubjectRequests.Step::action).containsSubsequence(RequestAction.RECEIVED, RequestAction.VERIFIED,
        RequestAction.COMPLETED, RequestAction.ARCHIVE_MAILED, RequestAction.ARCHIVE_DOWNLOADED, RequestAction.ARCHIVE_DOWNLOADED);
    assertThat(history.stream().filter(s -> s.action() == RequestAction.ARCHIVE_DOWNLOADED)).as("each download counted").hasSize(2);

    // Tampered with: the first character of the signature changed (not the last, whose low bits base64 ignores).
    String token = download.substring(download.indexOf('=') + 1);
    int signature = token.lastIndexOf('.') + 1;
    String tampered = token.substring(0, signature) + (token.charAt(signature) == 'A' ? 'B' : 'A') + token.substring(signature + 1);
    assertThat(page(mvc.perform(get("/p/privacy/archive").param("token", tampered)).andReturn().getResponse(), 422))
        .contains("id=\"archive-invalid\"").contains("not valid");
    // Past its time (a link signed as the completion signs it, with an expiry gone by): the page says so.
    String expired = links.sign(ArchiveLinks.PURPOSE, Instant.now().minusSeconds(60), Long.toString(acme.id()), Long.toString(r.id()));
    assertThat(page(mvc.perform(get("/p/privacy/archive").param("token", expired)).andReturn().getResponse(), 410))
        .contains("id=\"archive-expired\"").contains("has expired");
    // A valid link whose archive is gone (deleted when it expired) gives a page, not the file.
    jdbc.sql("delete from privacy_archive where request_id = ?").param(r.id()).update();
    assertThat(page(mvc.perform(get(download)).andReturn().getResponse(), 410)).contains("id=\"archive-gone\"");
  }

  @Test
  void an_erasure_confirmed_by_the_person_erases_them_when_the_organization_chose_so() throws Exception {
    requests.setSelfServiceCompletes(acme.id(), true);
    String address = "leave" + counter + "@people.example";
    subscribers.upsert(acme.id(), new Subscribers.Input(address, "Leaving", null, null), "test");
    page(ask(address, "erasure", "192.0.2.3"), 200);
    String token = link(mails(address, 1).getFirst());
    String done = page(mvc.perform(post("/p/privacy/confirm").param("token", token.substring(token.indexOf('=') + 1)))
        .andReturn().getResponse(), 200);
    assertThat(done).contains("is erased");
    assertThat(subscribers.findByEmail(acme.id(), address)).isEmpty();
    DataSubjectRequests.Request r = requests.search(acme.id(), new DataSubjectRequests.Filter(null, null, null, ""), 0, 10).items().getFirst();
    assertThat(r.status()).isEqualTo(RequestStatus.COMPLETED);
    assertThat(r.address()).isEqualTo("(erased)");
  }

  @Test
  void three_mails_a_day_per_address_and_ten_attempts_per_network_and_no_answer_tells_which() throws Exception {
    String address = "often" + counter + "@people.example";
    for (int i = 0; i < 4; i++) page(ask(address, "access", "198.51.100." + i), 200);
    mails(address, 3);
    Thread.sleep(1000);
    assertThat(sink.capturedFor(address)).as("the fourth ask mails nothing").hasSize(3);

    for (int i = 0; i < SelfServiceRequests.PER_NETWORK; i++) page(ask("n" + i + "@people.example", "access", "203.0.113.9"), 200);
    assertThat(page(ask("n11@people.example", "access", "203.0.113.9"), 429)).contains("Too many requests from your network");
    // Bad input is named, and says nothing about the organization's data.
    assertThat(page(ask("not an address", "access", "203.0.113.10"), 422)).contains("Not a valid email address");
    assertThat(jdbc.sql("select count(*) from privacy_self_service_attempt where address_mac like '%often%'").query(Long.class).single()).isZero();
  }
}
