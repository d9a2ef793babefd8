package dev.herald.delivery;

import dev.herald.delivery.smtp.TlsPolicy;
import dev.herald.domains.Dns.Answer;
import dev.herald.domains.Dns.Failed;
import dev.herald.domains.Dns.Found;
import dev.herald.domains.Dns.NoDomain;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/**
 * Direct delivery: the recipient domain's MX hosts (RFC 5321 §5.1), lowest preference first and in random order
 * among equal ones (so equal hosts share the load), each with its IPv4 then IPv6 addresses. Without MX records the
 * domain itself is the implicit MX; a null MX (RFC 7505, {@code 0 .}) means the domain takes no mail, so its
 * recipients bounce without a try.
 *
 * <p>Addresses that are loopback, private, link-local or unspecified are dropped unless {@code privateTargets}
 * allows them (tests, whose MX hosts are on 127.0.0.x): a domain's owner must not be able to point Herald at a
 * service inside its network by publishing an MX.
 */
final class MxRoute implements Route {
  /** Postfix tries at most 5 MX addresses per attempt; more hosts than this are never reached anyway. */
  static final int MAX_HOSTS = 10;

  private final DnsCache dns;
  private final int port;
  private final boolean privateTargets;

  MxRoute(DnsCache dns, int port, boolean privateTargets) {
    this.dns = dns;
    this.port = port;
    this.privateTargets = privateTargets;
  }

  @Override
  public Destination route(Sender sender, String domain) {
    Answer mx = dns.lookup(domain, Type.MX);
    return switch (mx) {
      case NoDomain n -> new Unroutable(true, domain + " does not exist (NXDOMAIN)");
      case Failed f -> new Unroutable(false, "the MX lookup of " + domain + " failed: " + f.reason());
      case Found found -> viaMx(domain, found);
      default -> implicitMx(domain); // the name exists without MX records
    };
  }

  private Destination viaMx(String domain, Found found) {
    List<MXRecord> records = new ArrayList<>();
    boolean nullMx = false;
    for (var record : found.records()) {
      if (record instanceof MXRecord m) {
        if (m.getTarget().equals(Name.root)) nullMx = true;
        else records.add(m);
      }
    }
    if (records.isEmpty()) {
      return nullMx
          ? new Unroutable(true, domain + " accepts no mail: it publishes a null MX (RFC 7505)")
          : implicitMx(domain);
    }
    // Shuffle, then a stable sort by preference: equal preferences stay in random order.
    Collections.shuffle(records, ThreadLocalRandom.current());
    records.sort(Comparator.comparingInt(MXRecord::getPriority));
    List<Server> servers = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    boolean temporary = false;
    for (MXRecord record : records.subList(0, Math.min(MAX_HOSTS, records.size()))) {
      String host = record.getTarget().toString(true).toLowerCase(java.util.Locale.ROOT);
      Addresses addresses = addresses(host);
      if (addresses.list().isEmpty()) {
        temporary |= addresses.temporary();
        problems.add(addresses.problem());
      } else {
        servers.add(new Server(host, addresses.list(), port, TlsPolicy.OPPORTUNISTIC));
      }
    }
    if (servers.isEmpty()) {
      return new Unroutable(!temporary, "no MX host of " + domain + " can be reached: " + String.join("; ", problems));
    }
    return new Servers(servers);
  }

  private Destination implicitMx(String domain) {
    Addresses addresses = addresses(domain);
    if (addresses.list().isEmpty()) {
      return new Unroutable(!addresses.temporary(), domain + " has no MX record and " + addresses.problem());
    }
    return new Servers(List.of(new Server(domain, addresses.list(), port, TlsPolicy.OPPORTUNISTIC)));
  }

  /** A host's usable addresses, or why there are none and whether asking again later may help. */
  private record Addresses(List<InetAddress> list, boolean temporary, String problem) {}

  private Addresses addresses(String host) {
    List<InetAddress> usable = new ArrayList<>();
    boolean failed = false;
    boolean dropped = false;
    String failure = null;
    for (int type : new int[] {Type.A, Type.AAAA}) {
      Answer answer = dns.lookup(host, type);
      if (answer instanceof Failed f) {
        failed = true;
        failure = f.reason();
      } else if (answer instanceof Found found) {
        for (var record : found.records()) {
          InetAddress address = record instanceof ARecord a ? a.getAddress()
              : record instanceof AAAARecord aaaa ? aaaa.getAddress() : null;
          if (address == null) continue;
          if (privateTargets || isPublic(address)) usable.add(address);
          else dropped = true;
        }
      }
    }
    if (!usable.isEmpty()) return new Addresses(usable, false, null);
    if (failed) return new Addresses(usable, true, "the address lookup of " + host + " failed: " + failure);
    if (dropped) return new Addresses(usable, false, host + " has only private or loopback addresses, which Herald does not deliver to");
    return new Addresses(usable, false, host + " has no A or AAAA record");
  }

  private static boolean isPublic(InetAddress address) {
    if (address.isLoopbackAddress() || address.isAnyLocalAddress() || address.isLinkLocalAddress()
        || address.isSiteLocalAddress() || address.isMulticastAddress()) {
      return false;
    }
    byte[] b = address.getAddress();
    // IPv6 unique local addresses (fc00::/7), which isSiteLocalAddress does not cover.
    return !(b.length == 16 && (b[0] & 0xfe) == 0xfc);
  }
}
