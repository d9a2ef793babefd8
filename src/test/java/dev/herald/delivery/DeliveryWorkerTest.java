package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.domains.SendingDomains;
import dev.herald.messages.DebianPython;
import dev.herald.messages.ReturnPath;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.SmtpSink;
import dev.herald.testsupport.VerifiedSenders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The whole path on a node with the delivery role: the send API queues, the worker claims, signs with the domain's
 * keys, sends with the VERP return path over the static route to Postfix's smtp-sink, and records each attempt;
 * python3-dkim verifies what the sink captured. Suspended organizations wait and go on after resumption.
 */
@SpringBootTest(properties = {"herald.roles=web,delivery,worker", "herald.delivery.worker.poll=50ms", "herald.delivery.route=static"})
@AutoConfigureMockMvc
@Import(TestOrganizations.class)
class DeliveryWorkerTest {
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
  @Autowired SendingDomains sendingDomains;
  @Autowired ReturnPath returnPath;
  @Autowired OutboundMessages outbound;
  @Autowired JdbcClient jdbc;
  @Autowired ObjectMapper json;
  @TempDir Path dir;

  JsonNode send(TestOrganizations.Created org, String from, List<String> to) throws Exception {
    String body = json.writeValueAsString(Map.of("from", from, "to", to, "subject", "Worker test", "text", "Hello from the worker",
        "html", "<p>Hello from the <b>worker</b></p>"));
    MockHttpServletResponse r = mvc.perform(post("/api/v1/orgs/" + org.slug() + "/messages").header("Authorization", "Bearer " + org.apiKey())
        .contentType("application/json").content(body)).andReturn().getResponse();
    assertThat(r.getStatus()).as(r.getContentAsString()).isEqualTo(202);
    return json.readTree(r.getContentAsString());
  }

  JsonNode read(TestOrganizations.Created org, long id) throws Exception {
    MockHttpServletResponse r = mvc.perform(get("/api/v1/orgs/" + org.slug() + "/messages/" + id).header("Authorization", "Bearer " + org.apiKey()))
        .andReturn().getResponse();
    assertThat(r.getStatus()).isEqualTo(200);
    return json.readTree(r.getContentAsString());
  }

  List<String> states(long messageId) {
    return jdbc.sql("select state from outbound_recipient where message_id = ? order by id").param(messageId).query(String.class).list();
  }

  static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waited 20 s for " + what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void a_message_sent_through_the_api_arrives_signed_at_the_sink_with_its_return_path_and_the_attempt_is_shown() throws Exception {
    TestOrganizations.Created org = organizations.create("Worker One", "send");
    Map<String, String> dns = new VerifiedSenders(sendingDomains, jdbc).organization(org.id(), "worker-one.example").dkimRecords();
    JsonNode accepted = send(org, "news@worker-one.example", List.of("ann@one.example", "bob@two.example"));
    long id = accepted.get("id").asLong();

    waitFor("both recipients delivered", () -> states(id).equals(List.of("delivered", "delivered")));

    JsonNode view = read(org, id);
    for (JsonNode r : view.get("recipients")) {
      assertThat(r.get("state").asString()).isEqualTo("delivered");
      assertThat(r.get("attempts").asInt()).isEqualTo(1);
      assertThat(r.get("lastReply").asString()).startsWith("250 2.0.0 Ok");
      JsonNode attempt = r.get("attemptLog").get(0);
      assertThat(attempt.get("outcome").asString()).isEqualTo("delivered");
      assertThat(attempt.get("replyCode").asInt()).isEqualTo(250);
      assertThat(attempt.get("enhancedCode").asString()).isEqualTo("2.0.0");
      assertThat(attempt.get("serverHost").asString()).isEqualTo("127.0.0.1");
      assertThat(attempt.get("serverIp").asString()).isEqualTo("127.0.0.1");
      assertThat(attempt.get("at").isNull()).isFalse();
    }

    List<String> files = new ArrayList<>();
    for (JsonNode r : accepted.get("recipients")) {
      String address = r.get("address").asString();
      List<SmtpSink.Dump> dumps = sink.capturedFor(address);
      assertThat(dumps).as("one copy for " + address).hasSize(1);
      ReturnPath.Recipient bounce = returnPath.parse(dumps.getFirst().mailFrom()).orElseThrow();
      // smtp-sink offers DSN: the envelope id a DSN quotes back is the Message-ID
      assertThat(dumps.getFirst().mailArgs()).containsPattern("^<[^>]*> .*ENVID=" + Pattern.quote(accepted.get("messageId").asString()));
      assertThat(bounce).isEqualTo(new ReturnPath.Recipient(id, r.get("id").asLong(), "worker-one.example"));
      Path file = dir.resolve(address + ".eml");
      Files.write(file, dumps.getFirst().wire());
      files.add(file.toString());
    }
    Path keys = dir.resolve("keys.tsv");
    Files.writeString(keys, dns.entrySet().stream().map(e -> e.getKey() + "\t" + e.getValue() + "\n").collect(Collectors.joining()));
    List<String> args = new ArrayList<>(List.of(keys.toString()));
    args.addAll(files);
    DebianPython.Run run = DebianPython.run("dkim_verify.py", dir, args);
    assertThat(run.exit()).as(run.output()).isZero();
    // Two signatures (RSA and Ed25519) on each of the two messages, every one verified.
    assertThat(run.output().strip().lines().toList()).hasSize(4).allSatisfy(line -> assertThat(line).endsWith(" pass"));
  }

  @Test
  void a_domain_set_to_sign_with_rsa_only_sends_one_verified_rsa_signature() throws Exception {
    TestOrganizations.Created org = organizations.create("Worker Rsa Only", "send");
    Map<String, String> dns = new VerifiedSenders(sendingDomains, jdbc).organization(org.id(), "worker-rsa.example").dkimRecords();
    jdbc.sql("update sending_domain set dkim_signatures = 'rsa' where name = 'worker-rsa.example'").update();
    long id = send(org, "news@worker-rsa.example", List.of("eve@rsa-only.example")).get("id").asLong();
    waitFor("delivered", () -> states(id).equals(List.of("delivered")));

    SmtpSink.Dump dump = sink.capturedFor("eve@rsa-only.example").getFirst();
    assertThat(dump.text().lines().filter(line -> line.startsWith("DKIM-Signature:"))).as("one DKIM-Signature field").hasSize(1);
    assertThat(dump.text()).contains("a=rsa-sha256").doesNotContain("a=ed25519-sha256");
    Path file = dir.resolve("rsa-only.eml");
    Files.write(file, dump.wire());
    Path keys = dir.resolve("keys.tsv");
    Files.writeString(keys, dns.entrySet().stream().map(e -> e.getKey() + "\t" + e.getValue() + "\n").collect(Collectors.joining()));
    DebianPython.Run run = DebianPython.run("dkim_verify.py", dir, List.of(keys.toString(), file.toString()));
    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output().strip().lines().toList()).singleElement().satisfies(line -> assertThat(line).endsWith(" pass"));
  }

  @Test
  void a_suspended_organizations_mail_waits_and_goes_once_it_is_resumed() throws Exception {
    TestOrganizations.Created held = organizations.create("Worker Held", "send");
    TestOrganizations.Created other = organizations.create("Worker Other", "send");
    VerifiedSenders senders = new VerifiedSenders(sendingDomains, jdbc);
    String heldFrom = senders.organization(held.id(), "worker-held.example").from();
    String otherFrom = senders.organization(other.id(), "worker-other.example").from();
    jdbc.sql("update organization set suspended_at = now(), suspended_reason = 'test' where id = ?").param(held.id()).update();
    // Its API is refused while suspended; the queue can still hold its mail (accepted just before, say).
    long heldMessage = outbound.accept(held.id(), new SendRequest(heldFrom, null, List.of("cy@shared.example"), null,
        null, null, "Held", null, "Held back", null, null, null, null), null).id();
    long otherMessage = send(other, otherFrom, List.of("dan@shared.example")).get("id").asLong();
    waitFor("the other organization's message delivered", () -> states(otherMessage).equals(List.of("delivered")));
    assertThat(states(heldMessage)).containsExactly("queued");
    assertThat(sink.capturedFor("cy@shared.example")).isEmpty();

    jdbc.sql("update organization set suspended_at = null, suspended_reason = '' where id = ?").param(held.id()).update();
    waitFor("the resumed organization's message delivered", () -> states(heldMessage).equals(List.of("delivered")));
    assertThat(sink.capturedFor("cy@shared.example")).hasSize(1);
  }
}
