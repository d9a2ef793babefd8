package dev.herald.platform;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Where the master keys come from: {@code HERALD_SECRET_KEYS} when set (what several nodes sharing one
 * database need: the same keys everywhere), otherwise {@code <data-dir>/secret.keys}, created with one
 * fresh key on the first start so a single node works without any setup.
 */
@Configuration(proxyBeanMethods = false)
class SecretKeysConfiguration {
  private static final Logger log = LoggerFactory.getLogger(SecretKeysConfiguration.class);
  static final String KEY_FILE = "secret.keys";

  @Bean
  KeyRing keyRing(HeraldProperties properties) throws IOException {
    if (!properties.db().embedded() && properties.secretKeys().isBlank()) {
      log.warn("HERALD_DB_URL is set but HERALD_SECRET_KEYS is not: this node uses its own key file. If other nodes share "
          + "this database, give them all the same HERALD_SECRET_KEYS, or they cannot read each other's secrets.");
    }
    return load(properties.secretKeys(), properties.dataDir());
  }

  static KeyRing load(String configured, Path dataDir) throws IOException {
    if (!configured.isBlank()) {
      // HeraldProperties has validated the list already; parse cannot fail here.
      KeyRing ring = KeyRing.parse(configured, "HERALD_SECRET_KEYS");
      log.info("Secrets are encrypted under master key '{}' from HERALD_SECRET_KEYS ({} key(s) in the ring)", ring.currentId(), ring.size());
      return ring;
    }
    Path file = dataDir.resolve(KEY_FILE).toAbsolutePath();
    if (Files.notExists(file)) {
      create(file);
      log.warn("Created the key file {} with a new master key for encrypted secrets. Keep a copy of it apart from database "
          + "backups: without it the secrets in the database cannot be read. With several nodes, set HERALD_SECRET_KEYS instead.", file);
    } else {
      warnIfOthersMayRead(file);
    }
    String source = "the key file " + file + " (used because HERALD_SECRET_KEYS is not set)";
    KeyRing ring = KeyRing.parse(Files.readString(file, StandardCharsets.UTF_8), source);
    log.info("Secrets are encrypted under master key '{}' from {} ({} key(s) in the ring)", ring.currentId(), source, ring.size());
    return ring;
  }

  /**
   * Writes one new key, readable by the owner only (0600) where the file system has POSIX permissions:
   * the file is created with them, so it is never readable by others, not even for a moment.
   */
  private static void create(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    byte[] key = new byte[KeyRing.KEY_BYTES];
    SecureRandom random = new SecureRandom();
    random.nextBytes(key);
    byte[] suffix = new byte[2];
    random.nextBytes(suffix);
    // A date and a random suffix: nodes that each made their own file by mistake have different ids, so
    // the error names a missing key instead of reporting a wrong one.
    String id = LocalDate.now(ZoneOffset.UTC) + "-" + HexFormat.of().formatHex(suffix);
    String text = """
        # Herald's master keys for the secrets it keeps encrypted in its database (DKIM keys and signing keys).
        # Entries id:base64-of-32-bytes: the first one encrypts and every one decrypts. Keep a copy of this file
        # apart from database backups. To rotate: README.md (Secrets and key rotation).
        %s:%s
        """.formatted(id, Base64.getEncoder().encodeToString(key));
    FileAttribute<?>[] ownerOnly = posix(file.getParent())
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
        : new FileAttribute<?>[0];
    // CREATE_NEW: never overwrite a key file, which would make every stored secret unreadable.
    try (FileChannel out = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), ownerOnly)) {
      out.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
      out.force(true);
    }
  }

  private static void warnIfOthersMayRead(Path file) throws IOException {
    if (!posix(file.getParent())) return;
    Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
    if (permissions.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
      log.warn("The key file {} can be read by other users than its owner ({}): chmod 600 it", file,
          PosixFilePermissions.toString(permissions));
    }
  }

  private static boolean posix(Path dir) throws IOException {
    return Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class);
  }
}
