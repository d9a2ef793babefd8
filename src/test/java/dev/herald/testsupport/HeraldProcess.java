package dev.herald.testsupport;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Herald as a separate operating-system process, for tests of what a node's death does: started from the test run's
 * own classpath (the compiled main classes and their dependencies, without the test classes, whose test components
 * Herald's component scan would otherwise pick up), with {@code herald.*} settings as command-line arguments, its
 * output in a log file. {@link #kill()} is {@code kill -9}: no shutdown hook, no graceful release of anything.
 */
public final class HeraldProcess implements AutoCloseable {
  private static final String HOST = ManagementFactory.getRuntimeMXBean().getName().replaceFirst("^\\d+@", "");

  private final String name;
  private final Process process;
  private final Path log;

  private HeraldProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts a node; returns at once (see {@link #awaitStarted()}).
   *
   * @param dir      where its log and data directory go
   * @param settings Spring properties ({@code herald.db.url} and the like), given as {@code --key=value}
   * @param env      environment variables, for what must not show in a process list ({@code HERALD_SECRET_KEYS})
   */
  public static HeraldProcess start(String name, Path dir, Map<String, String> settings, Map<String, String> env) throws IOException {
    Path data = Files.createDirectories(dir.resolve(name + "-data"));
    Path log = dir.resolve(name + ".log");
    List<String> command = new ArrayList<>(List.of(java(), "-Xmx384m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "--enable-native-access=ALL-UNNAMED",
        "-cp", mainClasspath(), "dev.herald.HeraldApplication",
        "--server.port=0", "--herald.data-dir=" + data,
        // the session clean-up would only race the kills
        "--spring.session.jdbc.cleanup-cron=-"));
    settings.forEach((key, value) -> command.add("--" + key + "=" + value));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    return new HeraldProcess(name, builder.start(), log);
  }

  /** Waits (at most 5 minutes: a loaded machine) until Spring Boot says the node started; fails with its log if it stopped instead. */
  public HeraldProcess awaitStarted() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (System.nanoTime() < deadline) {
      if (log().contains("Started HeraldApplication")) return this;
      if (!process.isAlive()) fail(name + " stopped while starting (exit " + process.exitValue() + "):\n" + tail(80));
      Thread.sleep(50);
    }
    return fail(name + " did not start within 5 minutes:\n" + tail(80));
  }

  /** {@code kill -9}, and waits until the process is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly(); // SIGKILL on Linux
    if (!process.waitFor(30, TimeUnit.SECONDS)) fail(name + " survived kill -9 for 30 s");
  }

  public boolean alive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /** Its name in lease_owner columns ({@code Leases.thisNode()}: host and process id). */
  public String node() {
    return HOST + ":" + process.pid();
  }

  public String name() {
    return name;
  }

  public String log() throws IOException {
    return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
  }

  /** The last lines of its log, for failure messages. */
  public String tail(int lines) {
    try {
      List<String> all = Arrays.asList(log().split("\n"));
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /** Stops it the hard way if it still runs: a test never leaves a node behind. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) kill();
  }

  private static String java() {
    return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  /** This test run's classpath without test classes: Herald as the build made it, with its dependencies. */
  static String mainClasspath() {
    String classpath = System.getProperty("java.class.path");
    String main = Arrays.stream(classpath.split(File.pathSeparator))
        .filter(entry -> !entry.endsWith("test-classes") && !entry.endsWith("test-classes" + File.separator))
        .collect(Collectors.joining(File.pathSeparator));
    if (!main.contains("classes")) fail("No main classes on the test classpath: " + classpath);
    return main;
  }
}
