package dev.herald.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;

/** Encrypted secrets: AES-256-GCM under the key ring, bound to their names, rotated at start. */
@SpringBootTest(properties = "herald.secret-keys=" + SecretsTest.A)
@ExtendWith(OutputCaptureExtension.class)
class SecretsTest {
  static final String A_KEY = "rSMLLy11rSWYcKOVID2M7hPZJFdd2P6JKQGMNDU4wvA=";
  static final String B_KEY = "PDKxF15HxjXUsZhf4nG9fRyQEV0AxZQKpN+spGsZQT4=";
  static final String C_KEY = "lz3zFuJ8i/BZng81QvgMZypYE8seTuuYPkK0NLtLy4U=";
  static final String A = "key-a:" + A_KEY;
  static final String B = "key-b:" + B_KEY;

  @Autowired Secrets secrets;
  @Autowired JdbcClient jdbc;
  @Autowired PlatformTransactionManager transactions;
  @Autowired HeraldProperties properties;

  @BeforeEach
  void empty() {
    jdbc.sql("delete from secret").update();
  }

  /** This node restarted with another HERALD_SECRET_KEYS: the same database, a new component. */
  Secrets withKeys(String keys) {
    return new Secrets(jdbc, KeyRing.parse(keys, "HERALD_SECRET_KEYS"), transactions);
  }

  byte[] stored(String name) {
    return jdbc.sql("select ciphertext from secret where name = ?").param(name).query(byte[].class).single();
  }

  String keyId(String name) {
    return jdbc.sql("select key_id from secret where name = ?").param(name).query(String.class).single();
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void a_secret_comes_back_as_it_was_put_replaced_and_deleted() {
    assertThat(secrets.get("test:dkim:1")).isEmpty();
    secrets.put("test:dkim:1", bytes("private key one"));
    assertThat(secrets.get("test:dkim:1")).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("private key one")));
    secrets.put("test:dkim:1", bytes("private key two"));
    assertThat(secrets.get("test:dkim:1")).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("private key two")));
    secrets.put("test:empty", new byte[0]);
    assertThat(secrets.get("test:empty")).hasValueSatisfying(v -> assertThat(v).isEmpty());
    assertThat(secrets.delete("test:dkim:1")).isTrue();
    assertThat(secrets.delete("test:dkim:1")).isFalse();
    assertThat(secrets.get("test:dkim:1")).isEmpty();
  }

  @Test
  void names_are_namespaced_by_the_caller() {
    assertThatThrownBy(() -> secrets.put("dkim", bytes("x"))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("domains:dkim:42");
    assertThatThrownBy(() -> secrets.get(":x")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void the_stored_value_does_not_contain_the_secret_and_differs_for_each_put() {
    byte[] secret = bytes("the same webhook signing key");
    secrets.put("test:one", secret);
    byte[] first = stored("test:one");
    secrets.put("test:one", secret);
    byte[] second = stored("test:one");

    assertThat(new String(first, StandardCharsets.ISO_8859_1)).doesNotContain(new String(secret, StandardCharsets.ISO_8859_1));
    assertThat(first).hasSize(KeyRing.NONCE_BYTES + secret.length + 16).isNotEqualTo(second);
    assertThat(keyId("test:one")).isEqualTo("key-a");
  }

  @Test
  void a_ciphertext_copied_to_another_name_does_not_decrypt() {
    secrets.put("webhooks:signing:1", bytes("endpoint one's key"));
    jdbc.sql("insert into secret (name, key_id, ciphertext) select 'webhooks:signing:2', key_id, ciphertext from secret where name = ?")
        .param("webhooks:signing:1").update();

    assertThatThrownBy(() -> secrets.get("webhooks:signing:2"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'webhooks:signing:2'").hasMessageContaining("'key-a'").hasMessageContaining("altered or copied from another name");
  }

  @Test
  void a_ciphertext_altered_in_any_byte_fails_clearly() {
    secrets.put("test:tamper", bytes("delivery server password"));
    byte[] original = stored("test:tamper");
    // nonce, ciphertext body and tag
    for (int position : new int[] {0, KeyRing.NONCE_BYTES + 3, original.length - 1}) {
      byte[] altered = original.clone();
      altered[position] ^= 0x01;
      jdbc.sql("update secret set ciphertext = ? where name = 'test:tamper'").param(altered).update();
      assertThatThrownBy(() -> secrets.get("test:tamper")).as("byte %d altered", position)
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot be decrypted").hasMessageContaining("'test:tamper'");
    }
    jdbc.sql("update secret set ciphertext = ? where name = 'test:tamper'").param(new byte[5]).update();
    assertThatThrownBy(() -> secrets.get("test:tamper")).isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot be decrypted");
  }

  @Test
  void a_new_first_key_re_encrypts_every_secret_at_start_and_they_stay_readable(CapturedOutput output) {
    secrets.put("test:x", bytes("x secret"));
    secrets.put("test:y", bytes("y secret"));
    byte[] before = stored("test:x");

    Secrets restarted = withKeys(B + "," + A);
    assertThat(restarted.rotateToCurrentKey()).isEqualTo(2);

    assertThat(keyId("test:x")).isEqualTo("key-b");
    assertThat(keyId("test:y")).isEqualTo("key-b");
    assertThat(stored("test:x")).isNotEqualTo(before);
    assertThat(restarted.get("test:x")).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("x secret")));
    assertThat(withKeys(B).get("test:y")).as("the old key is no longer needed")
        .hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("y secret")));
    assertThat(output.getOut()).contains("Re-encrypted 2 secret(s) under the current master key 'key-b'")
        .contains("All 2 secret(s) are under the current master key 'key-b'");

    assertThat(restarted.rotateToCurrentKey()).as("the next start has nothing left to do").isZero();
  }

  @Test
  void nodes_starting_at_once_re_encrypt_each_secret_once() throws Exception {
    for (int i = 0; i < 250; i++) secrets.put("test:many:" + i, bytes("secret " + i));
    Secrets one = withKeys(B + "," + A);
    Secrets two = withKeys(B + "," + A);

    int rotated;
    try (ExecutorService nodes = Executors.newFixedThreadPool(2)) {
      Future<Integer> first = nodes.submit(one::rotateToCurrentKey);
      Future<Integer> second = nodes.submit(two::rotateToCurrentKey);
      rotated = first.get() + second.get();
    }

    assertThat(rotated).isEqualTo(250);
    assertThat(jdbc.sql("select count(*) from secret where key_id = 'key-b'").query(Integer.class).single()).isEqualTo(250);
    assertThat(one.get("test:many:249")).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("secret 249")));
  }

  @Test
  void a_secret_under_a_key_the_ring_does_not_hold_stops_the_start_naming_the_key_id() {
    withKeys("retired-2025:" + C_KEY).put("test:old", bytes("old secret"));

    assertThatThrownBy(secrets::rotateToCurrentKey)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'retired-2025'").hasMessageContaining("HERALD_SECRET_KEYS").hasMessageNotContaining(C_KEY);
    assertThatThrownBy(() -> secrets.get("test:old"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'test:old'").hasMessageContaining("'retired-2025'").hasMessageContaining("HERALD_SECRET_KEYS");
  }

  @Test
  void get_or_create_keeps_the_first_value_stored() {
    byte[] first = secrets.getOrCreate("test:created", () -> bytes("first"));
    byte[] second = secrets.getOrCreate("test:created", () -> bytes("second"));
    assertThat(first).isEqualTo(bytes("first"));
    assertThat(second).isEqualTo(bytes("first"));
  }

  @Test
  void neither_logs_nor_to_string_contain_a_key(CapturedOutput output) {
    secrets.put("test:logged", bytes("a secret"));
    withKeys(B + "," + A).rotateToCurrentKey();
    new SignedLinks(jdbc, secrets, Clock.systemUTC()).sign("test", Duration.ofMinutes(5), "1");
    byte[] linkKey = secrets.get(SignedLinks.KEY_NAME).orElseThrow();

    assertThat(KeyRing.parse(B + "," + A, "HERALD_SECRET_KEYS").toString()).contains("key-b").doesNotContain(A_KEY, B_KEY);
    assertThat(properties.toString()).contains("secretKeys=(hidden)").doesNotContain(A_KEY);
    assertThat(output.getAll())
        .doesNotContain(A_KEY, B_KEY)
        .doesNotContain(Base64.getEncoder().encodeToString(linkKey))
        .doesNotContain(Base64.getUrlEncoder().withoutPadding().encodeToString(linkKey));
  }

  @Test
  void key_lists_are_checked_entry_by_entry_without_quoting_a_key() {
    assertThat(KeyRing.check(A + ", " + B)).isEqualTo(KeyRing.Problem.NONE);
    assertThat(KeyRing.check("")).isEqualTo(KeyRing.Problem.EMPTY);
    assertThat(KeyRing.check("key-a")).isEqualTo(KeyRing.Problem.MALFORMED);
    assertThat(KeyRing.check("key a:" + A_KEY)).isEqualTo(KeyRing.Problem.MALFORMED);
    assertThat(KeyRing.check("key-a:not base64!")).isEqualTo(KeyRing.Problem.MALFORMED);
    assertThat(KeyRing.check("key-a:ccqL2bwgylD0aTZNN+tfYg==")).isEqualTo(KeyRing.Problem.WRONG_LENGTH);
    assertThat(KeyRing.check(A + ",key-a:" + B_KEY)).isEqualTo(KeyRing.Problem.DUPLICATE_ID);
    assertThatThrownBy(() -> KeyRing.parse(A + ",key-c:ccqL2bwgylD0aTZNN+tfYg==", "the key file x"))
        .hasMessage("the key file x " + KeyRing.WRONG_LENGTH + " (entry 2)");
  }
}
