package dev.herald.feedback;

import dev.herald.platform.Refused;
import dev.herald.platform.Secrets;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * An organization's mailbox monitors: IMAP or POP3 accounts that hold bounces, complaints and replies for mail whose
 * return path is an external mailbox. The password is kept encrypted in {@link Secrets} under a name of the mailbox's
 * own, never in {@code feedback_mailbox}; the poll state (last poll, last error, counts) is the poller's.
 */
@Service
class Mailboxes {
  static final int MAX_NAME = 100;

  private final JdbcClient jdbc;
  private final Secrets secrets;

  Mailboxes(JdbcClient jdbc, Secrets secrets) {
    this.jdbc = jdbc;
    this.secrets = secrets;
  }

  /**
   * A mailbox monitor as a form or an API call gives it. {@code port} null: the protocol's usual port for the TLS mode
   * (993 or 143 for IMAP, 995 or 110 for POP3). {@code password} null or empty on a change keeps the stored one.
   */
  record Input(String name, MailboxProtocol protocol, String host, Integer port, MailboxTls tls, boolean verifyCertificate,
      String username, String password, String folder, AfterProcessing afterProcessing, String processedFolder) {
    @Override
    public String toString() {
      return "Input[name=" + name + ", host=" + host + ", password=(hidden)]";
    }
  }

  /** A mailbox monitor and its poll state. Never its password nor the name of its secret. */
  record Mailbox(long id, long organizationId, String name, MailboxProtocol protocol, String host, int port, MailboxTls tls,
      boolean verifyCertificate, String username, String folder, AfterProcessing afterProcessing, String processedFolder,
      boolean enabled, Instant lastPollAt, Instant lastSuccessAt, String lastError, int lastProcessed, long processedTotal,
      Instant nextPollAt) {}

  private record Checked(String name, MailboxProtocol protocol, String host, int port, MailboxTls tls, boolean verify, String username,
      String folder, AfterProcessing after, String processedFolder) {}

  /** The input's values, checked in the order of the form's fields; the password is the caller's to check. */
  private static Checked check(Input in) {
    String name = required("name", in.name(), MAX_NAME);
    if (in.protocol() == null) throw Refused.invalid("protocol", "Choose IMAP or POP3.");
    String host = required("host", in.host(), 253);
    if (!validHost(host)) throw Refused.invalid("host", "Enter a host name (imap.example.com) or an IP address.");
    if (in.tls() == null) throw Refused.invalid("tls", "Choose how the connection is secured.");
    int port = in.port() == null ? defaultPort(in.protocol(), in.tls()) : in.port();
    if (port < 1 || port > 65535) throw Refused.invalid("port", "Enter a port from 1 to 65535.");
    String username = required("username", in.username(), 320);
    AfterProcessing after = in.afterProcessing() == null ? AfterProcessing.DELETE : in.afterProcessing();
    if (in.protocol() == MailboxProtocol.POP3 && after == AfterProcessing.MOVE) {
      throw Refused.invalid("afterProcessing", "POP3 has no folders: processed messages can only be deleted.");
    }
    String folder = in.folder() == null || in.folder().isBlank() ? "INBOX" : required("folder", in.folder(), 200);
    String processed = in.processedFolder() == null || in.processedFolder().isBlank() ? "Herald processed"
        : required("processedFolder", in.processedFolder(), 200);
    return new Checked(name, in.protocol(), host, port, in.tls(), in.verifyCertificate(), username, folder, after, processed);
  }

  /** A DNS name of letters, digits and hyphens (no label starting or ending with one), an IPv4 address, or an IPv6 one in brackets or not. */
  static boolean validHost(String host) {
    if (host.matches("\\[?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*]?")) {
      String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
      return !bare.isEmpty() && !bare.contains("[") && !bare.contains("]");
    }
    if (host.matches("[0-9.]+")) {
      String[] parts = host.split("\\.", -1);
      if (parts.length != 4) return false;
      for (String p : parts) {
        if (p.isEmpty() || p.length() > 3 || Integer.parseInt(p) > 255) return false;
      }
      return true;
    }
    String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    if (name.isEmpty() || name.length() > 253) return false;
    for (String label : name.split("\\.", -1)) {
      if (!label.matches("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")) return false;
    }
    return true;
  }

  static int defaultPort(MailboxProtocol protocol, MailboxTls tls) {
    boolean implicit = tls == MailboxTls.IMPLICIT;
    return protocol == MailboxProtocol.IMAP ? (implicit ? 993 : 143) : (implicit ? 995 : 110);
  }

  @Transactional
  long create(long organizationId, Input in) {
    Checked c = check(in);
    if (in.password() == null || in.password().isEmpty()) throw Refused.invalid("password", "Enter the account's password.");
    requireFreeName(organizationId, c.name(), null);
    String secret = "feedback:mailbox:" + organizationId + ":" + java.util.UUID.randomUUID();
    secrets.put(secret, in.password().getBytes(StandardCharsets.UTF_8));
    return jdbc.sql("""
        insert into feedback_mailbox (organization_id, name, protocol, host, port, tls, verify_certificate, username, secret_name, folder,
          after_processing, processed_folder) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id""")
        .params(organizationId, c.name(), c.protocol().text(), c.host(), c.port(), c.tls().text(), c.verify(), c.username(), secret,
            c.folder(), c.after().text(), c.processedFolder())
        .query(Long.class).single();
  }

  /**
   * Changes a mailbox monitor: its settings, and its password when one is given (an empty one keeps the stored password).
   * The poll state stays, and the next poll is due at once so that the change shows.
   */
  @Transactional
  Mailbox update(long organizationId, long id, Input in) {
    // Another organization's id (or a deleted one) is not found before anything about the input is said.
    String secret = jdbc.sql("select secret_name from feedback_mailbox where organization_id = ? and id = ? for update")
        .params(organizationId, id).query(String.class).optional().orElseThrow(() -> Refused.notFound("Mailbox monitor " + id));
    Checked c = check(in);
    requireFreeName(organizationId, c.name(), id);
    if (in.password() != null && !in.password().isEmpty()) secrets.put(secret, in.password().getBytes(StandardCharsets.UTF_8));
    jdbc.sql("""
        update feedback_mailbox set name = ?, protocol = ?, host = ?, port = ?, tls = ?, verify_certificate = ?, username = ?, folder = ?,
          after_processing = ?, processed_folder = ?, next_poll_at = now()
        where organization_id = ? and id = ?""")
        .params(c.name(), c.protocol().text(), c.host(), c.port(), c.tls().text(), c.verify(), c.username(), c.folder(), c.after().text(),
            c.processedFolder(), organizationId, id)
        .update();
    return find(organizationId, id).orElseThrow();
  }

  /** Makes the mailbox due now: the next worker round polls it (within {@code MailboxPoller.CHECK}). */
  @Transactional
  Mailbox pollNow(long organizationId, long id) {
    int changed = jdbc.sql("update feedback_mailbox set next_poll_at = now() where organization_id = ? and id = ?")
        .params(organizationId, id).update();
    if (changed == 0) throw Refused.notFound("Mailbox monitor " + id);
    return find(organizationId, id).orElseThrow();
  }

  private void requireFreeName(long organizationId, String name, Long except) {
    boolean taken = jdbc.sql("select exists(select 1 from feedback_mailbox where organization_id = ? and name = ? and id <> ?)")
        .params(organizationId, name, except == null ? 0L : except).query(Boolean.class).single();
    if (taken) throw Refused.conflict("name", "A mailbox monitor with this name exists.");
  }

  List<Mailbox> list(long organizationId) {
    return jdbc.sql(SELECT + " where organization_id = ? order by name").param(organizationId).query(Mailboxes::map).list();
  }

  Optional<Mailbox> find(long organizationId, long id) {
    return jdbc.sql(SELECT + " where organization_id = ? and id = ?").params(organizationId, id).query(Mailboxes::map).optional();
  }

  @Transactional
  boolean delete(long organizationId, long id) {
    Optional<String> secret = jdbc.sql("delete from feedback_mailbox where organization_id = ? and id = ? returning secret_name")
        .params(organizationId, id).query(String.class).optional();
    secret.ifPresent(secrets::delete);
    return secret.isPresent();
  }

  /** Deletes every mailbox monitor of the organization with its password (an organization's deletion: the cascade would leave the passwords). */
  @Transactional
  int deleteAll(long organizationId) {
    List<String> names = jdbc.sql("delete from feedback_mailbox where organization_id = ? returning secret_name").param(organizationId)
        .query(String.class).list();
    names.forEach(secrets::delete);
    return names.size();
  }

  /** The password of a mailbox (the poller's). */
  Optional<String> password(String secretName) {
    return secrets.get(secretName).map(b -> new String(b, StandardCharsets.UTF_8));
  }

  static final String SELECT = """
      select id, organization_id, name, protocol, host, port, tls, verify_certificate, username, folder, after_processing, processed_folder,
        enabled, last_poll_at, last_success_at, last_error, last_processed, processed_total, next_poll_at from feedback_mailbox""";

  static Mailbox map(java.sql.ResultSet rs, int i) throws java.sql.SQLException {
    return new Mailbox(rs.getLong(1), rs.getLong(2), rs.getString(3), dev.herald.platform.TextEnum.fromText(MailboxProtocol.class, rs.getString(4)),
        rs.getString(5), rs.getInt(6), dev.herald.platform.TextEnum.fromText(MailboxTls.class, rs.getString(7)), rs.getBoolean(8),
        rs.getString(9), rs.getString(10), dev.herald.platform.TextEnum.fromText(AfterProcessing.class, rs.getString(11)), rs.getString(12),
        rs.getBoolean(13), instant(rs.getTimestamp(14)), instant(rs.getTimestamp(15)), rs.getString(16), rs.getInt(17), rs.getLong(18),
        instant(rs.getTimestamp(19)));
  }

  private static Instant instant(java.sql.Timestamp t) {
    return t == null ? null : t.toInstant();
  }

  private static String required(String field, String value, int max) {
    String v = value == null ? "" : value.strip();
    if (v.isEmpty()) throw Refused.invalid(field, "Enter a value.");
    if (v.length() > max) throw Refused.invalid(field, "At most " + max + " characters.");
    if (v.chars().anyMatch(Character::isISOControl)) throw Refused.invalid(field, "No control characters.");
    return v;
  }
}
