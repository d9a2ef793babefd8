package dev.herald.messages;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the Python scripts beside these tests with Debian's {@code /usr/bin/python3}, which sees Debian's
 * python3-dkim and python3-nacl (the pyenv python3 first on PATH does not). bin/install-test-tools installs
 * them, so a missing package fails the test instead of skipping it.
 */
public final class DebianPython {
  static final Path PYTHON = Path.of("/usr/bin/python3");

  private DebianPython() {}

  public record Run(int exit, String output) {}

  /** Runs a script from this package's test resources with the given arguments; at most two minutes. */
  public static Run run(String script, Path workDir, List<String> args) throws IOException, InterruptedException {
    if (!Files.isExecutable(PYTHON)) fail("/usr/bin/python3 is missing: run bin/install-test-tools");
    Path scriptFile = workDir.resolve(script);
    try (InputStream in = DebianPython.class.getResourceAsStream(script)) {
      Files.copy(in, scriptFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    List<String> command = new ArrayList<>(List.of(PYTHON.toString(), scriptFile.toString()));
    command.addAll(args);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = process.getInputStream().readAllBytes();
    if (!process.waitFor(2, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      fail(script + " did not finish within two minutes");
    }
    String output = new String(out, StandardCharsets.UTF_8);
    if (output.contains("ModuleNotFoundError")) fail("python3-dkim or python3-nacl is missing: run bin/install-test-tools\n" + output);
    return new Run(process.exitValue(), output);
  }
}
