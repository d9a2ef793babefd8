package dev.herald.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.util.FileSystemUtils;

/** Temporary data directories for test contexts, deleted when the test JVM ends. */
public final class TestDataDirs {
  private static final List<Path> CREATED = new CopyOnWriteArrayList<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> CREATED.forEach(dir -> {
      try {
        FileSystemUtils.deleteRecursively(dir);
      } catch (IOException ignored) {
        // best effort: it is under the system's temporary directory
      }
    })));
  }

  private TestDataDirs() {}

  public static Path create() {
    try {
      Path dir = Files.createTempDirectory("herald-test-data-");
      CREATED.add(dir);
      return dir;
    } catch (IOException e) {
      throw new IllegalStateException("Cannot create a temporary data directory for a test", e);
    }
  }
}
