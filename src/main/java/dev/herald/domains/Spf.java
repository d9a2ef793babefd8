package dev.herald.domains;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.xbill.DNS.Type;

/**
 * Checks a domain's SPF record the way a receiver would count it: exactly one {@code v=spf1} record, the
 * installation's include reached (directly or through nested includes), and at most 10 terms that cost a DNS lookup
 * ({@code include}, {@code a}, {@code mx}, {@code ptr}, {@code exists}, {@code redirect}), counted recursively
 * (RFC 7208 4.6.4). Past 10 a receiver's answer is permerror, so SPF fails whatever the record says.
 */
final class Spf {
  static final int MAX_LOOKUPS = 10;
  /** Depth and breadth bounds so that a looping or huge include tree cannot keep a check busy. */
  private static final int MAX_DEPTH = 10;

  /** {@code record} is the domain's own SPF record (null when it has none); {@code problem} is null when all is well. */
  record Result(String record, boolean includesHerald, int lookups, String problem) {
    boolean ok() {
      return record != null && includesHerald && problem == null;
    }
  }

  private final Dns dns;
  private final String include;
  private int lookups;
  private boolean reached;
  private String problem;
  private final Set<String> visited = new HashSet<>();

  private Spf(Dns dns, String include) {
    this.dns = dns;
    this.include = include.toLowerCase(Locale.ROOT);
  }

  static Result check(Dns dns, String domain, String include) {
    Spf spf = new Spf(dns, include);
    String record = spf.evaluate(domain.toLowerCase(Locale.ROOT), 0);
    String problem = spf.problem;
    if (record != null && problem == null && spf.lookups > MAX_LOOKUPS) {
      problem = "SPF needs " + spf.lookups + " DNS lookups; receivers stop at " + MAX_LOOKUPS + " and fail it (permerror)";
    } else if (record != null && problem == null && !spf.reached) {
      problem = "SPF does not include " + include;
    }
    return new Result(record, spf.reached, spf.lookups, problem);
  }

  /** The SPF record of {@code domain}, after counting its lookups (and its includes'); null when it has none. */
  private String evaluate(String domain, int depth) {
    visited.add(domain);
    List<String> records = spfRecords(domain);
    if (records == null) return null;
    if (records.size() != 1) {
      if (!records.isEmpty() && problem == null) problem = domain + " has " + records.size() + " SPF records; receivers need exactly one (permerror)";
      else if (depth > 0 && problem == null) problem = domain + " (included) has no SPF record (permerror)";
      return records.isEmpty() ? null : records.getFirst();
    }
    String record = records.getFirst();
    String redirect = null;
    boolean hasAll = false;
    for (String term : record.strip().split("\\s+")) {
      String t = term.toLowerCase(Locale.ROOT);
      if (t.startsWith("redirect=")) {
        redirect = t.substring("redirect=".length());
        continue;
      }
      String mechanism = !t.isEmpty() && "+-~?".indexOf(t.charAt(0)) >= 0 ? t.substring(1) : t;
      if (mechanism.equals("all")) hasAll = true;
      if (mechanism.startsWith("include:")) {
        lookups++;
        follow(mechanism.substring("include:".length()), depth);
      } else if (mechanism.equals("a") || mechanism.startsWith("a:") || mechanism.startsWith("a/")
          || mechanism.equals("mx") || mechanism.startsWith("mx:") || mechanism.startsWith("mx/")
          || mechanism.equals("ptr") || mechanism.startsWith("ptr:") || mechanism.startsWith("exists:")) {
        lookups++;
      }
      if (lookups > MAX_LOOKUPS) return record;
    }
    // A redirect is used only when the record has no "all" (RFC 7208 6.1).
    if (redirect != null && !hasAll) {
      lookups++;
      follow(redirect, depth);
    }
    return record;
  }

  private void follow(String target, int depth) {
    if (target.equals(include)) reached = true;
    // A macro (%{i}...) names a different domain per message: it cannot be followed here, only counted.
    if (target.contains("%") || depth >= MAX_DEPTH || lookups > MAX_LOOKUPS || visited.contains(target)) return;
    evaluate(target, depth + 1);
  }

  /** The {@code v=spf1} TXT values at {@code domain}; null when DNS did not answer. */
  private List<String> spfRecords(String domain) {
    return switch (dns.lookup(domain, Type.TXT)) {
      case Dns.Found found -> Txt.values(found.records()).stream()
          .filter(v -> v.toLowerCase(Locale.ROOT).equals("v=spf1") || v.toLowerCase(Locale.ROOT).startsWith("v=spf1 ")).toList();
      case Dns.NoData n -> List.of();
      case Dns.NoDomain n -> List.of();
      case Dns.Failed failed -> {
        if (problem == null) problem = "DNS gave no answer for " + domain + " (" + failed.reason() + ")";
        yield null;
      }
    };
  }
}
