package dev.herald.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** Without HERALD_SECRET_KEYS, a single node keeps its master key in <data-dir>/secret.keys. */
@ExtendWith(OutputCaptureExtension.class)
class SecretsKeyFileTest {
  @TempDir Path dataDir;

  Path file() {
    return dataDir.resolve("secret.keys");
  }

  /** The key entries of the file (its comment lines left out). */
  List<String> entries() throws Exception {
    return Files.readAllLines(file()).stream().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
  }

  @Test
  void the_first_start_creates_the_key_file_for_its_owner_only_and_the_next_start_reuses_it(CapturedOutput output) throws Exception {
    KeyRing first = SecretKeysConfiguration.load("", dataDir.resolve("new"));
    Files.move(dataDir.resolve("new/secret.keys"), file());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file()))).isEqualTo("rw-------");
    assertThat(entries()).hasSize(1);
    String entry = entries().getFirst();
    assertThat(entry).startsWith(first.currentId() + ":");
    byte[] before = Files.readAllBytes(file());

    KeyRing second = SecretKeysConfiguration.load("", dataDir);
    assertThat(second.currentId()).isEqualTo(first.currentId());
    assertThat(Files.readAllBytes(file())).isEqualTo(before);
    KeyRing.Sealed sealed = first.seal("test:file", "kept".getBytes(StandardCharsets.UTF_8));
    assertThat(second.open("test:file", sealed.keyId(), sealed.ciphertext())).asString(StandardCharsets.UTF_8).isEqualTo("kept");

    String key = entry.substring(entry.indexOf(':') + 1);
    assertThat(output.getAll()).contains("Created the key file").contains("secret.keys (used because HERALD_SECRET_KEYS is not set)")
        .doesNotContain(key);
  }

  @Test
  void the_setting_wins_over_the_key_file_and_no_file_is_created(CapturedOutput output) throws Exception {
    KeyRing ring = SecretKeysConfiguration.load(SecretsTest.B + "," + SecretsTest.A, dataDir);
    assertThat(ring.currentId()).isEqualTo("key-b");
    assertThat(file()).doesNotExist();
    assertThat(output.getAll()).contains("master key 'key-b' from HERALD_SECRET_KEYS (2 key(s) in the ring)")
        .doesNotContain(SecretsTest.A_KEY, SecretsTest.B_KEY);
  }

  @Test
  void a_key_file_of_several_lines_with_comments_is_read_in_order() throws Exception {
    Files.writeString(file(), "# rotated in May\n" + SecretsTest.B + "\n\n" + SecretsTest.A + "\n");
    KeyRing ring = SecretKeysConfiguration.load("", dataDir);
    assertThat(ring.currentId()).isEqualTo("key-b");
    assertThat(ring.has("key-a")).isTrue();
  }

  @Test
  void a_broken_key_file_stops_the_start_naming_the_file_and_the_entry_but_not_the_key(CapturedOutput output) throws Exception {
    Files.writeString(file(), SecretsTest.A + "\nkey-b:ccqL2bwgylD0aTZNN+tfYg==\n");
    assertThatThrownBy(() -> SecretKeysConfiguration.load("", dataDir))
        .hasMessageContaining(file().toString()).hasMessageContaining("exactly 32 bytes").hasMessageContaining("(entry 2)")
        .hasMessageNotContaining("ccqL2bwgylD0aTZNN").hasMessageNotContaining(SecretsTest.A_KEY);

    Files.writeString(file(), "# nothing yet\n");
    assertThatThrownBy(() -> SecretKeysConfiguration.load("", dataDir)).hasMessageContaining("holds no key");
  }

  @Test
  void a_key_file_others_may_read_is_reported(CapturedOutput output) throws Exception {
    Files.writeString(file(), SecretsTest.A + "\n");
    Files.setPosixFilePermissions(file(), PosixFilePermissions.fromString("rw-r--r--"));
    SecretKeysConfiguration.load("", dataDir);
    assertThat(output.getAll()).contains("can be read by other users than its owner (rw-r--r--): chmod 600 it");
  }
}
