package dev.herald.platform;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The one DataSource: an external PostgreSQL 14+ when {@code herald.db.url} is set, otherwise a real
 * PostgreSQL started from the embedded binaries with its data kept in {@code herald.data-dir/postgres}.
 */
@Configuration(proxyBeanMethods = false)
class DatabaseConfiguration {
  private static final Logger log = LoggerFactory.getLogger(DatabaseConfiguration.class);
  static final String EMBEDDED_DATABASE = "herald";

  @Bean(destroyMethod = "close")
  EmbeddedDatabase embeddedDatabase(HeraldProperties properties) throws IOException {
    if (!properties.db().embedded()) return EmbeddedDatabase.none();
    Path dir = properties.dataDir().resolve("postgres").toAbsolutePath();
    Files.createDirectories(dir);
    log.info("Starting embedded PostgreSQL with data in {}", dir);
    EmbeddedPostgres postgres = EmbeddedPostgres.builder()
        .setDataDirectory(dir)
        .setCleanDataDirectory(false)
        .setPort(properties.db().embeddedPort())
        .setPGStartupWait(Duration.ofSeconds(60))
        // zonky starts postgres with -F (fsync off) and synchronous_commit=off, settings meant for
        // throw-away test databases. Here the data is the user's: turn durability back on; the later
        // -c options override the earlier -F. OperationsTest checks both with SHOW.
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("full_page_writes", "on")
        .setServerConfig("listen_addresses", "127.0.0.1")
        // PostgreSQL sizes its WAL buffers from shared_buffers: 4 MB at the default 128 MB. A campaign's start writes
        // about 370 MB of WAL in one statement (a million ledger rows) and fills them over and over; at 16 MB (what
        // PostgreSQL picks itself from 512 MB of shared_buffers) that statement took 3-5 % less time
        // (bench/campaign-audience.sh, BENCHMARKS.md session 13), for 12 MB more shared memory.
        .setServerConfig("wal_buffers", "16MB")
        // Stopped by this bean's close, after the pool and everything that still writes on shutdown. zonky's own
        // JVM hook would stop it while Spring's shutdown runs (the JVM runs hooks at once): closed connections
        // and failed writes in the log of every normal stop.
        .setRegisterShutdownHook(false)
        .start();
    try (Connection c = postgres.getPostgresDatabase().getConnection()) {
      boolean exists = c.createStatement()
          .executeQuery("select 1 from pg_database where datname = '" + EMBEDDED_DATABASE + "'").next();
      if (!exists) c.createStatement().execute("create database " + EMBEDDED_DATABASE);
    } catch (SQLException e) {
      postgres.close();
      throw new IllegalStateException("Embedded PostgreSQL started but the herald database could not be created", e);
    }
    return new EmbeddedDatabase(postgres);
  }

  @Bean(destroyMethod = "close")
  HikariDataSource dataSource(HeraldProperties properties, ObjectProvider<EmbeddedDatabase> embedded) {
    HeraldProperties.Db db = properties.db();
    HikariConfig config = new HikariConfig();
    config.setPoolName("herald");
    config.setMaximumPoolSize(db.poolSize());
    // How long a request waits for a connection: short enough that a lost database turns into quick
    // 503s and an unhealthy status rather than piled-up requests.
    config.setConnectionTimeout(db.connectionTimeout().toMillis());
    if (db.embedded()) {
      EmbeddedPostgres postgres = embedded.getObject().postgres();
      config.setJdbcUrl(postgres.getJdbcUrl("postgres", EMBEDDED_DATABASE));
      config.setUsername("postgres");
    } else {
      config.setJdbcUrl(db.url());
      if (!db.username().isBlank()) config.setUsername(db.username());
      if (!db.password().isBlank()) config.setPassword(db.password());
    }
    // Rule 1 of DESIGN.md: nothing is acknowledged before it is durable, whatever the server default is.
    config.setConnectionInitSql("set synchronous_commit = on");
    // Fail fast at start with a clear cause rather than serving errors later.
    config.setInitializationFailTimeout(30_000);
    return new HikariDataSource(config);
  }

  /** Holder so the embedded server's lifetime is a bean's: closed after the pool on shutdown. */
  record EmbeddedDatabase(EmbeddedPostgres postgres) implements AutoCloseable {
    static EmbeddedDatabase none() {
      return new EmbeddedDatabase(null);
    }

    @Override
    public void close() throws IOException {
      if (postgres != null) postgres.close();
    }
  }
}
