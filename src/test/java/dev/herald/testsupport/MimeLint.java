package dev.herald.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The suite's MIME lint, for any test that holds a message's wire bytes (built, or captured at a sink): Python's
 * email package with {@code policy=strict} (Debian's {@code /usr/bin/python3}; Debian packages no MIME linter) plus
 * the wire rules it does not check itself: CRLF only, lines of at most 998 octets, no NUL, ASCII headers unless the
 * message goes with SMTPUTF8, 8-bit bytes only in parts declared 8bit, quoted-printable and base64 lines of at most 76
 * characters in their alphabets, one From/Date/Message-ID, MIME-Version 1.0, a charset on non-ASCII text, and
 * multipart/related's type naming its root. See {@code mime_lint.py} beside this class.
 *
 * <p>A message captured by smtp-sink has LF line ends and the sink's X- headers in front: give the bytes as they
 * went on the wire (the sink's dump with its own headers removed and LF made CRLF).
 */
public final class MimeLint {
  private static final Path PYTHON = Path.of("/usr/bin/python3");

  private MimeLint() {}

  /**
   * Fails the test, with what is wrong, unless the message passes; returns the lint's description of it (a line per
   * part: depth, content type, charset, transfer encoding, file name; then the decoded main headers).
   *
   * @param smtpUtf8 whether the message goes with SMTPUTF8 (RFC 6532 UTF-8 headers allowed)
   */
  public static String check(byte[] message, boolean smtpUtf8) {
    return checkAll(List.of(message), smtpUtf8);
  }

  /** {@link #check} for many messages in one Python run (a sink's whole capture, say). */
  public static String checkAll(List<byte[]> messages, boolean smtpUtf8) {
    if (!Files.isExecutable(PYTHON)) fail("/usr/bin/python3 is missing: run bin/install-test-tools");
    Path dir = null;
    try {
      dir = Files.createTempDirectory("herald-mime-lint");
      Path script = dir.resolve("mime_lint.py");
      try (InputStream in = MimeLint.class.getResourceAsStream("mime_lint.py")) {
        Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
      }
      List<String> command = new ArrayList<>(List.of(PYTHON.toString(), script.toString()));
      if (smtpUtf8) command.add("--utf8");
      for (int i = 0; i < messages.size(); i++) {
        command.add(Files.write(dir.resolve("message-" + i + ".eml"), messages.get(i)).toString());
      }
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(2, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        fail("the MIME lint did not finish within two minutes");
      }
      assertThat(process.exitValue()).as("MIME lint:\n%s", output).isZero();
      return output;
    } catch (IOException e) {
      throw new IllegalStateException("could not run the MIME lint", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      if (dir != null) deleteQuietly(dir);
    }
  }

  private static void deleteQuietly(Path dir) {
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) Files.deleteIfExists(f);
      Files.deleteIfExists(dir);
    } catch (IOException ignored) {
      // a temp directory left behind is harmless
    }
  }
}
