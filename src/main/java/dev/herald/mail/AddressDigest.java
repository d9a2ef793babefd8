package dev.herald.mail;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The SHA-256 of an address key ({@link EmailAddress#key()}) in UTF-8: what the suppression index holds beside an
 * address entry's address, so that PostgreSQL's own {@code sha256(convert_to(key, 'UTF8'))} can screen a million-row
 * import set-based. Changing this breaks every stored hash.
 *
 * <p>Not what an erasure keeps: a plain digest of an address is what other systems store and exchange, so anyone with
 * a list of addresses could recognise the erased person by it. An erased person is kept as a keyed hash instead
 * (HMAC-SHA256 under a secret of the installation, {@code suppression.ErasureHash}); erasures from before that keep
 * this digest, since without the address they cannot be re-keyed.
 */
public final class AddressDigest {
  private AddressDigest() {}

  /** The 32 digest bytes of {@code key}, as the {@code address_hash} columns store them. */
  public static byte[] of(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The same digest in lower-case hex, as the suppression API shows it. */
  public static String hex(String key) {
    return HexFormat.of().formatHex(of(key));
  }
}
