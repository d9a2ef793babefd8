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

  record Input(String name, MailboxProtocol protocol, String host, int port, MailboxTls tls, String username, String password,
      String folder, AfterProcessing afterProcessing, String processedFolder) {}

  record Mailbox(long id, long organizationId, String name, MailboxProtocol protocol, String host, int port, MailboxTls tls,
      String username, String folder, AfterProcessing afterProcessing, String processedFolder, boolean enabled, Instant lastPollAt,
      Instant lastSuccessAt, String lastError, int lastProcessed, long processedTotal) {}

  @Transactional
  long create(long organizationId, Input in) {
    String name = required("name", in.name(), MAX_NAME);
    String host = required("host", in.host(), 253);
    if (!host.matches("[A-Za-z0-9.:\\[\\]-]+")) throw Refused.invalid("host", "Enter a host name or an IP address.");
    if (in.port() < 1 || in.port() > 65535) throw Refused.invalid("port", "Enter a port from 1 to 65535.");
    if (in.protocol() == null) throw Refused.invalid("protocol", "Choose IMAP or POP3.");
    if (in.tls() == null) throw Refused.invalid("tls", "Choose how the connection is secured.");
    String username = required("username", in.username(), 320);
    if (in.password() == null || in.password().isEmpty()) throw Refused.invalid("password", "Enter the account's password.");
    AfterProcessing after = in.afterProcessing() == null ? AfterProcessing.DELETE : in.afterProcessing();
    if (in.protocol() == MailboxProtocol.POP3 && after == AfterProcessing.MOVE) {
      throw Refused.invalid("afterProcessing", "POP3 has no folders: processed messages can only be deleted.");
    }
    String folder = in.folder() == null || in.folder().isBlank() ? "INBOX" : required("folder", in.folder(), 200);
    String processed = in.processedFolder() == null || in.processedFolder().isBlank() ? "Herald processed"
        : required("processedFolder", in.processedFolder(), 200);
    boolean taken = jdbc.sql("select exists(select 1 from feedback_mailbox where organization_id = ? and name = ?)")
        .params(organizationId, name).query(Boolean.class).single();
    if (taken) throw Refused.conflict("name", "A mailbox monitor with this name exists.");
    String secret = "feedback:mailbox:" + organizationId + ":" + java.util.UUID.randomUUID();
    secrets.put(secret, in.password().getBytes(StandardCharsets.UTF_8));
    return jdbc.sql("""
        insert into feedback_mailbox (organization_id, name, protocol, host, port, tls, username, secret_name, folder, after_processing,
          processed_folder) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id""")
        .params(organizationId, name, in.protocol().text(), host, in.port(), in.tls().text(), username, secret, folder, after.text(), processed)
        .query(Long.class).single();
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

  /** The password of a mailbox (the poller's). */
  Optional<String> password(String secretName) {
    return secrets.get(secretName).map(b -> new String(b, StandardCharsets.UTF_8));
  }

  static final String SELECT = """
      select id, organization_id, name, protocol, host, port, tls, username, folder, after_processing, processed_folder, enabled,
        last_poll_at, last_success_at, last_error, last_processed, processed_total from feedback_mailbox""";

  static Mailbox map(java.sql.ResultSet rs, int i) throws java.sql.SQLException {
    return new Mailbox(rs.getLong(1), rs.getLong(2), rs.getString(3), dev.herald.platform.TextEnum.fromText(MailboxProtocol.class, rs.getString(4)),
        rs.getString(5), rs.getInt(6), dev.herald.platform.TextEnum.fromText(MailboxTls.class, rs.getString(7)), rs.getString(8),
        rs.getString(9), dev.herald.platform.TextEnum.fromText(AfterProcessing.class, rs.getString(10)), rs.getString(11),
        rs.getBoolean(12), instant(rs.getTimestamp(13)), instant(rs.getTimestamp(14)), rs.getString(15), rs.getInt(16), rs.getLong(17));
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
