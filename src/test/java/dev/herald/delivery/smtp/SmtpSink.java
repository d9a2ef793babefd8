package dev.herald.delivery.smtp;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Postfix's smtp-sink on a free loopback port, with the options of a test, capturing each message
 * it accepts to a file. bin/install-test-tools installs it (extracted from Debian's postfix package).
 */
public final class SmtpSink implements AutoCloseable {
  private final Process process;
  private final Path dumps;
  public final InetSocketAddress address;

  private SmtpSink(Process process, Path dumps, InetSocketAddress address) {
    this.process = process;
    this.dumps = dumps;
    this.address = address;
  }

  /**
   * Starts smtp-sink with these options (see smtp-sink(1)) and waits until it listens.
   *
   * @param dumps where it captures messages, or {@code null} to capture none (benchmarks)
   */
  public static SmtpSink start(Path dumps, String... options) throws Exception {
    String executable = executable();
    if (dumps != null) {
      Files.setPosixFilePermissions(dumps, PosixFilePermissions.fromString("rwxrwxrwx")); // it runs as nobody
    }
    for (int attempt = 0; attempt < 5; attempt++) {
      int port;
      try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        port = probe.getLocalPort();
      }
      List<String> command = new ArrayList<>(List.of(executable));
      if ("root".equals(System.getProperty("user.name"))) {
        command.addAll(List.of("-u", "nobody")); // smtp-sink refuses to run as root
      }
      if (dumps != null) {
        command.addAll(List.of("-d", dumps + "/m."));
      }
      command.addAll(List.of(options));
      command.addAll(List.of("127.0.0.1:" + port, "64"));
      Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (process.isAlive() && System.nanoTime() < deadline) {
        try (Socket probe = new Socket()) {
          probe.connect(address, 200);
          return new SmtpSink(process, dumps, address);
        } catch (IOException notYet) {
          Thread.sleep(20);
        }
      }
      process.destroyForcibly().waitFor(); // the port was taken meanwhile: try another
    }
    throw new IllegalStateException("smtp-sink did not start listening");
  }

  /**
   * The messages it captured, each as smtp-sink writes them: its X- headers, the message with LF
   * line endings, an empty line. Waits up to 5 s for {@code expected} of them.
   */
  public List<String> messages(int expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      List<Path> files;
      try (Stream<Path> list = Files.list(dumps)) {
        files = list.sorted().toList();
      }
      List<String> messages = new ArrayList<>();
      for (Path file : files) {
        String dump = Files.readString(file, StandardCharsets.UTF_8);
        if (!dump.isEmpty()) { // the file is opened at MAIL, and stays empty when no message follows
          messages.add(dump);
        }
      }
      if (messages.size() >= expected || System.nanoTime() > deadline) {
        return messages;
      }
      Thread.sleep(20);
    }
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  static String executable() {
    for (String candidate : new String[] {"/usr/local/bin/smtp-sink", "/usr/sbin/smtp-sink"}) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "smtp-sink"))) {
        return Path.of(dir, "smtp-sink").toString();
      }
    }
    return fail("smtp-sink is missing: the SMTP client's tests need Postfix's smtp-sink. Run bin/install-test-tools to install it.");
  }
}
