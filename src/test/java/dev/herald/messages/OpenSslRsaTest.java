package dev.herald.messages;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RSA signing through OpenSSL's libcrypto (ADR 0007): the same bytes as the JDK's for every key and message, safe
 * across threads, no native object left behind, and the JDK when the library is missing. bin/install-test-tools
 * installs libcrypto.so.3, so its absence fails here rather than skipping the native path unseen.
 */
class OpenSslRsaTest {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-07T03:00:00Z"), ZoneOffset.UTC);
  static OpenSslRsa openSsl;
  static DkimKey key;

  @BeforeAll
  static void library() {
    OpenSslRsa.Loaded loaded = OpenSslRsa.system();
    assertThat(loaded.library()).as("libcrypto.so.3 (bin/install-test-tools installs it): %s", loaded.failure()).isPresent();
    openSsl = loaded.library().orElseThrow();
    key = DkimKey.newRsa("example.com", "s1");
  }

  @Test
  void the_library_is_openssl_3_and_the_default_signer_uses_it() {
    assertThat(openSsl.version()).startsWith("OpenSSL 3.");
    assertThat(new DkimSigner(List.of(key), CLOCK).rsaByOpenSsl()).isTrue();
    assertThat(new DkimSigner(List.of(key), CLOCK, false).rsaByOpenSsl()).isFalse();
    assertThat(DkimSigner.rsaImplementation(true)).startsWith("OpenSSL 3.").contains("libcrypto.so.3");
    assertThat(DkimSigner.rsaImplementation(false)).startsWith("the JDK");
  }

  @Test
  void signatures_are_the_jdks_byte_for_byte_over_many_keys_and_messages() throws Exception {
    Random random = new Random(7);
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    int compared = 0;
    for (int bits : new int[] {1024, 1536, 2048, 2048, 2048, 2048, 2048, 2048, 2048}) {
      generator.initialize(bits);
      byte[] der = generator.generateKeyPair().getPrivate().getEncoded();
      OpenSslRsa.Key nativeKey = openSsl.importKey(der).orElseThrow();
      DkimKey dkimKey = new DkimKey(DkimKey.Algorithm.RSA_SHA256, "example.com", "k" + bits, der);
      Signature jdk = Signature.getInstance("SHA256withRSA");
      jdk.initSign(dkimKey.rsaPrivateKey());
      for (int m = 0; m < 40; m++) {
        byte[] data = new byte[random.nextInt(2_000)];
        random.nextBytes(data);
        jdk.update(data);
        assertThat(nativeKey.signSha256(MessageDigest.getInstance("SHA-256").digest(data))).as("%d bits, message %d", bits, m)
            .isEqualTo(jdk.sign());
        compared++;
      }
      // The whole DKIM-Signature fields too, through DkimSigner's two paths.
      byte[] message = MessageBuilderTest.fullShape().build().bytes();
      assertThat(new DkimSigner(List.of(dkimKey), CLOCK, true).signatureFields(message))
          .isEqualTo(new DkimSigner(List.of(dkimKey), CLOCK, false).signatureFields(message));
    }
    assertThat(compared).isEqualTo(360);
  }

  @Test
  void one_key_signs_on_many_threads_at_once_with_the_right_signature_each() throws Exception {
    DkimSigner nativeSigner = new DkimSigner(List.of(key), CLOCK, true);
    DkimSigner jdkSigner = new DkimSigner(List.of(key), CLOCK, false);
    List<byte[]> messages = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      messages.add(("From: a@example.com\r\nTo: b" + i + "@example.net\r\nSubject: " + i + "\r\n\r\nbody " + i + "\r\n")
          .getBytes(StandardCharsets.US_ASCII));
    }
    List<String> expected = messages.stream().map(jdkSigner::signatureFields).toList();
    try (ExecutorService threads = Executors.newFixedThreadPool(8)) {
      List<Callable<Integer>> tasks = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int offset = t;
        tasks.add(() -> {
          int checked = 0;
          for (int i = 0; i < 60; i++) {
            int m = (i + offset) % messages.size();
            assertThat(nativeSigner.signatureFields(messages.get(m))).isEqualTo(expected.get(m));
            checked++;
          }
          return checked;
        });
      }
      int total = 0;
      for (Future<Integer> result : threads.invokeAll(tasks)) total += result.get();
      assertThat(total).isEqualTo(480);
    }
  }

  @Test
  void imported_keys_and_their_contexts_are_freed_once_unreachable() throws Exception {
    long before = OpenSslRsa.LIVE.get();
    List<DkimSigner> signers = new ArrayList<>();
    byte[] message = "From: a@example.com\r\nSubject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
    // As Signers does: a new signer (a new native key) per domain and minute, each signing a few messages.
    for (int i = 0; i < 100; i++) {
      DkimSigner signer = new DkimSigner(List.of(key), CLOCK, true);
      signer.signatureFields(message);
      signer.signatureFields(message);
      signers.add(signer);
    }
    assertThat(OpenSslRsa.LIVE.get()).as("a key and a context per signer alive").isGreaterThanOrEqualTo(200);
    signers.clear();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (OpenSslRsa.LIVE.get() > before && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(20);
    }
    assertThat(OpenSslRsa.LIVE.get()).as("native keys and contexts still allocated").isLessThanOrEqualTo(before);
  }

  @Test
  void without_the_library_the_jdk_signs_the_same_bytes() {
    OpenSslRsa.Loaded missing = OpenSslRsa.load("libcrypto-missing.so.9");
    assertThat(missing.library()).isEmpty();
    assertThat(missing.failure()).contains("libcrypto-missing.so.9");
    DkimSigner fallback = new DkimSigner(List.of(key), CLOCK, missing.library());
    assertThat(fallback.rsaByOpenSsl()).isFalse();
    byte[] message = MessageBuilderTest.fullShape().build().bytes();
    assertThat(fallback.signatureFields(message)).isEqualTo(new DkimSigner(List.of(key), CLOCK, true).signatureFields(message));
  }

  @Test
  void a_key_libcrypto_cannot_read_is_refused_at_import_not_at_signing() {
    assertThat(openSsl.importKey(new byte[] {0x30, 0x03, 0x02, 0x01, 0x00})).isEmpty();
    // An Ed25519 key in PKCS#8 parses, but is not RSA.
    assertThat(openSsl.importKey(java.util.HexFormat.of().parseHex("302e020100300506032b657004220420" + "11".repeat(32)))).isEmpty();
    assertThat(Optional.of(openSsl).flatMap(lib -> lib.importKey(key.privateKey()))).isPresent();
  }
}
