package dev.herald.delivery;

import dev.herald.delivery.Route.Sender;
import dev.herald.delivery.SmarthostRoute.Smarthost;
import dev.herald.delivery.smtp.Credentials;
import dev.herald.domains.SendingDomains;
import dev.herald.mail.EmailAddress;
import dev.herald.platform.Refused;
import dev.herald.platform.Secrets;
import dev.herald.platform.TextEnum;
import dev.herald.tenancy.AuditLog;
import dev.herald.tenancy.Organizations;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Delivery servers (smarthosts): the operator's relays, their AUTH logins (the password in {@link Secrets} as
 * {@code delivery:server-password:<id>}, never shown back, logged or audited), their hourly and daily limits, and
 * which organizations and sending domains use them. The stored side of {@link SmarthostRoute}.
 *
 * <p>Assignments are read from a snapshot at most {@link #SNAPSHOT_AGE} old, so routing a message costs no query
 * unless its sender has a server; the limits are counted in the database under a lock on the server's row, so every
 * node shares them.
 */
@Service
class DeliveryServers implements SmarthostRoute.Assignments {
  static final Duration SNAPSHOT_AGE = Duration.ofSeconds(10);
  private static final Pattern HOST = Pattern.compile(
      "(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

  /** What the operator sets; {@code password} null or blank keeps the stored one (a new server: none). */
  record Settings(String name, String host, Integer port, ServerTls tls, Boolean verifyCertificate, String authUser,
      String password, Integer hourlyLimit, Integer dailyLimit) {

    @Override
    public String toString() {
      return "Settings[name=" + name + ", host=" + host + ", password=(hidden)]";
    }
  }

  /** A stored server as the operator sees it: whether it has a password, never the password. */
  record Server(long id, String name, String host, int port, ServerTls tls, boolean verifyCertificate, String authUser,
      boolean hasPassword, Integer hourlyLimit, Integer dailyLimit, long sentThisHour, long sentToday,
      List<Assignment> assignments) {}

  /** {@code sendingDomain} null: the whole organization. */
  record Assignment(long id, long serverId, String serverName, long organizationId, String organizationSlug,
      String organizationName, String sendingDomain) {}

  private record Row(long id, String name, String host, int port, String tlsMode, boolean verifyCertificate,
      String authUser, Integer hourlyLimit, Integer dailyLimit) {}

  private record Snapshot(Instant loadedAt, Map<Long, Smarthost> byOrganization, Map<String, Smarthost> byDomain) {}

  private final JdbcClient jdbc;
  private final Secrets secrets;
  private final AuditLog audit;
  private final Organizations organizations;
  private final SendingDomains domains;
  private final Clock clock;
  private final TransactionTemplate transaction;
  private volatile Snapshot snapshot;

  DeliveryServers(JdbcClient jdbc, Secrets secrets, AuditLog audit, Organizations organizations, SendingDomains domains,
      Clock clock, PlatformTransactionManager transactions) {
    this.jdbc = jdbc;
    this.secrets = secrets;
    this.audit = audit;
    this.organizations = organizations;
    this.domains = domains;
    this.clock = clock;
    this.transaction = new TransactionTemplate(transactions);
  }

  static String secretName(long serverId) {
    return "delivery:server-password:" + serverId;
  }

  // ---- routing ----------------------------------------------------------------------------------------------------

  @Override
  public Optional<Smarthost> assignedTo(Sender sender) {
    Snapshot s = snapshot;
    if (s == null || !s.loadedAt().plus(SNAPSHOT_AGE).isAfter(clock.instant())) {
      s = load();
      snapshot = s;
    }
    Smarthost byDomain = s.byDomain().get(sender.organizationId() + "/" + sender.domain().toLowerCase(Locale.ROOT));
    return Optional.ofNullable(byDomain != null ? byDomain : s.byOrganization().get(sender.organizationId()));
  }

  private Snapshot load() {
    Map<Long, Smarthost> servers = new HashMap<>();
    for (Row r : rows("")) {
      Credentials login = null;
      if (r.authUser() != null) {
        login = secrets.get(secretName(r.id()))
            .map(p -> new Credentials(r.authUser(), new String(p, StandardCharsets.UTF_8))).orElse(null);
      }
      servers.put(r.id(), new Smarthost(r.id(), r.host(), r.port(),
          TextEnum.fromText(ServerTls.class, r.tlsMode()).policy(r.verifyCertificate()), login));
    }
    Map<Long, Smarthost> byOrganization = new HashMap<>();
    Map<String, Smarthost> byDomain = new HashMap<>();
    jdbc.sql("select server_id, organization_id, sending_domain from delivery_server_assignment").query((rs, i) -> {
      Smarthost server = servers.get(rs.getLong(1));
      if (rs.getString(3) == null) byOrganization.put(rs.getLong(2), server);
      else byDomain.put(rs.getLong(2) + "/" + rs.getString(3), server);
      return null;
    }).list();
    return new Snapshot(clock.instant(), Map.copyOf(byOrganization), Map.copyOf(byDomain));
  }

  private void changed() {
    snapshot = null;
  }

  /**
   * Counts one message in the current UTC hour, unless that would pass the hourly limit or the day's. The server's row
   * is locked first, so nodes counting at once take turns and never pass a limit together.
   */
  @Override
  public Optional<SmarthostRoute.Full> take(long deliveryServer) {
    return transaction.execute(status -> {
      Row server = jdbc.sql("select " + COLUMNS + " from delivery_server where id = ? for update")
          .param(deliveryServer).query(Row.class).optional().orElse(null);
      if (server == null) return Optional.<SmarthostRoute.Full>empty(); // deleted a moment ago: the snapshot still had it
      Instant now = clock.instant();
      Instant hour = now.truncatedTo(ChronoUnit.HOURS);
      Instant day = now.truncatedTo(ChronoUnit.DAYS);
      if (server.hourlyLimit() != null && used(server.id(), hour) >= server.hourlyLimit()) {
        Instant next = hour.plus(Duration.ofHours(1));
        return Optional.of(new SmarthostRoute.Full("the delivery server " + server.name() + " has taken its "
            + server.hourlyLimit() + " messages this hour; the next hour starts at "
            + next.atOffset(ZoneOffset.UTC).toLocalTime() + " UTC", next));
      }
      if (server.dailyLimit() != null && used(server.id(), day) >= server.dailyLimit()) {
        return Optional.of(new SmarthostRoute.Full("the delivery server " + server.name() + " has taken its "
            + server.dailyLimit() + " messages today; the next day starts at 00:00 UTC", day.plus(Duration.ofDays(1))));
      }
      int inHour = jdbc.sql("""
          insert into delivery_server_usage (server_id, hour_start, messages) values (?, ?, 1)
          on conflict (server_id, hour_start) do update set messages = delivery_server_usage.messages + 1
          returning messages""").params(server.id(), java.sql.Timestamp.from(hour)).query(Integer.class).single();
      if (inHour == 1) {
        // A new hour: yesterday's earlier hours no longer count for anything.
        jdbc.sql("delete from delivery_server_usage where server_id = ? and hour_start < ?")
            .params(server.id(), java.sql.Timestamp.from(day.minus(Duration.ofDays(1)))).update();
      }
      return Optional.<SmarthostRoute.Full>empty();
    });
  }

  private long used(long serverId, Instant since) {
    return jdbc.sql("select coalesce(sum(messages), 0) from delivery_server_usage where server_id = ? and hour_start >= ?")
        .params(serverId, java.sql.Timestamp.from(since)).query(Long.class).single();
  }

  // ---- the operator's screens -------------------------------------------------------------------------------------

  private static final String COLUMNS =
      "id, name, host, port, tls_mode, verify_certificate, auth_user, hourly_limit, daily_limit";

  private List<Row> rows(String where, Object... params) {
    return jdbc.sql("select " + COLUMNS + " from delivery_server " + where + " order by name").params(params)
        .query(Row.class).list();
  }

  List<Server> list() {
    List<Assignment> assignments = assignments("", new Object[0]);
    Instant now = clock.instant();
    List<Server> servers = new ArrayList<>();
    for (Row r : rows("")) servers.add(server(r, assignments, now));
    return servers;
  }

  Server get(long id) {
    Row r = rows("where id = ?", id).stream().findFirst().orElseThrow(() -> Refused.notFound("Delivery server"));
    return server(r, assignments("where a.server_id = ?", new Object[] {id}), clock.instant());
  }

  private Server server(Row r, List<Assignment> assignments, Instant now) {
    boolean hasPassword = r.authUser() != null && secrets.get(secretName(r.id())).isPresent();
    return new Server(r.id(), r.name(), r.host(), r.port(), TextEnum.fromText(ServerTls.class, r.tlsMode()),
        r.verifyCertificate(), r.authUser(), hasPassword, r.hourlyLimit(), r.dailyLimit(),
        used(r.id(), now.truncatedTo(ChronoUnit.HOURS)), used(r.id(), now.truncatedTo(ChronoUnit.DAYS)),
        assignments.stream().filter(a -> a.serverId() == r.id()).toList());
  }

  private List<Assignment> assignments(String where, Object[] params) {
    return jdbc.sql("""
        select a.id, a.server_id, s.name, a.organization_id, a.sending_domain from delivery_server_assignment a
        join delivery_server s on s.id = a.server_id""" + " " + where + " order by a.organization_id, a.sending_domain nulls first")
        .params(params)
        .query((rs, i) -> {
          long org = rs.getLong(4);
          Organizations.Named named = organizations.named(org).orElse(new Organizations.Named(org, "", ""));
          return new Assignment(rs.getLong(1), rs.getLong(2), rs.getString(3), org, named.slug(), named.name(), rs.getString(5));
        }).list();
  }

  /** What an organization's members see: the servers its mail goes through (read-only). */
  List<Assignment> forOrganization(long organizationId) {
    return assignments("where a.organization_id = ?", new Object[] {organizationId});
  }

  /** A delivery server as an organization sees it: where its mail goes, not who else uses the server or its login. */
  record UsedServer(String sendingDomain, String name, String host, int port, String tls) {}

  /** One query, in {@link #forOrganization}'s order (a page of an organization reads it on every view). */
  List<UsedServer> usedBy(long organizationId) {
    return jdbc.sql("""
        select a.sending_domain, s.name, s.host, s.port, s.tls_mode from delivery_server_assignment a
        join delivery_server s on s.id = a.server_id
        where a.organization_id = ? order by a.organization_id, a.sending_domain nulls first""")
        .param(organizationId)
        .query((rs, i) -> new UsedServer(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
            TextEnum.fromText(ServerTls.class, rs.getString(5)).label()))
        .list();
  }

  @Transactional
  Server create(Settings settings) {
    Settings s = checked(settings, null);
    long id = jdbc.sql("""
        insert into delivery_server (name, host, port, tls_mode, verify_certificate, auth_user, hourly_limit, daily_limit)
        values (?, ?, ?, ?, ?, ?, ?, ?) returning id""")
        .params(s.name(), s.host(), s.port(), s.tls().text(), s.verifyCertificate(), s.authUser(), s.hourlyLimit(), s.dailyLimit())
        .query(Long.class).single();
    storePassword(id, s);
    audit.record(null, "delivery-server.created", "delivery_server", id, describe(s));
    changed();
    return get(id);
  }

  @Transactional
  Server update(long id, Settings settings) {
    get(id);
    Settings s = checked(settings, id);
    jdbc.sql("""
        update delivery_server set name = ?, host = ?, port = ?, tls_mode = ?, verify_certificate = ?, auth_user = ?,
          hourly_limit = ?, daily_limit = ?, updated_at = now() where id = ?""")
        .params(s.name(), s.host(), s.port(), s.tls().text(), s.verifyCertificate(), s.authUser(), s.hourlyLimit(),
            s.dailyLimit(), id)
        .update();
    storePassword(id, s);
    audit.record(null, "delivery-server.changed", "delivery_server", id, describe(s));
    changed();
    return get(id);
  }

  @Transactional
  void delete(long id) {
    Server server = get(id);
    jdbc.sql("delete from delivery_server where id = ?").param(id).update();
    secrets.delete(secretName(id));
    audit.record(null, "delivery-server.deleted", "delivery_server", id,
        server.name() + (server.assignments().isEmpty() ? "" : "; its " + server.assignments().size()
            + " assignment(s) removed, that mail goes by MX"));
    changed();
  }

  /**
   * Assigns the server to an organization, or to one of its sending domains when {@code sendingDomain} is given
   * (replacing what that organization or domain had).
   */
  @Transactional
  Assignment assign(long serverId, String organizationSlug, String sendingDomain) {
    Server server = get(serverId);
    Organizations.Named org = organizations.namedBySlug(organizationSlug)
        .orElseThrow(() -> Refused.invalid("organization", "No organization has the slug " + organizationSlug + "."));
    String domain = sendingDomain == null || sendingDomain.isBlank() ? null : domainName(sendingDomain);
    if (domain != null && domains.names(org.id()).stream().noneMatch(d -> d.name().equals(domain))) {
      throw Refused.invalid("sendingDomain", org.name() + " has no sending domain " + domain + ".");
    }
    jdbc.sql("delete from delivery_server_assignment where organization_id = ? and sending_domain is not distinct from ?")
        .params(org.id(), domain).update();
    long id = jdbc.sql("""
        insert into delivery_server_assignment (server_id, organization_id, sending_domain) values (?, ?, ?) returning id""")
        .params(serverId, org.id(), domain).query(Long.class).single();
    audit.record(null, "delivery-server.assigned", "delivery_server", serverId,
        server.name() + " → " + org.slug() + (domain == null ? "" : " (" + domain + ")"));
    changed();
    return new Assignment(id, serverId, server.name(), org.id(), org.slug(), org.name(), domain);
  }

  @Transactional
  void unassign(long serverId, long assignmentId) {
    Assignment a = get(serverId).assignments().stream().filter(x -> x.id() == assignmentId).findFirst()
        .orElseThrow(() -> Refused.notFound("Assignment"));
    jdbc.sql("delete from delivery_server_assignment where id = ?").param(assignmentId).update();
    audit.record(null, "delivery-server.unassigned", "delivery_server", serverId,
        a.serverName() + " → " + a.organizationSlug() + (a.sendingDomain() == null ? "" : " (" + a.sendingDomain() + ")"));
    changed();
  }

  // ---- checks -----------------------------------------------------------------------------------------------------

  private void storePassword(long id, Settings s) {
    if (s.authUser() == null) {
      secrets.delete(secretName(id));
    } else if (s.password() != null && !s.password().isEmpty()) {
      secrets.put(secretName(id), s.password().getBytes(StandardCharsets.UTF_8));
    }
  }

  /** What the audit log says: everything but the password, of which it says only whether one was set. */
  private static String describe(Settings s) {
    return s.name() + ": " + s.host() + ":" + s.port() + ", " + s.tls().label()
        + (s.verifyCertificate() ? ", certificate verified" : ", certificate not verified")
        + (s.authUser() == null ? ", no AUTH" : ", AUTH as " + s.authUser()
            + (s.password() != null && !s.password().isEmpty() ? " (password set)" : ""))
        + (s.hourlyLimit() == null ? "" : ", " + s.hourlyLimit() + "/hour")
        + (s.dailyLimit() == null ? "" : ", " + s.dailyLimit() + "/day");
  }

  private Settings checked(Settings s, Long id) {
    String name = s.name() == null ? "" : s.name().strip();
    if (name.isEmpty() || name.length() > 100 || name.chars().anyMatch(Character::isISOControl)) {
      throw Refused.invalid("name", "Give the server a name of one line, at most 100 characters.");
    }
    if (jdbc.sql("select exists(select 1 from delivery_server where lower(name) = lower(?) and id is distinct from ?)")
        .params(name, id).query(Boolean.class).single()) {
      throw Refused.conflict("name", "There is already a delivery server named " + name + ".");
    }
    String host = host(s.host());
    if (s.tls() == null) throw Refused.invalid("tls", "Choose how to use TLS: " + TextEnum.texts(ServerTls.class) + ".");
    int port = s.port() == null ? (s.tls() == ServerTls.IMPLICIT ? 465 : 587) : s.port();
    if (port < 1 || port > 65535) throw Refused.invalid("port", "A port is a number from 1 to 65535.");
    String user = s.authUser() == null || s.authUser().isBlank() ? null : s.authUser().strip();
    String password = s.password();
    if (user != null && (user.length() > 200 || user.chars().anyMatch(c -> c < 0x20 || c == 0x7f))) {
      throw Refused.invalid("authUser", "The user name is one line without control characters.");
    }
    if (password != null && password.chars().anyMatch(c -> c == 0 || c == '\r' || c == '\n')) {
      throw Refused.invalid("password", "The password cannot hold line breaks or NUL.");
    }
    if (user != null && (password == null || password.isEmpty())
        && (id == null || secrets.get(secretName(id)).isEmpty())) {
      throw Refused.invalid("password", "Enter the password for " + user + ".");
    }
    if (user != null && s.tls() == ServerTls.NONE && !loopback(host)) {
      throw Refused.invalid("tls", "A password is sent only over TLS: choose STARTTLS or implicit TLS, "
          + "or run the relay on this machine (loopback).");
    }
    for (var limit : List.of(Map.entry("hourlyLimit", Optional.ofNullable(s.hourlyLimit())),
        Map.entry("dailyLimit", Optional.ofNullable(s.dailyLimit())))) {
      if (limit.getValue().isPresent() && limit.getValue().get() < 1) {
        throw Refused.invalid(limit.getKey(), "A limit is a number of messages, at least 1; leave it empty for none.");
      }
    }
    return new Settings(name, host, port, s.tls(), s.verifyCertificate() == null || s.verifyCertificate(), user,
        password, s.hourlyLimit(), s.dailyLimit());
  }

  private static boolean loopback(String host) {
    if (host.equals("localhost")) return true;
    try {
      return java.net.InetAddress.ofLiteral(host).isLoopbackAddress();
    } catch (IllegalArgumentException notALiteral) {
      return false;
    }
  }

  /** A host name or an IP literal, lower-case. */
  static String host(String input) {
    String host = input == null ? "" : input.strip().toLowerCase(Locale.ROOT);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    try {
      return java.net.InetAddress.ofLiteral(host).getHostAddress();
    } catch (IllegalArgumentException notALiteral) {
      if (host.endsWith(".")) host = host.substring(0, host.length() - 1);
      if (!HOST.matcher(host).matches()) {
        throw Refused.invalid("host", "Enter the server's host name (smtp.example.com) or IP address.");
      }
      return host;
    }
  }

  private static String domainName(String input) {
    String text = input.strip();
    if (text.endsWith(".")) text = text.substring(0, text.length() - 1);
    if (EmailAddress.parse("postmaster@" + text) instanceof EmailAddress.Valid valid) {
      return valid.address().asciiDomain().toLowerCase(Locale.ROOT);
    }
    throw Refused.invalid("sendingDomain", "Enter a sending domain's name, e.g. news.example.com.");
  }
}
