package dev.herald.delivery;

import dev.herald.platform.personaldata.DataSubject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The ways a stored text can name a person, for an erasure to find them in texts it cannot key by address (captured
 * messages, tracked links): the address as written and as its key, URL-encoded (a link's query), and the unkeyed hashes
 * other systems put in links and headers (MD5, SHA-1 and SHA-256 of the key, in hex). Compared lower-cased, as LIKE
 * patterns: {@code lower(column) like any (:patterns)}.
 */
final class PersonMentions {
  private PersonMentions() {}

  /** The LIKE patterns ({@code %term%}, wildcards escaped) matching a lower-cased text that names the person. */
  static String[] patterns(DataSubject person) {
    Set<String> terms = new LinkedHashSet<>();
    for (String form : new String[] {person.addressKey(), person.address()}) {
      if (form == null || form.isBlank()) continue;
      String lower = form.strip().toLowerCase(Locale.ROOT);
      terms.add(lower);
      terms.add(URLEncoder.encode(lower, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT));
      for (String algorithm : new String[] {"MD5", "SHA-1", "SHA-256"}) terms.add(hex(algorithm, lower));
    }
    return terms.stream().map(t -> "%" + t.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%").toArray(String[]::new);
  }

  private static String hex(String algorithm, String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
