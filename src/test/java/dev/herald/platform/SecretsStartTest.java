package dev.herald.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.HeraldApplication;
import dev.herald.testsupport.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Whole starts on one database: rotation at start, and a key problem reported like a bad setting. */
@ExtendWith(OutputCaptureExtension.class)
class SecretsStartTest {
  @TempDir Path dataDir;
  final String database = TestPostgres.newDatabase();

  ConfigurableApplicationContext start(String secretKeys) {
    SpringApplication app = new SpringApplication(HeraldApplication.class);
    // Started outside Spring's test context, so FreshDatabase does not apply: database and data dir are given here.
    return app.run("--herald.db.url=" + database, "--herald.data-dir=" + dataDir, "--herald.secret-keys=" + secretKeys,
        "--herald.db.pool-size=3", "--spring.session.jdbc.cleanup-cron=-", "--server.port=0");
  }

  /** What the operator reads: Spring Boot's failure report at the end of the log. */
  static String report(CapturedOutput output) {
    return output.getAll().substring(output.getAll().lastIndexOf("APPLICATION FAILED TO START"));
  }

  @Test
  void a_restart_with_a_new_first_key_re_encrypts_and_one_without_the_key_stops_naming_it(CapturedOutput output) {
    long stored;
    try (ConfigurableApplicationContext first = start(SecretsTest.A)) {
      first.getBean(Secrets.class).put("test:restart", "kept".getBytes(StandardCharsets.UTF_8));
      // Herald keeps secrets of its own too (e.g. suppression's erasure key, made at start): all of them move.
      stored = first.getBean(JdbcClient.class).sql("select count(*) from secret").query(Long.class).single();
    }
    assertThat(stored).isGreaterThanOrEqualTo(1);
    try (ConfigurableApplicationContext second = start(SecretsTest.B + "," + SecretsTest.A)) {
      assertThat(output.getOut()).contains("Re-encrypted " + stored + " secret(s) under the current master key 'key-b'");
      assertThat(second.getBean(JdbcClient.class).sql("select key_id from secret where name = 'test:restart'").query(String.class).single())
          .isEqualTo("key-b");
      assertThat(second.getBean(Secrets.class).get("test:restart")).hasValueSatisfying(v -> assertThat(v).asString().isEqualTo("kept"));
    }

    assertThatThrownBy(() -> start(SecretsTest.A)).isNotNull();
    assertThat(report(output)).contains("'key-b'").contains("HERALD_SECRET_KEYS").contains("Secrets and key rotation");
    assertThat(output.getAll()).doesNotContain(SecretsTest.A_KEY, SecretsTest.B_KEY);
  }

  @Test
  void a_broken_key_file_stops_the_start_naming_the_file(CapturedOutput output) throws Exception {
    Files.writeString(dataDir.resolve("secret.keys"), "key-a:" + ConfigurationValidationTest.SHORT_KEY + "\n");
    assertThatThrownBy(() -> start("")).isNotNull();
    assertThat(report(output)).contains(dataDir.resolve("secret.keys").toString()).contains("exactly 32 bytes")
        .doesNotContain(ConfigurationValidationTest.SHORT_KEY);
  }
}
