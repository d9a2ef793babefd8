package dev.herald.domains;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;

/** TXT record values: joined as receivers read them, split as zone files write them, and tag lists (DKIM, DMARC). */
final class Txt {
  /** One character-string of a TXT record holds at most 255 octets (RFC 1035 3.3). */
  static final int MAX_STRING = 255;

  private Txt() {}

  /** Each TXT record's strings concatenated without separators (RFC 6376 3.6.2.2, RFC 7208 3.3). */
  static List<String> values(List<Record> records) {
    List<String> out = new ArrayList<>();
    for (Record r : records) {
      if (r instanceof TXTRecord txt) out.add(String.join("", txt.getStrings()));
    }
    return out;
  }

  /** The value as quoted strings of at most 255 octets, as a zone file or a DNS provider's form takes a long value. */
  static String zoneForm(String value) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < value.length(); i += MAX_STRING) parts.add('"' + value.substring(i, Math.min(value.length(), i + MAX_STRING)) + '"');
    return String.join(" ", parts);
  }

  /** {@code tag=value; ...} (DKIM key records, DMARC): tag names lower-cased, values with their spaces removed for keys. */
  static Map<String, String> tags(String value) {
    Map<String, String> tags = new LinkedHashMap<>();
    for (String part : value.split(";")) {
      int eq = part.indexOf('=');
      if (eq < 0) continue;
      String name = part.substring(0, eq).strip().toLowerCase(Locale.ROOT);
      if (!name.isEmpty()) tags.putIfAbsent(name, part.substring(eq + 1).strip());
    }
    return tags;
  }
}
