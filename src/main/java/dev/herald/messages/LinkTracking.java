package dev.herald.messages;

import dev.herald.platform.Secrets;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The tracking hooks of a message: its HTML's links pointed at the tracking host, an open pixel added, and the
 * per-recipient tokens in those URLs. The tracking endpoints (issue 12) serve {@value #CLICK_PATH}{@code <token>}
 * and {@value #OPEN_PATH}{@code <token>} on the tracking host.
 *
 * <p><b>Where the recipient goes in.</b> A message's content is stored once (the send API's built bytes; a campaign's
 * one copy of its content), but the token is per recipient. So {@link #rewrite} puts a fixed placeholder where each
 * token goes, the placeholder is built and stored with the rest of the message, and {@link #personalize} writes the
 * recipient's tokens over the placeholders in the wire bytes when delivery asks for that recipient's message. A
 * placeholder has exactly the length of a token and both are letters and digits, which quoted-printable writes as
 * they are: the substitution changes no length, no line and no encoding, so the personalized bytes are a valid
 * message whenever the stored ones were, and the same on every retry (the token is an HMAC of the ids, nothing
 * random). The builder writes an HTML part holding placeholders in quoted-printable (never base64, where they would
 * vanish); a soft line break may fall inside a placeholder, and {@link #personalize} steps over it. The alternative,
 * building the whole MIME message again per recipient from stored inputs, would store attachments twice and cost a
 * build per recipient, for the same result. A sender who writes a placeholder's text into their own message gets
 * their own recipient's token there: nothing another recipient could use.
 *
 * <p><b>The token</b> is 45 characters of lower-case base32: message id (8 bytes), recipient id (8), link number (2)
 * and an 80-bit HMAC-SHA256 of those under an installation key kept in {@link Secrets}, so an endpoint checks it
 * without a database look-up and nobody can forge a click for a recipient or message they did not get. Link 0 is the
 * open pixel; links 1..n are the message's distinct URLs in order of first appearance, which the caller stores once
 * per message (never per recipient).
 *
 * <p>What is not tracked: links other than http and https (mailto:, tel:, anchors), links whose URL is in the
 * caller's {@code untracked} set (the unsubscribe links, which must work without a detour and whose one-click form
 * RFC 8058 forbids redirecting), links marked {@code data-herald-track="off"}, links inside HTML comments, links past
 * {@link #MAX_LINKS}, and the text part's links: a text/plain reader sees the URL itself, and a long opaque tracking
 * URL there would look like phishing, so the text part stays as written.
 */
@Component
public class LinkTracking {
  static final String KEY_NAME = "messages:tracking-key";
  public static final String CLICK_PATH = "/t/c/";
  public static final String OPEN_PATH = "/t/o/";
  /** At most this many distinct URLs are tracked per message; the rest stay as written. */
  public static final int MAX_LINKS = 1_000;
  static final int MAX_URL = 2_048;
  public static final int TOKEN_LENGTH = 45;
  static final String PLACEHOLDER_PREFIX = "heraldtrackinglink";
  private static final int DIGITS = 5;
  private static final int MAC_BYTES = 10;
  private static final Pattern HOST = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+");
  /** An HTML comment, or an a/area start tag (attribute values may hold a ">" inside quotes). */
  private static final Pattern TAG = Pattern.compile("<!--.*?-->|<(?:a|area)\\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>",
      Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
  private static final Pattern ATTRIBUTE = Pattern.compile("([^\\s=/>\"']+)(?:\\s*=\\s*(\"[^\"]*\"|'[^']*'|[^\\s>\"']+))?");
  private static final Pattern BODY_END = Pattern.compile("</body\\s*>", Pattern.CASE_INSENSITIVE);

  /**
   * HTML with its tracked links and open pixel pointing at placeholders; {@code links.get(i)} is link number
   * {@code i + 1}, the URL as the sender wrote it (HTML character references decoded).
   */
  public record Rewritten(String html, List<String> links) {}

  /** What a verified token says; link 0 is the open pixel. */
  public record Tracked(long messageId, long recipientId, int link) {
    public boolean open() {
      return link == 0;
    }
  }

  private final KeyedHmac hmac;

  @Autowired
  public LinkTracking(Secrets secrets) {
    this(() -> secrets.getOrCreate(KEY_NAME, KeyedHmac::freshKey));
  }

  LinkTracking(Supplier<byte[]> keySource) {
    this.hmac = new KeyedHmac(keySource);
  }

  /**
   * Points the HTML's http(s) links at {@code https://<trackingHost>/t/c/...} when {@code clicks}, and adds an open
   * pixel before {@code </body>} (or at the end) when {@code opens}. Everything else in the HTML is left as it was.
   *
   * @param trackingHost the host the tracking endpoints answer on, in ASCII
   * @param untracked URLs never to track (the message's unsubscribe links), compared as written
   */
  public static Rewritten rewrite(String html, String trackingHost, boolean opens, boolean clicks, Set<String> untracked) {
    Objects.requireNonNull(html, "html");
    String host = trackingHost == null ? "" : trackingHost.toLowerCase(Locale.ROOT);
    if (!HOST.matcher(host).matches()) throw new IllegalArgumentException("not an ASCII host name: " + trackingHost);
    Map<String, Integer> numbers = new LinkedHashMap<>();
    StringBuilder out = new StringBuilder(html.length() + 256);
    if (clicks) {
      Matcher tag = TAG.matcher(html);
      int copied = 0;
      while (tag.find()) {
        if (tag.group().startsWith("<!--")) continue;
        String rewritten = rewriteTag(tag.group(), host, numbers, untracked);
        if (rewritten != null) {
          out.append(html, copied, tag.start()).append(rewritten);
          copied = tag.end();
        }
      }
      out.append(html, copied, html.length());
    } else {
      out.append(html);
    }
    if (opens) {
      String pixel = "<img src=\"https://" + host + OPEN_PATH + placeholder(0)
          + "\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;width:1px;height:1px;border:0\">";
      Matcher end = BODY_END.matcher(out);
      int at = -1;
      while (end.find()) at = end.start();
      if (at < 0) out.append(pixel);
      else out.insert(at, pixel);
    }
    return new Rewritten(out.toString(), List.copyOf(numbers.keySet()));
  }

  /** The tag with its href pointed at a placeholder, or null to leave it as it is. */
  private static String rewriteTag(String tag, String host, Map<String, Integer> numbers, Set<String> untracked) {
    int nameEnd = 1;
    while (nameEnd < tag.length() && Character.isLetter(tag.charAt(nameEnd))) nameEnd++;
    Matcher attribute = ATTRIBUTE.matcher(tag);
    attribute.region(nameEnd, tag.length() - 1);
    int valueStart = -1, valueEnd = -1;
    String href = null;
    while (attribute.find()) {
      String name = attribute.group(1).toLowerCase(Locale.ROOT);
      String raw = attribute.group(2);
      String value = raw == null ? "" : unquote(raw);
      if (name.equals("data-herald-track") && value.strip().equalsIgnoreCase("off")) return null;
      if (name.equals("href") && href == null && raw != null) {
        href = decodeReferences(value).strip();
        valueStart = attribute.start(2);
        valueEnd = attribute.end(2);
      }
    }
    if (href == null || href.length() > MAX_URL) return null;
    String lower = href.toLowerCase(Locale.ROOT);
    if (!(lower.startsWith("http://") || lower.startsWith("https://")) || href.length() <= "https://".length()) return null;
    if (untracked != null && untracked.contains(href)) return null;
    Integer number = numbers.get(href);
    if (number == null) {
      if (numbers.size() >= MAX_LINKS) return null;
      number = numbers.size() + 1;
      numbers.put(href, number);
    }
    return tag.substring(0, valueStart) + "\"https://" + host + CLICK_PATH + placeholder(number) + "\"" + tag.substring(valueEnd);
  }

  /** Whether the text holds a placeholder: the builder then writes it in quoted-printable. */
  static boolean hasPlaceholder(String text) {
    return text != null && text.contains(PLACEHOLDER_PREFIX);
  }

  /**
   * The message for one recipient: every placeholder in the stored wire bytes replaced by that recipient's token,
   * byte for byte in place (see the class comment). Bytes without placeholders come back as they are.
   */
  public byte[] personalize(byte[] content, long messageId, long recipientId) {
    if (messageId < 0 || recipientId < 0) throw new IllegalArgumentException("message and recipient ids are not negative");
    byte[] out = null;
    byte first = (byte) PLACEHOLDER_PREFIX.charAt(0);
    int[] positions = new int[TOKEN_LENGTH];
    for (int i = 0; i < content.length; i++) {
      if (content[i] != first || !placeholderAt(content, i, positions)) continue;
      int link = 0;
      for (int k = PLACEHOLDER_PREFIX.length(); k < PLACEHOLDER_PREFIX.length() + DIGITS; k++) link = link * 10 + (content[positions[k]] - '0');
      if (link > 0xffff) continue;
      String token = token(messageId, recipientId, link);
      if (out == null) out = content.clone();
      for (int k = 0; k < TOKEN_LENGTH; k++) out[positions[k]] = (byte) token.charAt(k);
      i = positions[TOKEN_LENGTH - 1];
    }
    return out == null ? content : out;
  }

  /** The recipient's token for a link (0: the open pixel). */
  public String token(long messageId, long recipientId, int link) {
    if (messageId < 0 || recipientId < 0 || link < 0 || link > 0xffff) throw new IllegalArgumentException("ids out of range");
    byte[] ids = ByteBuffer.allocate(18).putLong(messageId).putLong(recipientId).putShort((short) link).array();
    byte[] all = Arrays.copyOf(ids, ids.length + MAC_BYTES);
    System.arraycopy(mac(ids), 0, all, ids.length, MAC_BYTES);
    return ReturnPath.base32(all);
  }

  /** What a token from a tracking URL says, if it is one of ours and unchanged. */
  public Optional<Tracked> verify(String token) {
    if (token == null || token.length() != TOKEN_LENGTH) return Optional.empty();
    // Null on any character outside the alphabet, and when the last character's padding bit is set: only the
    // canonical spelling is accepted, so one link has one token. (Checked as bits rather than by encoding the bytes
    // again: the endpoints verify a token per request, and that encoding was most of it.)
    byte[] all = base32Decode(token);
    if (all == null) return Optional.empty();
    byte[] ids = Arrays.copyOf(all, 18);
    if (!MessageDigest.isEqual(mac(ids), Arrays.copyOfRange(all, 18, 18 + MAC_BYTES))) return Optional.empty();
    ByteBuffer b = ByteBuffer.wrap(ids);
    long message = b.getLong();
    long recipient = b.getLong();
    int link = Short.toUnsignedInt(b.getShort());
    if (message < 0 || recipient < 0) return Optional.empty();
    return Optional.of(new Tracked(message, recipient, link));
  }

  /** The placeholder of a link: the prefix, the number in five digits, then z's to a token's length. */
  static String placeholder(int link) {
    String head = PLACEHOLDER_PREFIX + String.format(Locale.ROOT, "%0" + DIGITS + "d", link);
    return head + "z".repeat(TOKEN_LENGTH - head.length());
  }

  /**
   * Whether a placeholder starts at {@code start}, allowing a quoted-printable soft line break ({@code =CRLF}) between
   * any two of its characters; fills {@code positions} with where each of its characters is.
   */
  private static boolean placeholderAt(byte[] content, int start, int[] positions) {
    int j = start;
    for (int k = 0; k < TOKEN_LENGTH; k++) {
      if (k > 0) {
        while (j + 2 < content.length && content[j] == '=' && content[j + 1] == '\r' && content[j + 2] == '\n') j += 3;
      }
      if (j >= content.length) return false;
      byte b = content[j];
      boolean fits = k < PLACEHOLDER_PREFIX.length() ? b == PLACEHOLDER_PREFIX.charAt(k)
          : k < PLACEHOLDER_PREFIX.length() + DIGITS ? b >= '0' && b <= '9' : b == 'z';
      if (!fits) return false;
      positions[k] = j++;
    }
    return true;
  }

  private byte[] mac(byte[] ids) {
    byte[] prefix = "tracking|".getBytes(StandardCharsets.US_ASCII);
    byte[] data = Arrays.copyOf(prefix, prefix.length + ids.length);
    System.arraycopy(ids, 0, data, prefix.length, ids.length);
    return Arrays.copyOf(hmac.of(data), MAC_BYTES);
  }

  /**
   * Lower-case RFC 4648 base32 without padding, the inverse of {@link ReturnPath#base32}; null on a character outside
   * the alphabet or a set bit in the last character's padding (not the canonical spelling of the bytes).
   */
  private static byte[] base32Decode(String text) {
    byte[] out = new byte[text.length() * 5 / 8];
    int buffer = 0, bits = 0, n = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      int v = c >= 'a' && c <= 'z' ? c - 'a' : c >= '2' && c <= '7' ? c - '2' + 26 : -1;
      if (v < 0) return null;
      buffer = (buffer << 5) | v;
      bits += 5;
      if (bits >= 8) {
        out[n++] = (byte) (buffer >> (bits - 8));
        bits -= 8;
      }
    }
    if ((buffer & ((1 << bits) - 1)) != 0) return null;
    return out;
  }

  private static String unquote(String raw) {
    if (raw.length() >= 2 && (raw.charAt(0) == '"' || raw.charAt(0) == '\'') && raw.charAt(raw.length() - 1) == raw.charAt(0)) {
      return raw.substring(1, raw.length() - 1);
    }
    return raw;
  }

  /** The URL an href means: the references HTML allows in attribute values (&amp;amp; and the numeric ones, mostly). */
  static String decodeReferences(String value) {
    if (value.indexOf('&') < 0) return value;
    StringBuilder out = new StringBuilder(value.length());
    Matcher ref = Pattern.compile("&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|amp|lt|gt|quot|apos);").matcher(value);
    int copied = 0;
    while (ref.find()) {
      out.append(value, copied, ref.start());
      String name = ref.group(1);
      switch (name) {
        case "amp" -> out.append('&');
        case "lt" -> out.append('<');
        case "gt" -> out.append('>');
        case "quot" -> out.append('"');
        case "apos" -> out.append('\'');
        default -> {
          int cp = name.charAt(1) == 'x' || name.charAt(1) == 'X' ? Integer.parseInt(name.substring(2), 16) : Integer.parseInt(name.substring(1));
          if (Character.isValidCodePoint(cp)) out.appendCodePoint(cp);
          else out.append(ref.group());
        }
      }
      copied = ref.end();
    }
    return out.append(value, copied, value.length()).toString();
  }
}
