package dev.herald.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import dev.herald.HeraldApplication;

/**
 * The default mode: no database URL, Herald runs its own PostgreSQL in the data directory, durable,
 * and finds its data again after a restart.
 */
class EmbeddedDatabaseTest {
  @TempDir Path dataDir;

  private ConfigurableApplicationContext start() {
    SpringApplication app = new SpringApplication(HeraldApplication.class);
    // herald.db.url is set empty explicitly: the test JVM's FreshDatabase customizer does not apply here.
    return app.run("--herald.data-dir=" + dataDir, "--herald.db.url=", "--server.port=0");
  }

  @Test
  void embedded_postgres_is_durable_keeps_its_data_in_the_data_dir_and_survives_a_restart() {
    try (ConfigurableApplicationContext first = start()) {
      JdbcClient jdbc = first.getBean(JdbcClient.class);
      assertThat(jdbc.sql("show fsync").query(String.class).single()).isEqualTo("on");
      assertThat(jdbc.sql("show synchronous_commit").query(String.class).single()).isEqualTo("on");
      assertThat(jdbc.sql("show wal_buffers").query(String.class).single()).isEqualTo("16MB");
      assertThat(jdbc.sql("select current_database()").query(String.class).single()).isEqualTo("herald");
      jdbc.sql("insert into platform_setting (name, value) values ('restart_probe', 'kept')").update();
    }
    assertThat(Files.exists(dataDir.resolve("postgres/PG_VERSION"))).isTrue();
    try (ConfigurableApplicationContext second = start()) {
      JdbcClient jdbc = second.getBean(JdbcClient.class);
      assertThat(jdbc.sql("select value from platform_setting where name = 'restart_probe'").query(String.class).single())
          .isEqualTo("kept");
    }
  }
}
