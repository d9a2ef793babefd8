package dev.herald.messages;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.jar.JarFile;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.junit.jupiter.api.Test;

/** CVE-2025-7962 (SMTP command injection through UTF-8 CR/LF) is fixed in Angus Mail 2.0.4: never go below it. */
class AngusMailVersionTest {
  @Test
  void angus_mail_is_at_least_2_0_4() throws Exception {
    Path jar = Path.of(SMTPTransport.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    String version;
    try (JarFile file = new JarFile(jar.toFile())) {
      version = file.getManifest().getMainAttributes().getValue("Bundle-Version");
    }
    int[] parts = Arrays.stream(version.split("[.-]")).limit(3).mapToInt(Integer::parseInt).toArray();
    assertThat(Arrays.compare(parts, new int[] {2, 0, 4})).as("Angus Mail %s", version).isGreaterThanOrEqualTo(0);
  }
}
