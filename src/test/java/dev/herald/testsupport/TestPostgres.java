package dev.herald.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One PostgreSQL server per test JVM: embedded by default, or the external server named by
 * {@code HERALD_TEST_DB_URL} (a JDBC URL of a superuser's database, e.g.
 * jdbc:postgresql://localhost:55432/postgres?user=postgres), which CI uses to prove external mode.
 * Each test class gets a database of its own from {@link #newDatabase()}.
 */
public final class TestPostgres {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static String adminUrl;

  private TestPostgres() {}

  /** Creates an empty database and returns its JDBC URL (credentials included as parameters). */
  public static synchronized String newDatabase() {
    String admin = adminUrl();
    String name = "herald_test_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    try (Connection c = DriverManager.getConnection(admin)) {
      c.createStatement().execute("drop database if exists " + name);
      c.createStatement().execute("create database " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot create test database on " + admin, e);
    }
    return withDatabase(admin, name);
  }

  public static boolean external() {
    String url = System.getenv("HERALD_TEST_DB_URL");
    return url != null && !url.isBlank();
  }

  private static String adminUrl() {
    if (adminUrl != null) return adminUrl;
    if (external()) {
      adminUrl = System.getenv("HERALD_TEST_DB_URL");
    } else {
      try {
        EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
        adminUrl = pg.getJdbcUrl("postgres", "postgres");
        String url = adminUrl;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          // Shutdown hooks run concurrently: let the Spring contexts' hooks close their pools first, or
          // they block on a vanished server and the JVM does not exit.
          waitForClientsToLeave(url);
          try {
            pg.close();
          } catch (IOException ignored) {
            // the JVM is ending; the temporary cluster directory goes with it
          }
        }));
      } catch (IOException e) {
        throw new IllegalStateException("Cannot start embedded PostgreSQL for tests", e);
      }
    }
    return adminUrl;
  }

  private static void waitForClientsToLeave(String url) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    try (Connection c = DriverManager.getConnection(url)) {
      while (System.nanoTime() < deadline) {
        var rs = c.createStatement().executeQuery(
            "select count(*) from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()");
        rs.next();
        if (rs.getInt(1) == 0) return;
        Thread.sleep(100);
      }
    } catch (SQLException | InterruptedException ignored) {
      // best effort: the server is stopped next either way
    }
  }

  /** Swaps the database name in a jdbc:postgresql://host:port/db?params URL. */
  static String withDatabase(String url, String database) {
    int slash = url.indexOf('/', "jdbc:postgresql://".length());
    int query = url.indexOf('?', slash);
    return url.substring(0, slash + 1) + database + (query < 0 ? "" : url.substring(query));
  }
}
