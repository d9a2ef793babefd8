package dev.herald.platform;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Secrets Herald must be able to use again (DKIM private keys, link and webhook signing keys,
 * delivery-server passwords), kept in the table {@code secret} encrypted with AES-256-GCM under the
 * current master key of the {@link KeyRing} (DESIGN.md security rule 7). Names are namespaced by the
 * caller: {@code platform:link-signing-key}, {@code domains:dkim:42}. Every call reads PostgreSQL, so all
 * nodes see a change at once; callers that need a secret often keep it in memory themselves.
 *
 * <p>At start every row under an older key is re-encrypted under the current one (key rotation), and a
 * row under a key the ring does not hold stops the start.
 */
@Component
public class Secrets implements InitializingBean {
  private static final Logger log = LoggerFactory.getLogger(Secrets.class);
  private static final int MAX_NAME = 200;
  private static final int ROTATION_BATCH = 100;

  private final JdbcClient jdbc;
  private final KeyRing ring;
  private final TransactionTemplate transaction;

  Secrets(JdbcClient jdbc, KeyRing ring, PlatformTransactionManager transactions) {
    this.jdbc = jdbc;
    this.ring = ring;
    this.transaction = new TransactionTemplate(transactions);
  }

  /** Stores or replaces a secret. */
  public void put(String name, byte[] secret) {
    KeyRing.Sealed sealed = ring.seal(checked(name), Objects.requireNonNull(secret, "secret"));
    jdbc.sql("""
        insert into secret (name, key_id, ciphertext) values (?, ?, ?)
        on conflict (name) do update set key_id = excluded.key_id, ciphertext = excluded.ciphertext, updated_at = now()""")
        .params(name, sealed.keyId(), sealed.ciphertext()).update();
  }

  /** The secret, decrypted; fails (without quoting it) if it was altered or its master key is gone. */
  public Optional<byte[]> get(String name) {
    return jdbc.sql("select key_id, ciphertext from secret where name = ?").param(checked(name))
        .query((rs, i) -> ring.open(name, rs.getString(1), rs.getBytes(2))).optional();
  }

  /**
   * The secret, created from {@code fresh} if there is none yet. When several nodes create it at once
   * the first insert wins and every node gets that one, so {@code fresh} may be called and thrown away.
   */
  public byte[] getOrCreate(String name, Supplier<byte[]> fresh) {
    Optional<byte[]> existing = get(name);
    if (existing.isPresent()) return existing.get();
    byte[] candidate = Objects.requireNonNull(fresh.get(), "fresh secret");
    KeyRing.Sealed sealed = ring.seal(name, candidate);
    int inserted = jdbc.sql("insert into secret (name, key_id, ciphertext) values (?, ?, ?) on conflict (name) do nothing")
        .params(name, sealed.keyId(), sealed.ciphertext()).update();
    if (inserted == 1) return candidate;
    return get(name).orElseThrow(() -> new IllegalStateException("Secret '" + name + "' was deleted while it was being created"));
  }

  /** Deletes a secret; whether there was one. */
  public boolean delete(String name) {
    return jdbc.sql("delete from secret where name = ?").param(checked(name)).update() > 0;
  }

  /** Rotation at start, before the node serves anything. */
  @Override
  public void afterPropertiesSet() {
    rotateToCurrentKey();
  }

  /**
   * Re-encrypts every secret not under the current key, in batches of one transaction each. Rows are
   * claimed with {@code FOR UPDATE SKIP LOCKED}, so nodes starting at once share the work and never
   * re-encrypt a row twice. Returns how many rows this call re-encrypted.
   */
  int rotateToCurrentKey() {
    List<String> unknown = jdbc.sql("select distinct key_id from secret order by key_id").query(String.class).list().stream()
        .filter(id -> !ring.has(id)).toList();
    if (!unknown.isEmpty()) throw new SecretKeysException(ring.unknownKeysMessage("Herald cannot start: stored secrets are", unknown));
    int rotated = 0;
    int batch;
    do {
      batch = Objects.requireNonNull(transaction.execute(status -> reencryptBatch()));
      rotated += batch;
    } while (batch > 0);
    long total = jdbc.sql("select count(*) from secret").query(Long.class).single();
    long older = jdbc.sql("select count(*) from secret where key_id <> ?").param(ring.currentId()).query(Long.class).single();
    if (rotated > 0) log.info("Re-encrypted {} secret(s) under the current master key '{}'", rotated, ring.currentId());
    if (older > 0) {
      log.warn("{} of {} secret(s) are still under older master keys (another node is re-encrypting them); "
          + "keep the older keys until a start reports none", older, total);
    } else if (ring.size() > 1) {
      log.info("All {} secret(s) are under the current master key '{}': the other keys in {} are no longer used and can be removed",
          total, ring.currentId(), ring.source());
    }
    return rotated;
  }

  private int reencryptBatch() {
    record Row(String name, String keyId, byte[] ciphertext) {}
    List<Row> rows = jdbc.sql("""
        select name, key_id, ciphertext from secret where key_id <> ?
        order by name limit ? for update skip locked""")
        .params(ring.currentId(), ROTATION_BATCH)
        .query((rs, i) -> new Row(rs.getString(1), rs.getString(2), rs.getBytes(3))).list();
    for (Row row : rows) {
      KeyRing.Sealed sealed = ring.seal(row.name(), ring.open(row.name(), row.keyId(), row.ciphertext()));
      jdbc.sql("update secret set key_id = ?, ciphertext = ?, updated_at = now() where name = ?")
          .params(sealed.keyId(), sealed.ciphertext(), row.name()).update();
    }
    return rows.size();
  }

  private static String checked(String name) {
    if (name == null || name.isBlank() || name.length() > MAX_NAME || name.indexOf(':') < 1) {
      throw new IllegalArgumentException("a secret's name is namespaced by its capability, e.g. domains:dkim:42, at most "
          + MAX_NAME + " characters");
    }
    return name;
  }
}
