package dev.herald.delivery;

import dev.herald.domains.SendingDomains;
import dev.herald.mail.EmailAddress;
import dev.herald.platform.HeraldProperties;
import dev.herald.platform.Refused;
import dev.herald.platform.TextEnum;
import dev.herald.tenancy.AuditLog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The delivery setting the operator changes at run time (delivery_setting, one row): the {@link DeliveryMode} and the
 * system sender, the address Herald's own mail comes from when it is really delivered.
 *
 * <p>Every node reads the row itself, so a change reaches all of them without a restart; the route asks for the mode
 * on every destination it picks, so each node keeps what it read for {@link #CACHE} rather than query per message
 * (a change takes effect within that on every node, at once on the node that made it).
 *
 * <p>{@code herald.delivery.route=static} (tests and benchmarks) overrides the stored mode: every message goes to the
 * one loopback server, and counts as real delivery for system mail.
 */
@Service
class DeliverySettings {
  static final Duration CACHE = Duration.ofSeconds(5);

  /** What is stored. */
  record Current(DeliveryMode mode, String systemSender, Instant updatedAt) {}

  /** Where Herald's own mail goes now, and why (not stored: derived from the mode and the sender's domain). */
  enum SystemMailPath implements TextEnum {
    /** Kept in the sandbox mailbox: the mode is sandbox. */
    SANDBOX("sandbox"),
    /** Enqueued and delivered by the MTA, signed for the verified system sender's domain. */
    QUEUE("queue"),
    /** Real delivery is on but there is no verified system sender: kept in the sandbox mailbox, the operator warned. */
    SANDBOX_FALLBACK("sandbox-fallback");

    private final String text;

    SystemMailPath(String text) {
      this.text = text;
    }

    @com.fasterxml.jackson.annotation.JsonValue
    @Override
    public String text() {
      return text;
    }

    @Override
    public String toString() {
      return text;
    }
  }

  /** The page's and the API's view of the setting. */
  record Status(DeliveryMode mode, String staticRoute, String systemSender, SendingDomains.InstallationDomain senderDomain,
      SystemMailPath systemMail, Instant updatedAt, Fallback fallback) {
    boolean realDelivery() {
      return staticRoute != null || mode.real();
    }
  }

  /**
   * System mail kept in the sandbox mailbox by the fallback in the last {@link #FALLBACK_NOTICE}: how many messages
   * in all, and when the last was. Null when none was kept in that time.
   */
  record Fallback(long kept, Instant lastAt) {}

  /** How long the Delivery page tells of system mail the fallback kept. */
  static final Duration FALLBACK_NOTICE = Duration.ofDays(7);

  private record Cached(Current current, Instant until) {}

  private final JdbcClient jdbc;
  private final Clock clock;
  private final AuditLog audit;
  private final SendingDomains domains;
  private final String staticRoute;
  private volatile Cached cached;

  DeliverySettings(JdbcClient jdbc, Clock clock, AuditLog audit, SendingDomains domains, HeraldProperties properties) {
    this.jdbc = jdbc;
    this.clock = clock;
    this.audit = audit;
    this.domains = domains;
    HeraldProperties.Delivery delivery = properties.delivery();
    this.staticRoute = delivery.route() == HeraldProperties.Delivery.RouteKind.STATIC ? delivery.staticRoute() : null;
  }

  /** The stored setting as this node last read it, at most {@link #CACHE} old. */
  Current current() {
    Cached c = cached;
    Instant now = clock.instant();
    if (c == null || !now.isBefore(c.until())) {
      c = new Cached(read(), now.plus(CACHE));
      cached = c;
    }
    return c.current();
  }

  private Current read() {
    return jdbc.sql("select mode, system_sender, updated_at from delivery_setting")
        .query((rs, i) -> new Current(TextEnum.fromText(DeliveryMode.class, rs.getString(1)), rs.getString(2),
            rs.getTimestamp(3).toInstant()))
        .single();
  }

  /** Whether the static test route is in force (it overrides the mode), and its host:port. */
  Optional<String> staticRoute() {
    return Optional.ofNullable(staticRoute);
  }

  /** Whether mail leaves the machine now: the mode is real, or the static test route is in force. */
  boolean realDelivery() {
    return staticRoute != null || current().mode().real();
  }

  /** The verified domain Herald signs its own mail for, when real delivery should carry system mail. */
  Optional<SendingDomains.VerifiedDomain> systemSenderDomain(String systemSender) {
    return systemSender.isEmpty() ? Optional.empty() : domains.verifiedInstallationDomainFor(systemSender);
  }

  Status status() {
    Current current = read();
    String sender = current.systemSender();
    SendingDomains.InstallationDomain domain = sender.isEmpty() ? null : domains.installationDomainOf(sender).orElse(null);
    boolean real = staticRoute != null || current.mode().real();
    SystemMailPath path = !real ? SystemMailPath.SANDBOX
        : domain != null && domain.verified() ? SystemMailPath.QUEUE : SystemMailPath.SANDBOX_FALLBACK;
    Fallback fallback = jdbc.sql("select fallback_kept, fallback_last_at from delivery_setting where fallback_last_at > ?")
        .param(java.sql.Timestamp.from(clock.instant().minus(FALLBACK_NOTICE)))
        .query((rs, i) -> new Fallback(rs.getLong(1), rs.getTimestamp(2).toInstant())).optional().orElse(null);
    return new Status(current.mode(), staticRoute, sender, domain, path, current.updatedAt(), fallback);
  }

  /** Counts one system message the fallback kept in the sandbox mailbox (in the caller's transaction). */
  void keptByFallback() {
    jdbc.sql("update delivery_setting set fallback_kept = fallback_kept + 1, fallback_last_at = ?")
        .param(java.sql.Timestamp.from(clock.instant())).update();
  }

  /**
   * Changes the mode and the system sender (each when given, null keeps it), audited. Naming a sender adds its domain
   * to the installation's sending domains when it is not one yet, for the operator to publish and verify.
   */
  @Transactional
  Status change(DeliveryMode mode, String systemSender) {
    Current before = read();
    if (systemSender != null) {
      String sender = systemSender.strip();
      if (!sender.isEmpty()) {
        if (!(EmailAddress.parse(sender) instanceof EmailAddress.Valid valid)) {
          throw Refused.invalid("systemSender", "Enter the address system mail comes from, e.g. herald@mail.example.com.");
        }
        sender = valid.address().asciiAddress();
        domains.addInstallationDomainOf(sender);
      }
      if (!sender.equals(before.systemSender())) {
        jdbc.sql("update delivery_setting set system_sender = ?, updated_at = now()").param(sender).update();
        audit.record(null, "delivery.system_sender_changed", "delivery_setting", null,
            (before.systemSender().isEmpty() ? "(none)" : before.systemSender()) + " -> " + (sender.isEmpty() ? "(none)" : sender));
      }
    }
    if (mode != null && mode != before.mode()) {
      jdbc.sql("update delivery_setting set mode = ?, updated_at = now()").param(mode.text()).update();
      audit.record(null, "delivery.mode_changed", "delivery_setting", null, before.mode().text() + " -> " + mode.text());
    }
    cached = null; // this node sees its own change at once; the others within CACHE
    return status();
  }
}
