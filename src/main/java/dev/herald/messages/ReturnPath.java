package dev.herald.messages;

import dev.herald.platform.Secrets;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The VERP envelope sender (MAIL FROM) of a message to one recipient: {@code
 * b+<message>.<recipient>.<mac>@bounces.<sending domain>}. A bounce comes back to that address, so the
 * address alone says which message and recipient bounced, without parsing the bounce's body (which often
 * lacks our headers). The ids are signed with HMAC-SHA256 under an installation key kept encrypted in
 * {@link Secrets}, truncated to 80 bits, so nobody can forge a bounce for a recipient they did not mail.
 *
 * <p>Everything is lower-case base36/base32, because some mail systems change the case of local parts; the
 * local part stays under 64 octets (RFC 5321 §4.5.3.1.1).
 */
@Component
public class ReturnPath {
  static final String KEY_NAME = "messages:return-path-key";
  static final String SUBDOMAIN = "bounces.";
  private static final int MAC_BYTES = 10;
  private static final Pattern LOCAL = Pattern.compile("b\\+([0-9a-z]{1,13})\\.([0-9a-z]{1,13})\\.([a-z2-7]{16})");
  private static final Pattern DOMAIN = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+");

  private final KeyedHmac hmac;
  /** The last sending domain that matched {@link #DOMAIN} (a benign race: at worst a domain is matched again). */
  private volatile String lastDomain;

  /** What a bounce address says, once its signature checked out. */
  public record Recipient(long messageId, long recipientId, String sendingDomain) {}

  @Autowired
  public ReturnPath(Secrets secrets) {
    this(() -> secrets.getOrCreate(KEY_NAME, KeyedHmac::freshKey));
  }

  ReturnPath(Supplier<byte[]> keySource) {
    this.hmac = new KeyedHmac(keySource);
  }

  /** The address for MAIL FROM; {@code sendingDomain} in its ASCII form. */
  public String address(long messageId, long recipientId, String sendingDomain) {
    if (messageId < 0 || recipientId < 0) throw new IllegalArgumentException("message and recipient ids are not negative");
    String domain = sendingDomain == null ? "" : sendingDomain.toLowerCase(Locale.ROOT);
    // The worker asks for every recipient, nearly always for the domain it asked for last: that one is not matched again.
    if (!domain.equals(lastDomain)) {
      if (!DOMAIN.matcher(domain).matches()) throw new IllegalArgumentException("not an ASCII domain name: " + sendingDomain);
      lastDomain = domain;
    }
    String message = Long.toString(messageId, 36);
    String recipient = Long.toString(recipientId, 36);
    return "b+" + message + "." + recipient + "." + mac(message, recipient, domain) + "@" + SUBDOMAIN + domain;
  }

  /** The message and recipient an address names, if it is one of ours and its signature is right. */
  public Optional<Recipient> parse(String address) {
    if (address == null || address.length() > 320) return Optional.empty();
    String lower = address.strip().toLowerCase(Locale.ROOT);
    int at = lower.lastIndexOf('@');
    if (at < 0 || !lower.startsWith(SUBDOMAIN, at + 1)) return Optional.empty();
    String domain = lower.substring(at + 1 + SUBDOMAIN.length());
    Matcher local = LOCAL.matcher(lower.substring(0, at));
    if (!local.matches() || !DOMAIN.matcher(domain).matches()) return Optional.empty();
    String expected = mac(local.group(1), local.group(2), domain);
    if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), local.group(3).getBytes(StandardCharsets.US_ASCII))) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Recipient(Long.parseLong(local.group(1), 36), Long.parseLong(local.group(2), 36), domain));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private String mac(String message, String recipient, String domain) {
    byte[] full = hmac.of(("return-path|" + message + "|" + recipient + "|" + domain).getBytes(StandardCharsets.US_ASCII));
    return base32(Arrays.copyOf(full, MAC_BYTES));
  }

  /** RFC 4648 base32, lower case, no padding (10 bytes give 16 characters). */
  static String base32(byte[] bytes) {
    String alphabet = "abcdefghijklmnopqrstuvwxyz234567";
    StringBuilder out = new StringBuilder();
    int buffer = 0;
    int bits = 0;
    for (byte b : bytes) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        out.append(alphabet.charAt((buffer >> (bits - 5)) & 31));
        bits -= 5;
      }
    }
    if (bits > 0) out.append(alphabet.charAt((buffer << (5 - bits)) & 31));
    return out.toString();
  }
}
