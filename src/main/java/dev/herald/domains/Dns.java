package dev.herald.domains;

import dev.herald.platform.HeraldProperties;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.lookup.LookupSession;
import org.xbill.DNS.lookup.NoSuchDomainException;
import org.xbill.DNS.lookup.NoSuchRRSetException;

/**
 * Herald's one DNS client: an {@link ExtendedResolver} over the resolvers of {@code herald.dns.resolvers} (the
 * system's when empty) and a {@link LookupSession} on it, shared by every lookup of the node. dnsjava's legacy
 * {@code Lookup} class is not used (sending-core.md: it starved and deadlocked under parallel lookups). No cache:
 * a check must see what DNS says now, not what it said before the owner published a record.
 */
@Component
public class Dns {
  /** What DNS answered for one name and type. */
  public sealed interface Answer permits Found, NoData, NoDomain, Failed {}
  /** The records of the type asked for (after following CNAMEs). */
  public record Found(List<Record> records) implements Answer {}
  /** The name exists but has no record of this type. */
  public record NoData() implements Answer {}
  /** NXDOMAIN: the name does not exist. */
  public record NoDomain() implements Answer {}
  /** No answer: a timeout, SERVFAIL or a refused query. */
  public record Failed(String reason) implements Answer {}

  private final LookupSession session;
  private final long timeoutMillis;

  @Autowired
  Dns(HeraldProperties properties) throws UnknownHostException {
    this(properties.dns().resolvers(), properties.dns().timeout());
  }

  /** A client of these resolvers ({@code host:port}), for tests and tools outside Spring. */
  public Dns(List<String> addresses, Duration timeout) throws UnknownHostException {
    Resolver resolver = addresses.isEmpty() ? new ExtendedResolver() : new ExtendedResolver(resolvers(addresses));
    resolver.setTimeout(timeout);
    this.session = LookupSession.builder().resolver(resolver).build();
    // The resolver retries across its servers; bound the whole lookup too.
    this.timeoutMillis = timeout.toMillis() * (addresses.size() + 2);
  }

  private static List<Resolver> resolvers(List<String> addresses) throws UnknownHostException {
    List<Resolver> out = new ArrayList<>();
    for (String address : addresses) {
      String host = address;
      int port = 53;
      int colon = address.lastIndexOf(':');
      if (address.startsWith("[")) {
        int close = address.indexOf(']');
        host = address.substring(1, close);
        if (close + 1 < address.length()) port = Integer.parseInt(address.substring(close + 2));
      } else if (colon > 0) {
        host = address.substring(0, colon);
        port = Integer.parseInt(address.substring(colon + 1));
      }
      out.add(new SimpleResolver(new InetSocketAddress(host, port)));
    }
    return out;
  }

  /** The records of {@code type} ({@code org.xbill.DNS.Type}) at {@code name}, an absolute name without the final dot. */
  public Answer lookup(String name, int type) {
    Name absolute;
    try {
      absolute = Name.fromString(name.endsWith(".") ? name : name + ".");
    } catch (TextParseException e) {
      return new Failed("not a DNS name: " + name);
    }
    try {
      List<Record> records = session.lookupAsync(absolute, type).toCompletableFuture()
          .get(timeoutMillis, TimeUnit.MILLISECONDS).getRecords();
      return records.isEmpty() ? new NoData() : new Found(records);
    } catch (ExecutionException | CompletionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof NoSuchDomainException) return new NoDomain();
      if (cause instanceof NoSuchRRSetException) return new NoData();
      return new Failed(cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
    } catch (TimeoutException e) {
      return new Failed("no answer within " + timeoutMillis + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Failed("interrupted");
    }
  }
}
