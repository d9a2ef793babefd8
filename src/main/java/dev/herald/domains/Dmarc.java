package dev.herald.domains;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.xbill.DNS.Type;

/**
 * DMARC policy and organizational-domain discovery by the DNS tree walk of RFC 9989 (DMARCbis), which replaced
 * RFC 7489's public suffix list: query {@code _dmarc.<domain>}, then walk up one label at a time (from a name of 8
 * or more labels, jump straight to its last 7), at most 8 queries in all.
 *
 * <p>The policy record is the first valid record the walk finds. The organizational domain is the domain of a record
 * saying {@code psd=n}; or, below a record saying {@code psd=y} (a public suffix operator's), the name one label
 * longer on the way to the domain; otherwise the found record with the fewest labels; with no record at all, the
 * domain itself. Relaxed alignment compares organizational domains, strict compares the names.
 */
final class Dmarc {
  static final int MAX_QUERIES = 8;
  private static final int JUMP_FROM_LABELS = 8;

  /** A valid DMARC record at {@code domain} (the name under {@code _dmarc}). */
  record Policy(String domain, String text, Map<String, String> tags) {
    String p() {
      return tags.getOrDefault("p", "");
    }

    boolean strictDkim() {
      return "s".equals(tags.get("adkim"));
    }

    boolean strictSpf() {
      return "s".equals(tags.get("aspf"));
    }
  }

  /** What a walk from {@code domain} found: the policy (null if none), the organizational domain, the names queried. */
  record Discovery(String domain, Policy policy, String organizationalDomain, List<String> queried, String problem) {}

  private Dmarc() {}

  /** The names the walk queries for {@code domain}, in order, before any record stops it. */
  static List<String> walk(String domain) {
    List<String> labels = Arrays.asList(domain.toLowerCase(Locale.ROOT).split("\\."));
    List<String> names = new ArrayList<>();
    int n = labels.size();
    names.add(String.join(".", labels));
    while (names.size() < MAX_QUERIES) {
      n = n >= JUMP_FROM_LABELS ? JUMP_FROM_LABELS - 1 : n - 1;
      if (n < 1) break;
      names.add(String.join(".", labels.subList(labels.size() - n, labels.size())));
    }
    return names;
  }

  static Discovery discover(Dns dns, String domain) {
    String author = domain.toLowerCase(Locale.ROOT);
    List<String> queried = new ArrayList<>();
    Policy policy = null;
    Policy highest = null;
    String organizational = null;
    String problem = null;
    for (String name : walk(author)) {
      queried.add(name);
      List<String> records;
      switch (dns.lookup("_dmarc." + name, Type.TXT)) {
        case Dns.Found found -> records = Txt.values(found.records()).stream().filter(Dmarc::isDmarc).toList();
        case Dns.Failed failed -> {
          if (problem == null) problem = "DNS gave no answer for _dmarc." + name + " (" + failed.reason() + ")";
          records = List.of();
        }
        default -> records = List.of();
      }
      if (records.size() > 1) {
        // Several records at one name count as none (RFC 9989 4.10): say so, as the owner surely meant one.
        if (problem == null) problem = "_dmarc." + name + " has " + records.size() + " DMARC records; receivers ignore them all";
        continue;
      }
      if (records.isEmpty()) continue;
      Policy found = new Policy(name, records.getFirst(), Txt.tags(records.getFirst()));
      if (policy == null) policy = found;
      highest = found;
      String psd = found.tags().getOrDefault("psd", "u");
      if (psd.equals("n")) {
        organizational = name;
        break;
      }
      if (psd.equals("y")) {
        organizational = name.equals(author) ? author : oneLabelBelow(author, name);
        break;
      }
    }
    if (organizational == null) organizational = highest != null ? highest.domain() : author;
    return new Discovery(author, policy, organizational, queried, problem);
  }

  /** The name with one more label than {@code suffix} on the way down to {@code domain}. */
  static String oneLabelBelow(String domain, String suffix) {
    String[] labels = domain.split("\\.");
    int n = suffix.split("\\.").length + 1;
    return String.join(".", Arrays.copyOfRange(labels, labels.length - n, labels.length));
  }

  /** A DMARC record starts with exactly the tag {@code v=DMARC1} (RFC 9989 4.7). */
  static boolean isDmarc(String value) {
    String first = value.split(";", 2)[0].strip();
    return first.replace(" ", "").equals("v=DMARC1");
  }
}
