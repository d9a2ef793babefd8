package dev.herald.mail;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The SHA-256 of an address key ({@link EmailAddress#key()}) in UTF-8: what the suppression index
 * holds, and the only trace an erasure keeps of a person.
 *
 * <p>Plain SHA-256, no secret pepper, on purpose: anyone holding the database could test a guessed
 * address against it, but the same person could read the subscribers themselves, so a pepper stored
 * beside it adds nothing; and PostgreSQL's own {@code sha256(convert_to(key, 'UTF8'))} must give the
 * same bytes, so imports can be screened set-based in SQL. Changing this breaks every stored hash.
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

  /** The same digest in lower-case hex, as an erasure event carries it. */
  public static String hex(String key) {
    return HexFormat.of().formatHex(of(key));
  }
}
