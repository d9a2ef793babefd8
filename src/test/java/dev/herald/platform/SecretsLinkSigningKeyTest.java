package dev.herald.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The link-signing key lives encrypted in {@link Secrets}; an installation from before keeps its old
 * plain key (moved, then deleted), so links already mailed keep working.
 */
@SpringBootTest
class SecretsLinkSigningKeyTest {
  @Autowired JdbcClient jdbc;
  @Autowired Secrets secrets;
  @Autowired Clock clock;

  @BeforeEach
  void noKeyYet() {
    secrets.delete(SignedLinks.KEY_NAME);
    jdbc.sql("delete from platform_setting where name = 'link_signing_key'").update();
  }

  /** A node that starts on this database: a new SignedLinks with nothing in memory. */
  SignedLinks node() {
    return new SignedLinks(jdbc, secrets, clock);
  }

  /** A link as the Herald before encrypted secrets signed it with its plain key. */
  String signedBeforeTheUpgrade(byte[] key, String purpose, String... values) throws Exception {
    long expires = clock.instant().plus(Duration.ofDays(7)).getEpochSecond();
    byte[] payload = (purpose + "|" + expires + "|" + String.join("|", values)).getBytes(StandardCharsets.UTF_8);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString(payload) + "." + b64.encodeToString(mac.doFinal(payload));
  }

  @Test
  void a_link_mailed_before_the_upgrade_still_verifies_and_the_plain_key_is_gone() throws Exception {
    byte[] oldKey = Base64.getDecoder().decode(SecretsTest.C_KEY);
    jdbc.sql("insert into platform_setting (name, value) values ('link_signing_key', ?)").param(SecretsTest.C_KEY).update();
    String mailed = signedBeforeTheUpgrade(oldKey, "confirm", "42", "7");

    assertThat(node().verify("confirm", mailed)).contains(List.of("42", "7"));

    assertThat(jdbc.sql("select count(*) from platform_setting where name = 'link_signing_key'").query(Integer.class).single()).isZero();
    assertThat(secrets.get(SignedLinks.KEY_NAME)).hasValueSatisfying(k -> assertThat(k).isEqualTo(oldKey));
    byte[] stored = jdbc.sql("select ciphertext from secret where name = ?").param(SignedLinks.KEY_NAME).query(byte[].class).single();
    assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain(new String(oldKey, StandardCharsets.ISO_8859_1));
    assertThat(node().verify("confirm", mailed)).as("another node, after the move").contains(List.of("42", "7"));
    assertThat(node().verify("preferences", mailed)).isEmpty();
  }

  @Test
  void a_new_installation_creates_one_key_every_node_shares_and_stores_it_only_encrypted() {
    String token = node().sign("preferences", Duration.ofDays(1), "9");
    assertThat(node().verify("preferences", token)).contains(List.of("9"));
    assertThat(secrets.get(SignedLinks.KEY_NAME)).hasValueSatisfying(k -> assertThat(k).hasSize(32));
    assertThat(jdbc.sql("select count(*) from platform_setting where name = 'link_signing_key'").query(Integer.class).single()).isZero();
  }
}
