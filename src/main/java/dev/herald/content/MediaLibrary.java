package dev.herald.content;

import dev.herald.platform.HeraldProperties;
import dev.herald.platform.Refused;
import io.swagger.v3.oas.annotations.media.Schema;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.text.Normalizer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * An organization's media library: the images its campaigns show, checked by content (see {@link MediaProbe}),
 * limited per file and per organization, kept once per content, and served on the public origin at an address
 * nobody can guess ({@link Item#url()}). Editors and previews read {@link #list(long)}.
 */
@Service
public class MediaLibrary {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int MAX_NAME = 200;
  private final JdbcClient jdbc;
  private final HeraldProperties properties;

  MediaLibrary(JdbcClient jdbc, HeraldProperties properties) {
    this.jdbc = jdbc;
    this.properties = properties;
  }

  /**
   * One image. {@code name} is the uploaded file's name, cleaned, for people to recognise it (nothing is decided by
   * it); {@code url} is its absolute public address, for mail.
   */
  @Schema(name = "MediaItem")
  public record Item(long id, String name, MediaFormat type, long size, int width, int height, String url, Instant created) {}

  @Schema(name = "MediaPage")
  public record Page(List<Item> items, long total, int page, int size) {}

  /** What an upload gave: the image, and whether it is new (false: the library held the same content already). */
  public record Added(Item item, boolean created) {}

  /** How much of its allowance an organization uses, in bytes. */
  public record Usage(long used, long limit, long maxPerFile) {}

  private static final String COLUMNS = "id, name, content_type, size_bytes, width, height, public_key, created_at";

  /** Every image of the organization, newest first (metadata only: the bytes stay in the database). */
  public List<Item> list(long orgId) {
    return jdbc.sql("select " + COLUMNS + " from media where organization_id = ? order by created_at desc, id desc")
        .param(orgId).query(this::item).list();
  }

  public Page page(long orgId, int page, int size) {
    long total = jdbc.sql("select count(*) from media where organization_id = ?").param(orgId).query(Long.class).single();
    List<Item> items = jdbc.sql("select " + COLUMNS + " from media where organization_id = ? order by created_at desc, id desc"
        + " limit ? offset ?").params(orgId, size, (long) page * size).query(this::item).list();
    return new Page(items, total, page, size);
  }

  public Optional<Item> find(long orgId, long id) {
    return jdbc.sql("select " + COLUMNS + " from media where organization_id = ? and id = ?").params(orgId, id)
        .query(this::item).optional();
  }

  public Usage usage(long orgId) {
    long used = jdbc.sql("select coalesce(sum(size_bytes), 0) from media where organization_id = ?").param(orgId)
        .query(Long.class).single();
    return new Usage(used, limits().maxTotalBytes().toBytes(), limits().maxBytes().toBytes());
  }

  /**
   * Adds an image from its bytes; {@code originalName} is kept for display only. Refuses (field {@code file}) what is
   * not a PNG, JPEG, GIF or WebP by its content, a file over the per-file limit, and one the organization's allowance
   * cannot take. The same content uploaded again is the image already there.
   */
  @Transactional
  public Added add(long orgId, String originalName, byte[] content) {
    checkSize(content.length);
    MediaProbe.Image image = MediaProbe.probe(content);
    byte[] hash = sha256(content);
    // One upload of an organization at a time: the allowance is checked and used in one step on every node.
    jdbc.sql("select pg_advisory_xact_lock(hashtextextended('media:' || ?, 0))").param(orgId).query().singleRow();
    Optional<Item> same = jdbc.sql("select " + COLUMNS + " from media where organization_id = ? and sha256 = ?")
        .params(orgId, hash).query(this::item).optional();
    if (same.isPresent()) return new Added(same.get(), false);
    Usage usage = usage(orgId);
    if (usage.used() + content.length > usage.limit()) {
      throw Refused.invalid(MediaProbe.FIELD, "The media library is full: it holds " + bytesInWords(usage.used()) + " of "
          + bytesInWords(usage.limit()) + ", and this image needs " + bytesInWords(content.length)
          + ". Delete images you no longer need to make room.");
    }
    byte[] key = new byte[16];
    RANDOM.nextBytes(key);
    long id = jdbc.sql("""
        insert into media (organization_id, public_key, name, content_type, size_bytes, width, height, sha256, content)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?) returning id""")
        .params(orgId, HexFormat.of().formatHex(key), displayName(originalName, image.format()), image.format().text(),
            content.length, image.width(), image.height(), hash, content)
        .query(Long.class).single();
    return new Added(find(orgId, id).orElseThrow(), true);
  }

  /** Deletes the image: its public address answers 404 from now on, in mail already sent too. */
  @Transactional
  public boolean delete(long orgId, long id) {
    return jdbc.sql("delete from media where organization_id = ? and id = ?").params(orgId, id).update() == 1;
  }

  /** Refuses a file over the per-file limit; controllers ask before reading an upload into memory. */
  void checkSize(long size) {
    long max = limits().maxBytes().toBytes();
    if (size > max) {
      throw Refused.invalid(MediaProbe.FIELD, "Too large: the file is " + bytesInWords(size) + "; an image may be at most "
          + bytesInWords(max) + ".");
    }
  }

  /** An image as the public origin serves it. */
  record Stored(MediaFormat type, byte[] content, String etag) {}

  /** The image at a public key, if one is there; the extension must be the image's own. */
  Optional<Stored> stored(String publicKey, String extension) {
    if (!publicKey.matches("[0-9a-f]{32}")) return Optional.empty();
    return jdbc.sql("select content_type, content, sha256 from media where public_key = ?").param(publicKey)
        .query((rs, n) -> new Stored(type(rs.getString(1)), rs.getBytes(2),
            "\"" + HexFormat.of().formatHex(rs.getBytes(3)) + "\""))
        .optional().filter(s -> s.type().extension().equals(extension));
  }

  /** 1,536 bytes is "1.5 KB"; 5,242,880 is "5 MB". */
  public static String bytesInWords(long bytes) {
    if (bytes < 1024) return bytes + (bytes == 1 ? " byte" : " bytes");
    String[] units = {"KB", "MB", "GB", "TB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    String number = String.format(Locale.ROOT, "%.1f", value);
    if (number.endsWith(".0")) number = number.substring(0, number.length() - 2);
    return number + " " + units[unit];
  }

  /**
   * The uploaded name as people see it: no folders, no control or invisible formatting characters (a right-to-left
   * override could dress "gpj.exe" up as "exe.jpg"), at most 200 characters; an empty one is "image.png".
   */
  static String displayName(String original, MediaFormat format) {
    String n = original == null ? "" : original;
    n = n.substring(Math.max(n.lastIndexOf('/'), n.lastIndexOf('\\')) + 1);
    n = Normalizer.normalize(n, Normalizer.Form.NFC);
    StringBuilder clean = new StringBuilder();
    n.codePoints().map(c -> Character.isWhitespace(c) || Character.isSpaceChar(c) ? ' ' : c)
        .filter(c -> !Character.isISOControl(c) && Character.getType(c) != Character.FORMAT
            && Character.getType(c) != Character.SURROGATE && Character.getType(c) != Character.PRIVATE_USE)
        .forEach(clean::appendCodePoint);
    n = clean.toString().replaceAll(" {2,}", " ").strip();
    if (n.codePointCount(0, n.length()) > MAX_NAME) n = n.substring(0, n.offsetByCodePoints(0, MAX_NAME)).strip();
    return n.isEmpty() ? "image." + format.extension() : n;
  }

  private HeraldProperties.Content.Media limits() {
    return properties.content().media();
  }

  private Item item(ResultSet rs, int n) throws SQLException {
    MediaFormat type = type(rs.getString("content_type"));
    return new Item(rs.getLong("id"), rs.getString("name"), type, rs.getLong("size_bytes"), rs.getInt("width"),
        rs.getInt("height"), properties.publicLink("/m/" + rs.getString("public_key") + "." + type.extension()),
        rs.getObject("created_at", OffsetDateTime.class).toInstant());
  }

  private static MediaFormat type(String text) {
    return dev.herald.platform.TextEnum.fromText(MediaFormat.class, text);
  }

  private static byte[] sha256(byte[] content) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(content);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
