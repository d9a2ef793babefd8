package dev.herald.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Ed25519 signing through OpenSSL's libcrypto: Bouncy Castle's bytes for every key and message (Ed25519 is
 * deterministic), RFC 8032's test vectors, safe across threads and across many signatures on one context (OpenSSL
 * 3.2+ finalizes a context after a one-shot sign), no native object left behind, Bouncy Castle when the library is
 * missing. python3-dkim verifies whole messages signed this way in {@link DkimOracleTest}.
 */
class OpenSslEd25519Test {
  static OpenSslEd25519 openSsl;
  static DkimKey key;

  @BeforeAll
  static void library() {
    OpenSslEd25519.Loaded loaded = OpenSslEd25519.system();
    assertThat(loaded.library()).as("libcrypto.so.3 (bin/install-test-tools installs it): %s", loaded.failure()).isPresent();
    openSsl = loaded.library().orElseThrow();
    key = DkimKey.newEd25519("example.com", "ed1");
  }

  @Test
  void the_default_signer_uses_it_and_the_setting_turns_it_off() {
    assertThat(openSsl.version()).startsWith("OpenSSL 3.");
    assertThat(new DkimSigner(List.of(key), OpenSslRsaTest.CLOCK).ed25519ByOpenSsl()).isTrue();
    assertThat(new DkimSigner(List.of(key), OpenSslRsaTest.CLOCK, true, false).ed25519ByOpenSsl()).isFalse();
    assertThat(new DkimSigner(List.of(key), OpenSslRsaTest.CLOCK, false).ed25519ByOpenSsl()).isFalse();
    assertThat(DkimSigner.ed25519Implementation(true)).startsWith("OpenSSL 3.").contains("libcrypto.so.3");
    assertThat(DkimSigner.ed25519Implementation(false)).startsWith("Bouncy Castle");
  }

  @Test
  void rfc_8032_test_vectors() {
    // RFC 8032 §7.1, TEST 1 (empty message) and TEST 2 (one byte).
    assertThat(hex(openSsl.importKey(unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")).orElseThrow()
        .sign(new byte[0])))
        .isEqualTo("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
    assertThat(hex(openSsl.importKey(unhex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")).orElseThrow()
        .sign(new byte[] {0x72})))
        .isEqualTo("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");
  }

  @Test
  void signatures_are_bouncy_castles_byte_for_byte_over_many_keys_and_digests() throws Exception {
    Random random = new Random(8);
    int compared = 0;
    for (int k = 0; k < 12; k++) {
      byte[] seed = new byte[32];
      random.nextBytes(seed);
      OpenSslEd25519.Key nativeKey = openSsl.importKey(seed).orElseThrow();
      Ed25519PrivateKeyParameters bc = new Ed25519PrivateKeyParameters(seed, 0);
      // Many signatures on the key's one pooled context: each sets it up again.
      for (int m = 0; m < 30; m++) {
        byte[] data = new byte[random.nextInt(400)];
        random.nextBytes(data);
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(data);
        byte[] expected = new byte[64];
        bc.sign(Ed25519.Algorithm.Ed25519, null, digest, 0, digest.length, expected, 0);
        assertThat(nativeKey.sign(digest)).as("key %d, message %d", k, m).isEqualTo(expected);
        compared++;
      }
      // The whole DKIM-Signature fields too, through DkimSigner's two paths, alone and beside RSA.
      DkimKey dkimKey = new DkimKey(DkimKey.Algorithm.ED25519_SHA256, "example.com", "k" + k, seed);
      byte[] message = MessageBuilderTest.fullShape().build().bytes();
      assertThat(new DkimSigner(List.of(dkimKey), OpenSslRsaTest.CLOCK, true).signatureFields(message))
          .isEqualTo(new DkimSigner(List.of(dkimKey), OpenSslRsaTest.CLOCK, false).signatureFields(message));
    }
    assertThat(compared).isEqualTo(360);
    DkimKey rsa = DkimKey.newRsa("example.com", "r1");
    byte[] message = MessageBuilderTest.fullShape().build().bytes();
    assertThat(new DkimSigner(List.of(rsa, key), OpenSslRsaTest.CLOCK, true).signatureFields(message))
        .isEqualTo(new DkimSigner(List.of(rsa, key), OpenSslRsaTest.CLOCK, false).signatureFields(message));
  }

  @Test
  void one_key_signs_on_many_threads_at_once_with_the_right_signature_each() throws Exception {
    DkimSigner nativeSigner = new DkimSigner(List.of(key), OpenSslRsaTest.CLOCK, true);
    DkimSigner bcSigner = new DkimSigner(List.of(key), OpenSslRsaTest.CLOCK, false);
    List<byte[]> messages = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      messages.add(("From: a@example.com\r\nTo: b" + i + "@example.net\r\nSubject: " + i + "\r\n\r\nbody " + i + "\r\n")
          .getBytes(StandardCharsets.US_ASCII));
    }
    List<String> expected = messages.stream().map(bcSigner::signatureFields).toList();
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
    long before = OpenSslEd25519.LIVE.get();
    List<DkimSigner> signers = new ArrayList<>();
    byte[] message = "From: a@example.com\r\nSubject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < 100; i++) {
      DkimSigner signer = new DkimSigner(List.of(key), OpenSslRsaTest.CLOCK, true);
      signer.signatureFields(message);
      signer.signatureFields(message);
      signers.add(signer);
    }
    assertThat(OpenSslEd25519.LIVE.get()).as("a key and a context per signer alive").isGreaterThanOrEqualTo(before + 200);
    signers.clear();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (OpenSslEd25519.LIVE.get() > before && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(20);
    }
    assertThat(OpenSslEd25519.LIVE.get()).as("native keys and contexts still allocated").isLessThanOrEqualTo(before);
  }

  @Test
  void without_the_library_bouncy_castle_signs_the_same_bytes() {
    OpenSslEd25519.Loaded missing = OpenSslEd25519.load("libcrypto-missing.so.9");
    assertThat(missing.library()).isEmpty();
    assertThat(missing.failure()).contains("libcrypto-missing.so.9");
    DkimSigner fallback = new DkimSigner(List.of(key), OpenSslRsaTest.CLOCK, OpenSslRsa.system().library(), missing.library());
    assertThat(fallback.ed25519ByOpenSsl()).isFalse();
    byte[] message = MessageBuilderTest.fullShape().build().bytes();
    assertThat(fallback.signatureFields(message)).isEqualTo(new DkimSigner(List.of(key), OpenSslRsaTest.CLOCK, true).signatureFields(message));
  }

  @Test
  void only_a_32_byte_seed_is_a_key_and_only_a_digest_is_signed() {
    assertThat(openSsl.importKey(new byte[31])).isEmpty();
    assertThat(openSsl.importKey(new byte[48])).isEmpty();
    assertThatThrownBy(() -> openSsl.importKey(new byte[32]).orElseThrow().sign(new byte[65]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static byte[] unhex(String hex) {
    return java.util.HexFormat.of().parseHex(hex);
  }

  private static String hex(byte[] bytes) {
    return java.util.HexFormat.of().formatHex(bytes);
  }
}
