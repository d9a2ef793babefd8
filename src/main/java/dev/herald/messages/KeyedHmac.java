package dev.herald.messages;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 under an installation key read once from its source (a {@code Secrets} entry), for the signed values
 * the messages capability hands out: VERP return paths and tracking tokens. The worker asks for one per recipient,
 * and looking the algorithm up and keying it each time showed in its profile, so the keyed Mac is kept as a
 * prototype and each use takes a clone (a Mac is not thread-safe; a clone copies the keyed state).
 */
final class KeyedHmac {
  private final Supplier<byte[]> keySource;
  private volatile Mac prototype;

  KeyedHmac(Supplier<byte[]> keySource) {
    this.keySource = Objects.requireNonNull(keySource, "keySource");
  }

  /** The full 32-byte HMAC of {@code data}; callers truncate it to their own length. */
  byte[] of(byte[] data) {
    try {
      Mac keyed = prototype;
      if (keyed == null) {
        keyed = Mac.getInstance("HmacSHA256");
        keyed.init(new SecretKeySpec(keySource.get(), "HmacSHA256"));
        prototype = keyed;
      }
      return ((Mac) keyed.clone()).doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("the JDK's HmacSHA256 can be cloned", e);
    }
  }

  /** A new random 256-bit key, for the first use on an installation. */
  static byte[] freshKey() {
    byte[] fresh = new byte[32];
    new SecureRandom().nextBytes(fresh);
    return fresh;
  }
}
