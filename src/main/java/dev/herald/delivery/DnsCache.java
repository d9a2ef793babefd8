package dev.herald.delivery;

import dev.herald.domains.Dns;
import dev.herald.domains.Dns.Answer;
import dev.herald.domains.Dns.Failed;
import dev.herald.domains.Dns.Found;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.xbill.DNS.Record;

/**
 * The MTA's DNS answers, kept as long as their TTL says within a floor and a ceiling. The floor spares DNS a
 * query per message for domains published with tiny TTLs; the ceiling lets a changed MX reach us within the
 * hour even when its TTL says a day. "No such domain" and "no record of this type" are kept too (negative
 * caching), for {@link #NEGATIVE}: dnsjava's answer does not carry the zone's SOA minimum RFC 2308 would use.
 * A failed lookup is never kept, so the next message asks again.
 */
final class DnsCache {
  static final Duration FLOOR = Duration.ofSeconds(60);
  static final Duration CEILING = Duration.ofHours(1);
  static final Duration NEGATIVE = Duration.ofMinutes(5);
  /** A bound on memory; past it the expired entries go, and if that is not enough, all of them. */
  private static final int MAX_ENTRIES = 100_000;

  private record Key(String name, int type) {}

  private record Entry(Answer answer, Instant expires) {}

  private final Dns dns;
  private final Clock clock;
  private final Map<Key, Entry> entries = new ConcurrentHashMap<>();

  DnsCache(Dns dns, Clock clock) {
    this.dns = dns;
    this.clock = clock;
  }

  Answer lookup(String name, int type) {
    Key key = new Key(name, type);
    Instant now = clock.instant();
    Entry cached = entries.get(key);
    if (cached != null && now.isBefore(cached.expires())) {
      return cached.answer();
    }
    Answer answer = dns.lookup(name, type);
    if (answer instanceof Failed) {
      entries.remove(key);
      return answer;
    }
    if (entries.size() >= MAX_ENTRIES) {
      entries.values().removeIf(e -> !now.isBefore(e.expires()));
      if (entries.size() >= MAX_ENTRIES) entries.clear();
    }
    entries.put(key, new Entry(answer, now.plus(ttl(answer))));
    return answer;
  }

  private static Duration ttl(Answer answer) {
    Duration ttl = NEGATIVE;
    if (answer instanceof Found found) {
      ttl = Duration.ofSeconds(found.records().stream().mapToLong(Record::getTTL).min().orElse(0));
    }
    return ttl.compareTo(FLOOR) < 0 ? FLOOR : ttl.compareTo(CEILING) > 0 ? CEILING : ttl;
  }
}
