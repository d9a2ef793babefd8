package dev.herald.platform;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Tamper-proof, expiring tokens for links sent to people who have no account (confirm a
 * subscription, open the preference centre): the values and an expiry, signed with HMAC-SHA256 under
 * an installation key kept encrypted in {@link Secrets}, so every node accepts what another signed.
 */
@Component
public class SignedLinks {
  private static final Logger log = LoggerFactory.getLogger(SignedLinks.class);
  static final String KEY_NAME = "platform:link-signing-key";
  /** Where the key lay, in plain base64, before secrets were encrypted (V9__secrets.sql). */
  static final String LEGACY_SETTING = "link_signing_key";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();
  private final JdbcClient jdbc;
  private final Secrets secrets;
  private final Clock clock;
  private volatile byte[] key;
  private volatile Mac prototype;

  SignedLinks(JdbcClient jdbc, Secrets secrets, Clock clock) {
    this.jdbc = jdbc;
    this.secrets = secrets;
    this.clock = clock;
  }

  /** Signs {@code purpose} and values (no '|' in them) for {@code validity}. */
  public String sign(String purpose, Duration validity, String... values) {
    return sign(purpose, clock.instant().plus(validity), values);
  }

  /**
   * Signs {@code purpose} and values until {@code expires}: the same token on every call, for links inside a message
   * that must be the same bytes on every retry (a campaign's unsubscribe link).
   */
  public String sign(String purpose, java.time.Instant expiresAt, String... values) {
    long expires = expiresAt.getEpochSecond();
    String payload = purpose + "|" + expires + "|" + String.join("|", values);
    for (String v : values) if (v.contains("|")) throw new IllegalArgumentException("values must not contain |");
    byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
    return B64.encodeToString(bytes) + "." + B64.encodeToString(mac(bytes));
  }

  /** The signed values, if the token is intact, for this purpose, and not expired. */
  public Optional<List<String>> verify(String purpose, String token) {
    return open(purpose, token).filter(o -> !o.expired()).map(Opened::values);
  }

  /**
   * The signed values of an intact token for this purpose whose time is up: enough to tell its holder that it
   * expired and offer a new one, never to act on as if it were valid.
   */
  public Optional<List<String>> expired(String purpose, String token) {
    return open(purpose, token).filter(Opened::expired).map(Opened::values);
  }

  private record Opened(List<String> values, boolean expired) {}

  private Optional<Opened> open(String purpose, String token) {
    if (token == null || token.length() > 1000) return Optional.empty();
    int dot = token.indexOf('.');
    if (dot < 0) return Optional.empty();
    try {
      byte[] payload = B64D.decode(token.substring(0, dot));
      byte[] signature = B64D.decode(token.substring(dot + 1));
      if (!java.security.MessageDigest.isEqual(signature, mac(payload))) return Optional.empty();
      String[] parts = new String(payload, StandardCharsets.UTF_8).split("\\|", -1);
      if (parts.length < 2 || !parts[0].equals(purpose)) return Optional.empty();
      boolean expired = Long.parseLong(parts[1]) < clock.instant().getEpochSecond();
      return Optional.of(new Opened(List.of(parts).subList(2, parts.length), expired));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * A campaign message signs four links (unsubscribe, preferences, web version, forward): looking the algorithm up and
   * keying it for each was about 2 % of a campaign's delivery lanes (session 10's profile), so the keyed Mac is kept
   * as a prototype and each use takes a clone (a Mac is not thread-safe; a clone copies the keyed state).
   */
  private byte[] mac(byte[] payload) {
    try {
      Mac keyed = prototype;
      if (keyed == null) {
        keyed = Mac.getInstance("HmacSHA256");
        keyed.init(new SecretKeySpec(key(), "HmacSHA256"));
        prototype = keyed;
      }
      return ((Mac) keyed.clone()).doFinal(payload);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("the JDK's HmacSHA256 can be cloned", e);
    }
  }

  /**
   * Created once per installation on first use; the first node to store it wins. An installation from
   * before encrypted secrets keeps its old key, so links already mailed keep working: it is stored
   * encrypted, and only then is the plain copy deleted (again on every node's first use, in case a node
   * stopped in between).
   */
  private byte[] key() {
    byte[] k = key;
    if (k != null) return k;
    k = secrets.getOrCreate(KEY_NAME, () -> legacyKey().orElseGet(SignedLinks::freshKey));
    if (jdbc.sql("delete from platform_setting where name = ?").param(LEGACY_SETTING).update() > 0) {
      log.info("Moved the link-signing key from platform_setting into encrypted secret storage");
    }
    key = k;
    return k;
  }

  private Optional<byte[]> legacyKey() {
    return jdbc.sql("select value from platform_setting where name = ?").param(LEGACY_SETTING).query(String.class).optional()
        .map(Base64.getDecoder()::decode);
  }

  private static byte[] freshKey() {
    byte[] fresh = new byte[32];
    new SecureRandom().nextBytes(fresh);
    return fresh;
  }
}
