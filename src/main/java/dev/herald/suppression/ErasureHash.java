package dev.herald.suppression;

import dev.herald.platform.Secrets;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.stereotype.Component;

/**
 * What is kept of an erased person: the HMAC-SHA256 of their address key under a secret of the installation
 * ({@value #SECRET} in {@link Secrets}, 32 random bytes, encrypted at rest like every secret), never a plain digest.
 * A plain SHA-256 (or MD5, SHA-1) of an address is what other systems store and exchange, so anyone holding a list of
 * addresses, or another system's hashes, could recognise the person in it; the keyed hash can only be recomputed by
 * this installation, which needs it to tell the address when it comes back (an import, an API call, a hosted form).
 *
 * <p>The set-based screens (imports of a million rows, a campaign's audience) compute the same HMAC inside
 * PostgreSQL from its built-in {@code sha256()}: HMAC(K, m) = H((K xor opad) || H((K xor ipad) || m)) (RFC 2104), with
 * the two padded keys bound as parameters. pgcrypto's {@code hmac()} would do too, but it is an extension that an
 * external database may not have (or let Herald's user create); the embedded server ships it, yet uninstalled.
 *
 * <p>The key is read (or made) once at start, so no screen ever writes: some run in read-only transactions.
 */
@Component
class ErasureHash {
  static final String SECRET = "suppression:erasure-key";
  /** SHA-256's block size: a key up to this long is padded with zeros to it (RFC 2104). */
  private static final int BLOCK = 64;

  private final byte[] key;
  private final byte[] innerPad;
  private final byte[] outerPad;

  ErasureHash(Secrets secrets) {
    this.key = secrets.getOrCreate(SECRET, () -> {
      byte[] fresh = new byte[32];
      new SecureRandom().nextBytes(fresh);
      return fresh;
    });
    if (key.length > BLOCK) throw new IllegalStateException(SECRET + " is longer than " + BLOCK + " bytes");
    this.innerPad = pad(key, (byte) 0x36);
    this.outerPad = pad(key, (byte) 0x5c);
  }

  private static byte[] pad(byte[] key, byte with) {
    byte[] padded = Arrays.copyOf(key, BLOCK);
    for (int i = 0; i < BLOCK; i++) padded[i] ^= with;
    return padded;
  }

  /** The 32 bytes an erased entry holds in {@code suppression.address_hash} for this address key. */
  byte[] of(String emailKey) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(emailKey.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  String hex(String emailKey) {
    return HexFormat.of().formatHex(of(emailKey));
  }

  /**
   * The same HMAC as an SQL expression over {@code keyExpression} (a text column or value holding the address key),
   * binding the padded keys as {@code :<param>ipad} and {@code :<param>opad} ({@link #innerPad}, {@link #outerPad}).
   */
  static String sql(String keyExpression, String param) {
    return "sha256(cast(:" + param + "opad as bytea) || sha256(cast(:" + param + "ipad as bytea) || convert_to(" + keyExpression
        + ", 'UTF8')))";
  }

  byte[] innerPad() {
    return innerPad.clone();
  }

  byte[] outerPad() {
    return outerPad.clone();
  }
}
