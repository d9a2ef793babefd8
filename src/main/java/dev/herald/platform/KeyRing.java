package dev.herald.platform;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The master keys that {@link Secrets} are encrypted under (DESIGN.md security rule 7), read from
 * {@code HERALD_SECRET_KEYS} or the key file: {@code id:base64-of-32-bytes} entries, the first one
 * encrypts, all decrypt, so a new key can be put in front while rows under the old one are still read.
 *
 * <p>AES-256-GCM from the JDK: a fresh random 96-bit nonce for every encryption, a 128-bit tag, and the
 * secret's name as additional authenticated data, so a ciphertext copied to another name does not
 * decrypt. Random nonces are safe up to about 2^32 encryptions per key (NIST SP 800-38D); Herald
 * encrypts a secret when it is created, changed or rotated, far below that.
 */
final class KeyRing {
  static final int KEY_BYTES = 32;
  static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final SecureRandom RANDOM = new SecureRandom();

  // The explanations, shared by the start-up validation of HeraldProperties (constants, for annotations)
  // and by the key file's error messages. None of them may ever quote a key.
  static final String MALFORMED = "must be entries id:key separated by commas, the id made of letters, digits, '.', '_' or '-', "
      + "the key 32 random bytes in base64, e.g. 2026-1:<the output of openssl rand -base64 32>";
  static final String WRONG_LENGTH = "must hold keys of exactly 32 bytes (AES-256): 44 characters of base64, e.g. from openssl rand -base64 32";
  static final String DUPLICATE_ID = "must not name the same key id twice";
  static final String EMPTY = "holds no key";

  /** What is wrong with a key list, if anything; the first problem found. */
  enum Problem {
    NONE(""), MALFORMED(KeyRing.MALFORMED), WRONG_LENGTH(KeyRing.WRONG_LENGTH), DUPLICATE_ID(KeyRing.DUPLICATE_ID), EMPTY(KeyRing.EMPTY);

    final String explanation;

    Problem(String explanation) {
      this.explanation = explanation;
    }
  }

  /** An encrypted value and the id of the master key it is under. */
  record Sealed(String keyId, byte[] ciphertext) {}

  private final Map<String, SecretKey> keys;
  private final String currentId;
  private final String source;

  private KeyRing(Map<String, SecretKey> keys, String source) {
    this.keys = keys;
    this.currentId = keys.keySet().iterator().next();
    this.source = source;
  }

  /** The first problem of a key list; {@link Problem#EMPTY} for a blank one. */
  static Problem check(String text) {
    return read(text).problem;
  }

  /**
   * The ring of a key list. {@code source} says where it came from in messages ("HERALD_SECRET_KEYS",
   * "the key file ..."). A bad list fails with the problem and the entry's number, never its text.
   */
  static KeyRing parse(String text, String source) {
    Read read = read(text);
    if (read.problem != Problem.NONE) {
      String where = read.problem == Problem.EMPTY ? "" : " (entry " + read.entry + ")";
      throw new SecretKeysException(source + " " + read.problem.explanation + where);
    }
    return new KeyRing(read.keys, source);
  }

  private record Read(Map<String, SecretKey> keys, Problem problem, int entry) {}

  private static Read read(String text) {
    Map<String, SecretKey> keys = new LinkedHashMap<>();
    int entry = 0;
    for (String line : (text == null ? "" : text).split("\\R")) {
      if (line.strip().startsWith("#")) continue; // comments, in the key file
      for (String part : line.split(",")) {
        String item = part.strip();
        if (item.isEmpty()) continue;
        entry++;
        int colon = item.indexOf(':');
        if (colon < 0 || !ID.matcher(item.substring(0, colon).strip()).matches()) return new Read(null, Problem.MALFORMED, entry);
        byte[] key;
        try {
          key = Base64.getDecoder().decode(item.substring(colon + 1).strip());
        } catch (IllegalArgumentException e) {
          return new Read(null, Problem.MALFORMED, entry);
        }
        if (key.length != KEY_BYTES) return new Read(null, Problem.WRONG_LENGTH, entry);
        if (keys.putIfAbsent(item.substring(0, colon).strip(), new SecretKeySpec(key, "AES")) != null) {
          return new Read(null, Problem.DUPLICATE_ID, entry);
        }
      }
    }
    return keys.isEmpty() ? new Read(null, Problem.EMPTY, 0) : new Read(keys, Problem.NONE, entry);
  }

  /** The id of the key new encryptions use: the first one. */
  String currentId() {
    return currentId;
  }

  boolean has(String keyId) {
    return keys.containsKey(keyId);
  }

  int size() {
    return keys.size();
  }

  /** Where the keys came from, for messages. */
  String source() {
    return source;
  }

  /** Encrypts under the current key; the result is nonce || ciphertext || tag. */
  Sealed seal(String name, byte[] plaintext) {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, keys.get(currentId), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(name.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(plaintext);
      return new Sealed(currentId, ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-256-GCM is part of every JDK 25", e);
    }
  }

  /** Decrypts what {@link #seal} made for this name, or fails saying why (never with the plaintext). */
  byte[] open(String name, String keyId, byte[] stored) {
    SecretKey key = keys.get(keyId);
    if (key == null) throw new SecretKeysException(unknownKeysMessage("Secret '" + name + "' is", List.of(keyId)));
    if (stored.length < NONCE_BYTES + TAG_BITS / 8) throw altered(name, keyId);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, stored, 0, NONCE_BYTES));
      cipher.updateAAD(name.getBytes(StandardCharsets.UTF_8));
      return cipher.doFinal(stored, NONCE_BYTES, stored.length - NONCE_BYTES);
    } catch (AEADBadTagException e) {
      throw altered(name, keyId);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-256-GCM is part of every JDK 25", e);
    }
  }

  private static IllegalStateException altered(String name, String keyId) {
    return new IllegalStateException("Secret '" + name + "' cannot be decrypted with master key '" + keyId
        + "': it was altered or copied from another name (AES-GCM authentication failed)");
  }

  /** "What is encrypted under key ids this ring does not hold", and what the operator should do. */
  String unknownKeysMessage(String what, Collection<String> keyIds) {
    return what + " encrypted under master key id " + String.join(", ", keyIds.stream().map(id -> "'" + id + "'").toList())
        + ", which " + source + " does not hold. Put that key back into HERALD_SECRET_KEYS (or the key file) behind the current key "
        + "and restart; remove an old key only after the start log says no secret uses it any more.";
  }

  /** Never prints a key. */
  @Override
  public String toString() {
    return "KeyRing[current=" + currentId + ", ids=" + keys.keySet() + ", source=" + source + "]";
  }
}
