package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.messages.ReturnPath;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.TestDns;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Issue 10's "done when", end to end against a real receiving MTA: an organization adds a sending domain and verifies
 * it against a DNS server on loopback, sends through the send API, and the queue worker delivers over the static route
 * to a real Postfix (an instance of its own from {@code bin/private-postfix}: own configuration and queue, a loopback
 * port, a maildir for the test domain). The file Postfix stored is verified by Debian's python3-dkim with the keys as
 * published, and the Return-Path Postfix recorded is the signed VERP address naming this message and recipient.
 */
@SpringBootTest(properties = {"herald.roles=web,delivery,worker", "herald.delivery.worker.poll=50ms"})
@AutoConfigureMockMvc
@Import(TestOrganizations.class)
class RealPostfixPeerTest {
  static final String SENDING = "sender.example";
  static final String PEER = "peer.example";
  static final TestDns dns = TestDns.start();
  static final int port = freePort();
  static Path postfix;

  @DynamicPropertySource
  static void settings(DynamicPropertyRegistry registry) {
    registry.add("herald.delivery.route", () -> "static");
    registry.add("herald.delivery.static-route", () -> "127.0.0.1:" + port);
    registry.add("herald.dns.resolvers", dns::address);
    registry.add("herald.dns.timeout", () -> "PT2S");
    registry.add("herald.sending.spf-include", () -> "_spf.herald.example");
    registry.add("herald.sending.bounce-host", () -> "bounce.herald.example");
    registry.add("herald.sending.tracking-host", () -> "track.herald.example");
  }

  @BeforeAll
  static void startPostfix() throws Exception {
    postfix = Files.createTempDirectory("herald-postfix-peer");
    Run started = privatePostfix("start", postfix.toString(), Integer.toString(port), "deliver", PEER);
    if (started.exit() != 0) {
      fail("could not start a Postfix on 127.0.0.1:" + port + " (bin/install-test-tools installs Debian's postfix): "
          + started.output());
    }
  }

  @AfterAll
  static void stopPostfix() throws Exception {
    dns.close();
    if (postfix != null) {
      privatePostfix("stop", postfix.toString());
      try (Stream<Path> files = Files.walk(postfix)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Autowired MockMvc mvc;
  @Autowired TestOrganizations organizations;
  @Autowired ReturnPath returnPath;
  @Autowired ObjectMapper json;

  @Test
  void a_message_sent_through_the_api_arrives_dkim_valid_at_postfix_with_the_verp_return_path() throws Exception {
    TestOrganizations.Created acme = organizations.create("Postfix Peer", "send", "domains:read", "domains:write");
    JsonNode domain = call(acme, post(api(acme, "/domains")), "{\"name\": \"" + SENDING + "\"}", 201);
    dns.txt("_spf.herald.example", "v=spf1 ip4:127.0.0.1 -all");
    for (JsonNode r : domain.get("records")) publish(r);
    JsonNode checked = call(acme, post(api(acme, "/domains/" + domain.get("id").asLong() + "/check")), "", 200);
    assertThat(checked.get("verified").asBoolean()).as(checked.toString()).isTrue();

    JsonNode accepted = call(acme, post(api(acme, "/messages")), json.writeValueAsString(Map.of(
        "from", "news@" + SENDING, "fromName", "Sender News", "to", List.of("ann@" + PEER),
        "subject", "Through a real Postfix", "text", "Hello Ann,\n\nthis went through Postfix.\n",
        "html", "<p>Hello Ann,</p><p>this went through <b>Postfix</b>.</p>")), 202);
    long messageId = accepted.get("id").asLong();
    long recipientId = accepted.get("recipients").get(0).get("id").asLong();

    Path delivered = awaitDelivery();
    String stored = Files.readString(delivered, StandardCharsets.UTF_8);
    assertThat(stored).contains("Delivered-To: ann@" + PEER).contains("Subject: Through a real Postfix");

    Matcher rp = Pattern.compile("(?m)^Return-Path: <([^>]*)>").matcher(stored);
    assertThat(rp.find()).as("Postfix's Return-Path header in\n" + stored).isTrue();
    assertThat(rp.group(1)).startsWith("b+").endsWith("@bounces." + SENDING);
    assertThat(returnPath.parse(rp.group(1))).contains(new ReturnPath.Recipient(messageId, recipientId, SENDING));

    // Postfix stores mail with LF line ends, as every UNIX mailbox does; a verifier reads it back with CRLF.
    Path wire = postfix.resolve("delivered.eml");
    Files.writeString(wire, stored.replace("\r\n", "\n").replace("\n", "\r\n"), StandardCharsets.UTF_8);
    Path tampered = postfix.resolve("tampered.eml");
    Files.writeString(tampered, Files.readString(wire).replace("this went through Postfix", "this went through Exim"));
    List<String> verdicts = dkimVerify(domain, wire, tampered);
    assertThat(verdicts.stream().filter(v -> v.startsWith(wire + " ")).toList()).as("one RSA and one Ed25519 signature, both verified")
        .containsExactly(wire + " 0 pass", wire + " 1 pass");
    assertThat(verdicts.stream().filter(v -> v.startsWith(tampered + " ")).toList()).as("the oracle refuses a changed body")
        .hasSize(2).allMatch(v -> v.contains(" fail "));

    // The API shows the recipient delivered with Postfix's own reply.
    JsonNode recipient = awaitState(acme, messageId);
    assertThat(recipient.get("lastReply").asString()).startsWith("250").contains("queued as");
  }

  Path awaitDelivery() throws Exception {
    Path inbox = postfix.resolve("mail/inbox/new");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (Files.isDirectory(inbox)) {
        try (Stream<Path> files = Files.list(inbox)) {
          List<Path> found = files.toList();
          if (!found.isEmpty()) {
            assertThat(found).as("one delivery").hasSize(1);
            return found.get(0);
          }
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("nothing reached Postfix's maildir within 60 s; its log:\n" + log());
  }

  JsonNode awaitState(TestOrganizations.Created org, long messageId) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    JsonNode recipient = null;
    while (System.nanoTime() < deadline) {
      recipient = call(org, get(api(org, "/messages/" + messageId)), null, 200).get("recipients").get(0);
      if (recipient.get("state").asString().equals("delivered")) return recipient;
      Thread.sleep(100);
    }
    throw new AssertionError("the recipient was not marked delivered within 30 s: " + recipient);
  }

  List<String> dkimVerify(JsonNode domain, Path... messages) throws Exception {
    Path script = postfix.resolve("dkim_verify.py");
    try (InputStream in = RealPostfixPeerTest.class.getResourceAsStream("/dev/herald/messages/dkim_verify.py")) {
      Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
    }
    StringBuilder keys = new StringBuilder();
    for (JsonNode r : domain.get("records")) {
      if (r.get("record").asString().startsWith("dkim:")) keys.append(r.get("host").asString()).append('\t').append(r.get("value").asString()).append('\n');
    }
    Path keysFile = postfix.resolve("keys.tsv");
    Files.writeString(keysFile, keys, StandardCharsets.US_ASCII);
    if (!Files.isExecutable(Path.of("/usr/bin/python3"))) fail("/usr/bin/python3 is missing: run bin/install-test-tools");
    List<String> command = new ArrayList<>(List.of("/usr/bin/python3", script.toString(), keysFile.toString()));
    for (Path m : messages) command.add(m.toString());
    Run run = run(command);
    if (run.output().contains("ModuleNotFoundError")) fail("python3-dkim or python3-nacl is missing: run bin/install-test-tools\n" + run.output());
    assertThat(run.exit()).as(run.output()).isZero();
    return run.output().lines().toList();
  }

  void publish(JsonNode record) {
    String host = record.get("host").asString();
    String value = record.get("value").asString();
    switch (record.get("type").asString()) {
      case "TXT" -> dns.replaceTxt(host, value);
      case "MX" -> dns.mx(host, Integer.parseInt(value.split(" ")[0]), value.split(" ")[1]);
      case "CNAME" -> dns.cname(host, value);
      default -> throw new AssertionError(record.toString());
    }
  }

  JsonNode call(TestOrganizations.Created org, MockHttpServletRequestBuilder r, String body, int status) throws Exception {
    r.header("Authorization", "Bearer " + org.apiKey());
    if (body != null) r.contentType("application/json").content(body);
    MockHttpServletResponse response = mvc.perform(r).andReturn().getResponse();
    assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(status);
    return json.readTree(response.getContentAsString());
  }

  static String api(TestOrganizations.Created org, String path) {
    return "/api/v1/orgs/" + org.slug() + path;
  }

  static String log() throws IOException {
    Path log = postfix.resolve("maillog");
    return Files.exists(log) ? Files.readString(log) : "(no log)";
  }

  record Run(int exit, String output) {}

  static Run privatePostfix(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of("bin/private-postfix").toAbsolutePath().toString()));
    command.addAll(List.of(args));
    return run(command);
  }

  static Run run(List<String> command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = process.getInputStream().readAllBytes();
    if (!process.waitFor(1, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      fail(command.getFirst() + " did not finish within a minute");
    }
    return new Run(process.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
