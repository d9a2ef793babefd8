package dev.herald.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.TableOwnership;
import dev.herald.campaigns.Campaign;
import dev.herald.campaigns.CampaignFixtures;
import dev.herald.campaigns.CampaignForm;
import dev.herald.campaigns.Campaigns;
import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.feedback.TestFeedback;
import dev.herald.suppression.RestrictionKind;
import dev.herald.suppression.Restrictions;
import dev.herald.suppression.Suppressions;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.SmtpSink;
import java.io.ByteArrayInputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Issue 13's generic erasure test. Two people get data in every capability through the real paths: subscribed through
 * the API (with consent evidence) and by an import, mailed a tracked campaign by Herald's MTA to Postfix's smtp-sink,
 * delivered, then bounced (a DSN to the inbound SMTP listener at the return path the sink saw), opened and clicked on
 * the tracking endpoints, complained (ARF), suppressed by hand and objecting to marketing. Then one of them is erased
 * through every holder of the personal-data map, rightmost first, in one transaction; and every text, varchar, char,
 * json, jsonb and bytea column (arrays too) of every table is scanned for their address in any case, and for the MD5,
 * SHA-1 and SHA-256 of the normalized address (hex in any case, and raw bytes in bytea), which other systems store. Any
 * hit fails, naming table.column; a keyed suppression hash is no hit, since no unkeyed digest finds it. The other person
 * must be found exactly where they were before.
 *
 * <p>While a capability has no holder yet ({@link PersonalDataMapCoverageTest#NOT_MAPPED_YET}), hits in its tables are
 * printed as known gaps instead of failing.
 */
@SpringBootTest(properties = {"herald.roles=web,delivery,worker,smtp", "herald.delivery.worker.poll=50ms", "herald.delivery.route=static",
    "herald.campaigns.poll=100ms", "herald.base-url=https://panel.herald.test", "herald.public-url=https://news.herald.test",
    "herald.sending.tracking-host=t.herald.test", "herald.tracking.flush=20ms", "herald.tracking.scanner-window=0s",
    "herald.feedback.inbound-bind=127.0.0.1", "herald.imports.poll=PT0.1S"})
@AutoConfigureMockMvc
@Import({TestOrganizations.class, CampaignFixtures.class})
class ErasureScanTest {
  static SmtpSink sink;
  static int inboundPort;

  @DynamicPropertySource
  static void peers(DynamicPropertyRegistry registry) throws Exception {
    sink = SmtpSink.forStaticRoute(registry);
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      inboundPort = probe.getLocalPort();
    }
    registry.add("herald.feedback.inbound-port", () -> inboundPort);
  }

  @AfterAll
  static void stopSink() throws Exception {
    sink.close();
  }

  @Autowired MockMvc mvc;
  @Autowired DataSubjectRequests requests;
  @Autowired RequestCompletion completion;
  @Autowired ObjectMapper json;
  @Autowired TestOrganizations organizations;
  @Autowired CampaignFixtures fixtures;
  @Autowired SendingDomains sendingDomains;
  @Autowired Campaigns campaigns;
  @Autowired Suppressions suppressions;
  @Autowired Restrictions restrictions;
  @Autowired PersonalDataMap map;
  @Autowired JdbcClient jdbc;
  @Autowired TransactionTemplate tx;

  static final String BODY = """
      <p>Hello {{ subscriber.name }}</p><p><a href="https://shop.example/spring">Spring</a></p>""";
  static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";

  TestOrganizations.Created org;

  @Test
  void an_erased_person_leaves_no_address_and_no_unkeyed_hash_in_any_column_and_the_other_person_is_intact() throws Exception {
    org = organizations.create("Erasure Scan " + System.nanoTime(), "lists:read", "lists:write", "lists:export", "campaigns:read",
        "campaigns:write", "reports:read");
    String domain = "scan-" + org.id() + ".example";
    new TestSendingDomains(sendingDomains, jdbc).verified(org.id(), domain);
    CampaignFixtures.Org sender = new CampaignFixtures.Org(org, domain);
    // events tied to people, with their whole IP address: the most the organization can keep
    assertThat(panel(post("/o/" + org.slug() + "/tracking").param("mode", "identified").param("ip", "full").with(csrf())).getStatus())
        .isEqualTo(302);
    long readers = fixtures.list(sender, "Readers"), imported = fixtures.list(sender, "Imported");

    String dana = "Dana.Erasure@erase-" + org.id() + ".example", bob = "Bob.Kept@keep-" + org.id() + ".example";
    for (String person : List.of(dana, bob)) {
      call(post("/api/v1/orgs/" + org.slug() + "/subscribers"), """
          {"email":"%s","name":"%s","lists":[%d],"consent":{"text":"Yes, send me news","ip":"203.0.113.9","userAgent":"Shop/1.0"}}"""
          .formatted(person, person.substring(0, person.indexOf('@')), readers), 201);
    }
    JsonNode job = upload(imported, ("email,name,city\r\n" + dana + ",Dana Imported,Lyon\r\n" + bob + ",Bob Imported,Oslo\r\n")
        .getBytes(StandardCharsets.UTF_8));
    assertThat(job.get("status").asString()).isEqualTo("finished");

    Campaign c = campaigns.create(org.id(), new CampaignForm("Scan news", List.of(), "Hello {{ subscriber.name }}", "", sender.from(),
        "Shop", "", null, BODY, "html", true, true, CampaignFixtures.lists(readers, imported)));
    campaigns.schedule(org.id(), c.id(), null, null);
    waitFor("both delivered", () -> jdbc.sql("""
        select count(*) from outbound_recipient r join campaign c on c.message_id = r.message_id where c.id = ? and r.state = 'delivered'""")
        .param(c.id()).query(Long.class).single() == 2);
    for (String person : List.of(dana, bob)) {
      Received mail = received(person);
      assertThat(track(mail.pixel()).getStatus()).isEqualTo(200);
      assertThat(track(mail.click()).getStatus()).isEqualTo(302);
      inbound(mail.returnPath(), TestFeedback.dsnMessage(mail.returnPath(), person, "5.1.1", "550 5.1.1 <" + person + ">: User unknown"));
      inbound(mail.returnPath(), TestFeedback.complaintMessage(mail.returnPath(), person));
      suppressions.add(org.id(), new Suppressions.NewEntry(person.toUpperCase(Locale.ROOT), null, null, "asked by phone", null), "test");
      restrictions.restrict(org.id(), person, RestrictionKind.OBJECTION, "no more marketing");
    }
    waitFor("4 tracking events stored", () -> jdbc.sql("select count(*) from tracking_event where campaign_id = ?").param(c.id())
        .query(Long.class).single() == 4);
    waitFor("4 pieces of feedback stored", () -> jdbc.sql("select count(*) from feedback_event where campaign_id = ?").param(c.id())
        .query(Long.class).single() == 4);

    // A draft import holding both, not started yet: erasure must cut her line out of its stored file and keep his.
    byte[] later = ("email,name\r\n" + dana.toUpperCase(Locale.ROOT) + ",Dana Later\r\n" + bob + ",Bob Later\r\n").getBytes(StandardCharsets.UTF_8);
    assertThat(panel(multipart("/o/" + org.slug() + "/imports").file(new MockMultipartFile("file", "later.csv", null, later))
        .param("listId", Long.toString(imported)).with(csrf())).getStatus()).isEqualTo(302);
    long draft = jdbc.sql("select id from import_job where organization_id = ? and status = 'draft'").param(org.id()).query(Long.class).single();

    Map<String, Long> danaBefore = hits(dana), bobBefore = hits(bob);
    System.out.println("Before the erasure, the person to erase is in: " + danaBefore);
    assertThat(danaBefore).as("the scan finds the person where the capabilities keep them").containsKeys("subscriber.email",
        "subscriber.email_key", "outbound_recipient.address", "campaign_recipient.address", "feedback_event.address",
        "feedback_event.diagnostic", "suppression.address", "suppression_restriction.address", "import_job.content");

    erase(dana);

    Map<String, Long> left = hits(dana);
    Map<String, String> owners = TableOwnership.ofThisProject();
    List<String> failing = new ArrayList<>(), gaps = new ArrayList<>();
    left.forEach((column, rows) -> {
      String owner = owners.getOrDefault(column.substring(0, column.indexOf('.')), "(unknown)");
      String line = column + " (" + owner + ", " + rows + " rows)";
      (PersonalDataMapCoverageTest.NOT_MAPPED_YET.contains(owner) ? gaps : failing).add(line);
    });
    System.out.println("After the erasure, the erased person is still in (table.column):\n  " + String.join("\n  ", failing)
        + "\nknown gaps of capabilities without a holder yet:\n  " + String.join("\n  ", gaps));
    assertThat(failing).as("columns still holding the erased person's address or an unkeyed hash of it").isEmpty();
    assertThat(hits(bob)).as("the other person, untouched").isEqualTo(bobBefore);
    String draftFile = new String(jdbc.sql("select content from import_job where id = ?").param(draft).query(byte[].class).single(),
        StandardCharsets.UTF_8);
    assertThat(draftFile).as("the draft keeps his line, on its line").contains("\n\n\"" + bob + "\",\"Bob Later\"");
  }

  /**
   * Erasure as a member runs it: an erasure request opened for the address and completed, which calls every holder,
   * rightmost capability first, in one transaction, and leaves a completion record of counts only.
   */
  void erase(String address) {
    String key = address.toLowerCase(Locale.ROOT);
    assertThat(jdbc.sql("select count(*) from subscriber where organization_id = ? and email_key = ?").params(org.id(), key)
        .query(Long.class).single()).isEqualTo(1);
    DataSubjectRequests.Request request = requests.open(org.id(), RequestType.ERASURE, address, RequestChannel.API, "scan-test", null);
    DataSubjectRequests.Request done = completion.complete(org.id(), request.id(), "scan-test", null, null);
    assertThat(done.status()).isEqualTo(RequestStatus.COMPLETED);
  }

  // ---- the scan ----------------------------------------------------------------------------------------------------

  /**
   * Every table.column holding the address (any case) or an unkeyed digest of its normalized form, with the number of
   * rows: text-like columns compared lower-cased as text (arrays and JSON as their text), bytea byte for byte.
   */
  Map<String, Long> hits(String address) throws Exception {
    String key = address.toLowerCase(Locale.ROOT);
    byte[] utf8 = key.getBytes(StandardCharsets.UTF_8);
    List<String> textNeedles = new ArrayList<>(List.of(key));
    List<byte[]> byteNeedles = new ArrayList<>(List.of(address.getBytes(StandardCharsets.UTF_8), utf8,
        address.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8)));
    for (String algorithm : List.of("MD5", "SHA-1", "SHA-256")) {
      byte[] digest = MessageDigest.getInstance(algorithm).digest(utf8);
      String hex = HexFormat.of().formatHex(digest);
      textNeedles.add(hex);
      byteNeedles.add(digest);
      byteNeedles.add(hex.getBytes(StandardCharsets.US_ASCII));
      byteNeedles.add(hex.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }
    Map<String, Long> found = new TreeMap<>();
    for (Map.Entry<String, String> column : textLikeColumns().entrySet()) {
      String table = column.getKey().substring(0, column.getKey().indexOf('.'));
      String name = column.getKey().substring(column.getKey().indexOf('.') + 1);
      String sql;
      Map<String, Object> params = new LinkedHashMap<>();
      List<String> conditions = new ArrayList<>();
      if (column.getValue().equals("bytea")) {
        for (int i = 0; i < byteNeedles.size(); i++) {
          conditions.add("position(cast(:n" + i + " as bytea) in \"" + name + "\") > 0");
          params.put("n" + i, byteNeedles.get(i));
        }
      } else {
        for (int i = 0; i < textNeedles.size(); i++) {
          conditions.add("strpos(lower(cast(\"" + name + "\" as text)), :n" + i + ") > 0");
          params.put("n" + i, textNeedles.get(i));
        }
      }
      sql = "select count(*) from \"" + table + "\" where " + String.join(" or ", conditions);
      long rows = jdbc.sql(sql).params(params).query(Long.class).single();
      if (rows > 0) found.put(column.getKey(), rows);
    }
    return found;
  }

  /** table.column → "bytea" or "text" for every text, varchar, char, json, jsonb and bytea column (and array of them). */
  Map<String, String> textLikeColumns() {
    Map<String, String> columns = new TreeMap<>();
    jdbc.sql("""
        select c.table_name, c.column_name, c.udt_name
          from information_schema.columns c
          join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
         where c.table_schema = 'public' and t.table_type = 'BASE TABLE'""")
        .query((java.sql.ResultSet rs) -> {
          String type = rs.getString(3).replaceFirst("^_", "");
          if (new TreeSet<>(List.of("text", "varchar", "bpchar", "json", "jsonb", "bytea", "citext")).contains(type)) {
            columns.put(rs.getString(1) + "." + rs.getString(2), type.equals("bytea") && !rs.getString(3).startsWith("_") ? "bytea" : "text");
          }
        });
    return columns;
  }

  // ---- the real paths ----------------------------------------------------------------------------------------------

  JsonNode call(MockHttpServletRequestBuilder r, String body, int status) throws Exception {
    if (body != null) r = r.contentType("application/json").content(body);
    MockHttpServletResponse response = mvc.perform(r.header("Authorization", "Bearer " + org.apiKey())).andReturn().getResponse();
    assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(status);
    return response.getContentAsString().isEmpty() ? null : json.readTree(response.getContentAsString());
  }

  /** An import of this CSV into the list, through the API, followed until the worker finished it. */
  JsonNode upload(long list, byte[] csv) throws Exception {
    var request = multipart("/api/v1/orgs/" + org.slug() + "/imports").file(new MockMultipartFile("file", "people.csv", null, csv))
        .param("listId", Long.toString(list)).param("consentBasis", "signed up at our shop");
    MockHttpServletResponse created = mvc.perform(request.header("Authorization", "Bearer " + org.apiKey())).andReturn().getResponse();
    assertThat(created.getStatus()).as(created.getContentAsString()).isEqualTo(202);
    long id = json.readTree(created.getContentAsString()).get("id").asLong();
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode job = call(get("/api/v1/orgs/" + org.slug() + "/imports/" + id), null, 200);
      if (List.of("finished", "failed").contains(job.get("status").asString())) return job;
      Thread.sleep(100);
    }
    throw new AssertionError("import " + id + " did not finish in 90 s");
  }

  record Received(String returnPath, String click, String pixel) {}

  Received received(String address) throws Exception {
    List<SmtpSink.Dump> dumps = sink.capturedFor(address);
    assertThat(dumps).as("one message for " + address).hasSize(1);
    SmtpSink.Dump dump = dumps.getFirst();
    var message = new jakarta.mail.internet.MimeMessage(null, new ByteArrayInputStream(dump.wire()));
    String html = null;
    var multipart = (jakarta.mail.Multipart) message.getContent();
    for (int i = 0; i < multipart.getCount(); i++) {
      if (multipart.getBodyPart(i).isMimeType("text/html")) html = (String) multipart.getBodyPart(i).getContent();
    }
    assertThat(html).as("the HTML part").isNotNull();
    Document d = Jsoup.parse(html);
    return new Received(dump.mailFrom(), d.select("a[href^=https://t.herald.test/t/c/]").attr("href"),
        d.select("img[src^=https://t.herald.test/t/o/]").attr("src"));
  }

  /** Fetches a tracking URL on its host, as a person's mail client would. */
  MockHttpServletResponse track(String url) throws Exception {
    URI u = URI.create(url);
    return mvc.perform(get(u).secure(true).header("User-Agent", BROWSER).with(r -> {
      r.setServerName(u.getHost());
      r.setRemoteAddr("198.51.100.7");
      return r;
    })).andReturn().getResponse();
  }

  MockHttpServletResponse panel(org.springframework.test.web.servlet.request.AbstractMockHttpServletRequestBuilder<?> request) throws Exception {
    return mvc.perform(request.secure(true).with(organizations.asOwner(org)).with(r -> {
      r.setServerName("panel.herald.test");
      return r;
    })).andReturn().getResponse();
  }

  /** Sends one message to the inbound SMTP listener for {@code rcpt}; its 250 comes after the actions committed. */
  static void inbound(String rcpt, byte[] message) throws Exception {
    dev.herald.testsupport.InboundSmtp.deliver(inboundPort, rcpt, message);
  }


  static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waited for " + what).isLessThan(deadline);
      Thread.sleep(50);
    }
  }
}
