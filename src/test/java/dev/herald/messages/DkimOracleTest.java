package dev.herald.messages;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's python3-dkim, an independent implementation, verifies what Herald signs: every message shape
 * the builder makes and hand-written ones with tricky whitespace, with RSA, Ed25519 and both. Tampered
 * copies must fail, so a passing run cannot come from a verifier that accepts anything.
 */
class DkimOracleTest {
  static DkimKey rsa;
  static DkimKey ed25519;
  static DkimKey rsaOtherDomain;
  @TempDir Path dir;

  @BeforeAll
  static void keys() {
    rsa = DkimKey.newRsa("example.com", "rsa2026");
    ed25519 = DkimKey.newEd25519("example.com", "ed2026");
    rsaOtherDomain = DkimKey.newRsa("xn--bcher-kva.example", "s1.herald");
  }

  /** Hand-written messages with what relaxed canonicalization must get right. */
  static Map<String, String> tricky() {
    Map<String, String> messages = new LinkedHashMap<>();
    messages.put("whitespace", """
        From:   Joe  <joe@example.com>\t
        To: ann@example.net,
        \t  bob@example.net ,\t
           cy@example.net
        SUBJECT:\tMany    spaces\t \t here  \s
        Message-Id: <ws@example.com>
        Date: Sun, 6 Dec 2026 17:30:05 +0000
        X-Unsigned: not in h=

        Line with trailing spaces   \s
        \t leading tab and  runs\t\tof  WSP
        .leading dot
        ..two dots
        .

        \s

        """);
    messages.put("long-folded-header", "From: a@example.com\nTo: "
        + java.util.stream.IntStream.range(0, 60).mapToObj(i -> "Person " + i + " <p" + i + "@example.net>")
            .collect(Collectors.joining(",\n "))
        + "\nSubject: =?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?=\n =?UTF-8?Q?_und_mehr_=E2=80=94_ein_langer_Betreff?=\n\nbody\n");
    messages.put("repeated-fields", "To: first@example.net\nFrom: a@example.com\nTo: second@example.net\nCc: c@example.net\n"
        + "Subject: one\nReply-To: r@example.com\n\nx\n");
    messages.put("empty-body", "From: a@example.com\nSubject: nothing\n\n");
    messages.put("no-body-at-all", "From: a@example.com\nSubject: nothing at all\n");
    messages.put("only-empty-lines", "From: a@example.com\nSubject: blank\n\n\n\n \n\t\n");
    messages.put("no-final-crlf", "From: a@example.com\nSubject: open end\n\nlast line");
    return messages;
  }

  @Test
  void python3_dkim_verifies_every_shape_with_each_algorithm_and_both() throws Exception {
    Map<String, byte[]> unsigned = new LinkedHashMap<>();
    List<OutgoingMessage> shapes = MessageBuilderTest.shapes();
    for (int i = 0; i < shapes.size(); i++) unsigned.put("built-" + i, shapes.get(i).bytes());
    tricky().forEach((name, text) -> unsigned.put(name, text.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8)));

    Map<String, DkimSigner> signers = new LinkedHashMap<>();
    signers.put("rsa", new DkimSigner(List.of(rsa), Clock.systemUTC()));
    signers.put("ed25519", new DkimSigner(List.of(ed25519), Clock.systemUTC()));
    signers.put("dual", new DkimSigner(List.of(rsa, ed25519), Clock.systemUTC()));
    signers.put("idn-domain", new DkimSigner(List.of(rsaOtherDomain), Clock.systemUTC()));
    // RSA signs through OpenSSL by default (the oracle checks that path above); the JDK's path is checked too.
    signers.put("rsa-jdk", new DkimSigner(List.of(rsa), Clock.systemUTC(), false));
    assertThat(signers.get("rsa").rsaByOpenSsl()).as("RSA signed by OpenSSL's libcrypto").isTrue();
    assertThat(signers.get("dual").rsaByOpenSsl()).isTrue();
    assertThat(signers.get("rsa-jdk").rsaByOpenSsl()).isFalse();

    List<String> files = new ArrayList<>();
    Map<String, Integer> expectedSignatures = new LinkedHashMap<>();
    for (var message : unsigned.entrySet()) {
      for (var signer : signers.entrySet()) {
        String name = message.getKey() + "." + signer.getKey() + ".eml";
        Files.write(dir.resolve(name), signer.getValue().sign(message.getValue()));
        files.add(dir.resolve(name).toString());
        expectedSignatures.put(name, signer.getKey().equals("dual") ? 2 : 1);
      }
    }
    Map<String, List<String>> results = verify(files);
    assertThat(results.keySet()).containsExactlyInAnyOrderElementsOf(expectedSignatures.keySet());
    results.forEach((file, verdicts) -> assertThat(verdicts).as(file).hasSize(expectedSignatures.get(file)).containsOnly("pass"));
  }

  @Test
  void python3_dkim_refuses_tampered_copies() throws Exception {
    DkimSigner dual = new DkimSigner(List.of(rsa, ed25519), Clock.systemUTC());
    String signed = new String(dual.sign(MessageBuilderTest.fullShape().build().bytes()), StandardCharsets.UTF_8);
    Map<String, String> tampered = new LinkedHashMap<>();
    tampered.put("body", signed.replace("Hello Ann,", "Hello Bob,"));
    tampered.put("subject", signed.replace("Subject: Hello", "Subject: Hullo"));
    // From is over-signed: a second From put in front (or anywhere) breaks the signature.
    tampered.put("added-from", signed.replaceFirst("(?m)^Date:", "From: evil@example.org\r\nDate:"));
    tampered.put("list-unsubscribe", signed.replace("https://lists.example.com/u/abc", "https://evil.example/u/abc"));
    tampered.put("one-click-added-removed", signed.replace("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n", ""));
    // Whitespace changes relaxed canonicalization forgives still verify: the oracle is not just comparing bytes.
    String forgiven = signed.replace("Subject: Hello", "Subject:   Hello  ").replace("Hello Ann,\r\n", "Hello   Ann,  \r\n");
    List<String> files = new ArrayList<>();
    for (var entry : tampered.entrySet()) {
      Files.writeString(dir.resolve(entry.getKey() + ".eml"), entry.getValue(), StandardCharsets.UTF_8);
      files.add(dir.resolve(entry.getKey() + ".eml").toString());
    }
    Files.writeString(dir.resolve("forgiven.eml"), forgiven, StandardCharsets.UTF_8);
    files.add(dir.resolve("forgiven.eml").toString());
    Map<String, List<String>> results = verify(files);
    for (String name : tampered.keySet()) {
      assertThat(results.get(name + ".eml")).as(name).hasSize(2).allSatisfy(v -> assertThat(v).startsWith("fail"));
    }
    assertThat(results.get("forgiven.eml")).containsExactly("pass", "pass");
  }

  /** File name → one verdict per signature, in order. */
  private Map<String, List<String>> verify(List<String> files) throws Exception {
    Path keys = dir.resolve("keys.tsv");
    Files.writeString(keys, List.of(rsa, ed25519, rsaOtherDomain).stream().map(k -> k.dnsName() + "\t" + k.dnsRecord() + "\n")
        .collect(Collectors.joining()), StandardCharsets.US_ASCII);
    List<String> args = new ArrayList<>(List.of(keys.toString()));
    args.addAll(files);
    DebianPython.Run run = DebianPython.run("dkim_verify.py", dir, args);
    assertThat(run.exit()).as(run.output()).isZero();
    Map<String, List<String>> results = new LinkedHashMap<>();
    for (String line : run.output().strip().split("\n")) {
      String[] parts = line.split(" ", 3);
      results.computeIfAbsent(Path.of(parts[0]).getFileName().toString(), k -> new ArrayList<>()).add(parts[2]);
    }
    return results;
  }
}
