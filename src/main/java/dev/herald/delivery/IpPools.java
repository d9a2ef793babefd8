package dev.herald.delivery;

import dev.herald.delivery.smtp.Egress;
import dev.herald.platform.HeraldProperties;
import dev.herald.platform.Refused;
import dev.herald.tenancy.AuditLog;
import dev.herald.tenancy.Organizations;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * IP pools: the operator's groups of source addresses, each address with its EHLO name. Every organization sends from
 * the shared pool unless the operator assigned it a dedicated one; {@link #egressFor} spreads an organization's
 * connections over its pool's addresses in turn. A pool without addresses sends from the system's address with the
 * base URL's host as EHLO name.
 *
 * <p>Which pool an organization uses is read from a snapshot at most {@link #SNAPSHOT_AGE} old: a connection costs no
 * query, changes on this node show at once, and other nodes see them within that age.
 */
@Service
class IpPools {
  static final Duration SNAPSHOT_AGE = Duration.ofSeconds(10);
  /** RFC 1123 host name in ASCII: two labels or more, the last starting with a letter (so never an IP literal). */
  private static final Pattern HOST_NAME =
      Pattern.compile("(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?");

  record Address(long id, long poolId, String address, String ehloName) {}

  record Pool(long id, String name, boolean shared, List<Address> addresses, List<Organizations.Named> organizations) {}

  private record Snapshot(Instant loadedAt, Map<Long, List<Egress>> byOrganization, List<Egress> shared) {}

  private final JdbcClient jdbc;
  private final AuditLog audit;
  private final Organizations organizations;
  private final Clock clock;
  private final Egress system;
  private final AtomicLong turn = new AtomicLong();
  private volatile Snapshot snapshot;

  IpPools(JdbcClient jdbc, AuditLog audit, Organizations organizations, Clock clock, HeraldProperties properties) {
    this.jdbc = jdbc;
    this.audit = audit;
    this.organizations = organizations;
    this.clock = clock;
    this.system = new Egress(null, properties.baseHost());
  }

  // ---- delivery ---------------------------------------------------------------------------------------------------

  /**
   * Where the next connection for this organization's mail leaves from: its pool's addresses one after another (the
   * shared pool's when it has none assigned), or the system's address when the pool has no addresses.
   */
  Egress egressFor(long organizationId) {
    Snapshot s = current();
    List<Egress> pool = s.byOrganization().getOrDefault(organizationId, s.shared());
    if (pool.isEmpty()) return system;
    return pool.get((int) Math.floorMod(turn.getAndIncrement(), (long) pool.size()));
  }

  private Snapshot current() {
    Snapshot s = snapshot;
    if (s == null || !s.loadedAt().plus(SNAPSHOT_AGE).isAfter(clock.instant())) {
      s = load();
      snapshot = s;
    }
    return s;
  }

  private Snapshot load() {
    Map<Long, List<Egress>> byPool = new HashMap<>();
    jdbc.sql("select pool_id, host(address), ehlo_name from ip_pool_address order by id").query((rs, i) -> {
      byPool.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
          .add(new Egress(InetAddress.ofLiteral(rs.getString(2)), rs.getString(3)));
      return null;
    }).list();
    long sharedId = jdbc.sql("select id from ip_pool where shared").query(Long.class).single();
    Map<Long, List<Egress>> byOrganization = new HashMap<>();
    jdbc.sql("select organization_id, pool_id from organization_ip_pool").query((rs, i) -> {
      byOrganization.put(rs.getLong(1), List.copyOf(byPool.getOrDefault(rs.getLong(2), List.of())));
      return null;
    }).list();
    return new Snapshot(clock.instant(), Map.copyOf(byOrganization), List.copyOf(byPool.getOrDefault(sharedId, List.of())));
  }

  private void changed() {
    snapshot = null;
  }

  // ---- the operator's screens -------------------------------------------------------------------------------------

  /** Every pool with its addresses and the organizations assigned to it; the shared pool first. */
  List<Pool> list() {
    Map<Long, List<Address>> addresses = new HashMap<>();
    for (Address a : jdbc.sql("select id, pool_id, host(address) as address, ehlo_name from ip_pool_address order by address")
        .query(Address.class).list()) {
      addresses.computeIfAbsent(a.poolId(), k -> new ArrayList<>()).add(a);
    }
    Map<Long, List<Organizations.Named>> assigned = new HashMap<>();
    jdbc.sql("select organization_id, pool_id from organization_ip_pool order by organization_id").query((rs, i) -> {
      long pool = rs.getLong(2);
      organizations.named(rs.getLong(1)).ifPresent(o -> assigned.computeIfAbsent(pool, k -> new ArrayList<>()).add(o));
      return null;
    }).list();
    return jdbc.sql("select id, name, shared from ip_pool order by shared desc, name").query((rs, i) -> {
      long id = rs.getLong(1);
      return new Pool(id, rs.getString(2), rs.getBoolean(3), addresses.getOrDefault(id, List.of()),
          assigned.getOrDefault(id, List.of()));
    }).list();
  }

  Pool get(long poolId) {
    return list().stream().filter(p -> p.id() == poolId).findFirst().orElseThrow(() -> Refused.notFound("IP pool"));
  }

  /** The pool an organization sends from (the shared one unless one is assigned). */
  Pool poolOf(long organizationId) {
    Long id = jdbc.sql("""
        select coalesce((select pool_id from organization_ip_pool where organization_id = ?), (select id from ip_pool where shared))""")
        .param(organizationId).query(Long.class).single();
    return get(id);
  }

  @Transactional
  Pool create(String name) {
    String n = name(name);
    if (jdbc.sql("select exists(select 1 from ip_pool where lower(name) = lower(?))").param(n).query(Boolean.class).single()) {
      throw Refused.conflict("name", "There is already a pool named " + n + ".");
    }
    long id = jdbc.sql("insert into ip_pool (name) values (?) returning id").param(n).query(Long.class).single();
    audit.record(null, "ip-pool.created", "ip_pool", id, n);
    changed();
    return get(id);
  }

  @Transactional
  void delete(long poolId) {
    Pool pool = get(poolId);
    if (pool.shared()) throw Refused.conflict("pool", "The shared pool is every organization's default; it cannot be deleted.");
    if (!pool.organizations().isEmpty()) {
      throw Refused.conflict("pool", "The pool is assigned to " + pool.organizations().size()
          + " organization(s); assign them another pool first.");
    }
    jdbc.sql("delete from ip_pool where id = ?").param(poolId).update();
    audit.record(null, "ip-pool.deleted", "ip_pool", poolId, pool.name());
    changed();
  }

  /**
   * Adds a source address with its EHLO name. The address must be one this node can bind (an address of this
   * machine); each node checks its own addresses when it connects, and one that cannot bind there defers the mail.
   */
  @Transactional
  Address addAddress(long poolId, String address, String ehloName) {
    Pool pool = get(poolId);
    InetAddress ip = bindable(address);
    String ehlo = hostName(ehloName);
    String literal = ip.getHostAddress();
    if (jdbc.sql("select exists(select 1 from ip_pool_address where address = cast(? as inet))").param(literal)
        .query(Boolean.class).single()) {
      throw Refused.conflict("address", literal + " is already in a pool: an address belongs to one pool.");
    }
    long id = jdbc.sql("insert into ip_pool_address (pool_id, address, ehlo_name) values (?, cast(? as inet), ?) returning id")
        .params(poolId, literal, ehlo).query(Long.class).single();
    audit.record(null, "ip-pool.address-added", "ip_pool", poolId, pool.name() + ": " + literal + " as " + ehlo);
    changed();
    return new Address(id, poolId, literal, ehlo);
  }

  @Transactional
  void removeAddress(long poolId, long addressId) {
    Pool pool = get(poolId);
    Address address = pool.addresses().stream().filter(a -> a.id() == addressId).findFirst()
        .orElseThrow(() -> Refused.notFound("Address"));
    jdbc.sql("delete from ip_pool_address where id = ?").param(addressId).update();
    audit.record(null, "ip-pool.address-removed", "ip_pool", poolId, pool.name() + ": " + address.address());
    changed();
  }

  /** Assigns a dedicated pool to an organization, or the shared pool back (which removes the assignment). */
  @Transactional
  void assign(String organizationSlug, long poolId) {
    Organizations.Named org = organizations.namedBySlug(organizationSlug)
        .orElseThrow(() -> Refused.invalid("organization", "No organization has the slug " + organizationSlug + "."));
    Pool pool = get(poolId);
    if (pool.shared()) {
      jdbc.sql("delete from organization_ip_pool where organization_id = ?").param(org.id()).update();
    } else {
      jdbc.sql("""
          insert into organization_ip_pool (organization_id, pool_id) values (?, ?)
          on conflict (organization_id) do update set pool_id = excluded.pool_id""").params(org.id(), poolId).update();
    }
    audit.record(null, "ip-pool.assigned", "organization", org.id(), org.slug() + " → " + pool.name());
    changed();
  }

  // ---- checks -----------------------------------------------------------------------------------------------------

  private static String name(String name) {
    String n = name == null ? "" : name.strip();
    if (n.isEmpty()) throw Refused.invalid("name", "Give the pool a name.");
    if (n.length() > 100 || n.chars().anyMatch(Character::isISOControl)) {
      throw Refused.invalid("name", "A pool's name is one line of at most 100 characters.");
    }
    return n;
  }

  /** An EHLO name: an ASCII host name (RFC 5321 §4.1.1.1), lower-cased. */
  static String hostName(String input) {
    String name = input == null ? "" : input.strip().toLowerCase(Locale.ROOT);
    if (name.endsWith(".")) name = name.substring(0, name.length() - 1);
    if (!HOST_NAME.matcher(name).matches()) {
      throw Refused.invalid("ehloName", "The EHLO name must be a host name such as mta1.example.com (letters, digits and "
          + "hyphens, two labels or more), ideally the address's reverse DNS name.");
    }
    return name;
  }

  /** An IP literal this machine can bind an outgoing connection to. */
  static InetAddress bindable(String input) {
    String text = input == null ? "" : input.strip();
    InetAddress ip;
    try {
      ip = InetAddress.ofLiteral(text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text);
    } catch (IllegalArgumentException e) {
      throw Refused.invalid("address", "Enter an IPv4 or IPv6 address, such as 192.0.2.10 or 2001:db8::10.");
    }
    if (ip.isAnyLocalAddress() || ip.isMulticastAddress()) {
      throw Refused.invalid("address", ip.getHostAddress() + " cannot be a source address.");
    }
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(ip, 0));
    } catch (IOException e) {
      throw Refused.invalid("address", ip.getHostAddress() + " is not an address of this machine (binding it failed: "
          + e.getMessage() + "). Add it to a network interface first.");
    }
    return ip;
  }

  /** The pools by id, for the operator's select boxes. */
  Map<Long, String> names() {
    Map<Long, String> names = new LinkedHashMap<>();
    for (Pool p : list()) names.put(p.id(), p.name());
    return names;
  }
}
