package dev.herald.testsupport;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Postfix's smtp-sink on a free loopback port, with the options of a test, capturing each message it accepts to a file
 * (bin/install-test-tools installs it, extracted from Debian's postfix package), and what it captured read back.
 *
 * <p>smtp-sink with {@code -d} writes one file per message it received in full, up to the final "." (it removes the file
 * of a transaction cut off before that, so a client killed in the middle of DATA leaves none; it keeps the file when its
 * fault injection then refuses or ignores the ".", as with {@code -f .}, {@code -q .}): its X-Client-Addr,
 * X-Client-Proto, X-Helo-Args, X-Mail-Args and X-Rcpt-Args lines, a three-line Received header, the message with LF
 * line ends, an empty line. {@link #messages} gives those files as they are; {@link #captured()} and {@link #sentTo}
 * give the envelope and the message as it went over the wire.
 */
public final class SmtpSink implements AutoCloseable {
  private final Process process;
  private final Path dumps;
  /** Where its running counters go when started with {@code -c}; {@code null} otherwise. */
  private final Path counters;
  public final InetSocketAddress address;

  private SmtpSink(Process process, Path dumps, InetSocketAddress address, Path counters) {
    this.process = process;
    this.dumps = dumps;
    this.address = address;
    this.counters = counters;
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
      try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
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
      Path counters = List.of(options).contains("-c") ? Files.createTempFile("smtp-sink", ".counters") : null;
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(counters == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(counters.toFile())).start();
      InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (process.isAlive() && System.nanoTime() < deadline) {
        try (Socket probe = new Socket()) {
          probe.connect(address, 200);
          return new SmtpSink(process, dumps, address, counters);
        } catch (IOException notYet) {
          Thread.sleep(20);
        }
      }
      process.destroyForcibly().waitFor(); // the port was taken meanwhile: try another
    }
    throw new IllegalStateException("smtp-sink did not start listening");
  }

  /**
   * For a {@code @DynamicPropertySource}: a sink capturing into a new temporary directory, made the destination of
   * every message ({@code herald.delivery.static-route}; the test sets {@code herald.delivery.route=static}). The test
   * closes it in its {@code @AfterAll}.
   */
  public static SmtpSink forStaticRoute(DynamicPropertyRegistry registry, String... options) throws Exception {
    SmtpSink sink = start(Files.createTempDirectory("herald-sink"), options);
    registry.add("herald.delivery.static-route", () -> "127.0.0.1:" + sink.address.getPort());
    return sink;
  }

  /**
   * A new directory for a sink's dumps under {@code parent} (a test's temporary directory, which JUnit makes for its
   * owner only): smtp-sink runs as nobody when the tests run as root, and must be able to reach it.
   */
  public static Path directory(Path parent, String name) throws IOException {
    Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwx--x--x"));
    return Files.createDirectories(parent.resolve(name));
  }

  /**
   * The messages it captured, each as smtp-sink writes them: its X- headers, the message with LF
   * line endings, an empty line. Waits up to 5 s for {@code expected} of them.
   */
  public List<String> messages(int expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      List<String> messages = new ArrayList<>();
      for (Path file : files()) {
        String dump = readIfStillThere(file, StandardCharsets.UTF_8);
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

  /**
   * One accepted message: its envelope (the MAIL FROM address, and its whole argument line with the parameters, such
   * as {@code <a@b.example> SIZE=123 ENVID=...}) and its bytes with CRLF line ends, as the client sent them.
   */
  public record Dump(Path file, String mailFrom, String mailArgs, List<String> recipients, byte[] wire) {
    /** The wire bytes as text, one char per byte (ISO-8859-1), for tests that look into the message. */
    public String text() {
      return new String(wire, StandardCharsets.ISO_8859_1);
    }
  }

  /** Every message it accepted so far, without waiting. */
  public List<Dump> captured() throws IOException {
    List<Dump> captured = new ArrayList<>();
    for (Path file : files()) {
      String text = readIfStillThere(file, StandardCharsets.ISO_8859_1);
      if (!text.isEmpty()) captured.add(parse(file, text));
    }
    return captured;
  }

  /** The messages accepted so far with {@code recipient} in the envelope. */
  public List<Dump> capturedFor(String recipient) throws IOException {
    return captured().stream().filter(d -> d.recipients().contains(recipient)).toList();
  }

  /** The messages accepted so far with {@code recipient} in the envelope, as they went over the wire (CRLF). */
  public List<String> sentTo(String recipient) throws IOException {
    return capturedFor(recipient).stream().map(Dump::text).toList();
  }

  /**
   * Messages accepted so far, give or take the transactions under way (smtp-sink creates a file at MAIL and removes it
   * when the transaction fails): for watching a send's progress, not for counting what arrived ({@link #captured()}).
   */
  public int count() {
    try (Stream<Path> files = Files.list(dumps)) {
      return (int) files.count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * SMTP sessions that have ended so far (QUIT or not), from smtp-sink's running counters: it must have been started
   * with {@code -c}, which writes {@code sess=N quit=N mesg=N} as sessions end and messages arrive. Without the probe
   * connection {@link #start} made to see it listening (smtp-sink counts that one too).
   */
  public int sessions() throws IOException {
    if (counters == null) throw new IllegalStateException("this sink was started without -c: it counts no sessions");
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("sess=(\\d+)").matcher(Files.readString(counters, StandardCharsets.ISO_8859_1));
    int last = 0;
    while (m.find()) last = Integer.parseInt(m.group(1));
    return Math.max(0, last - 1);
  }

  /**
   * Stops the sink's process (SIGSTOP) until {@link #thaw}: it answers nothing, so a transaction under way cannot
   * complete and a sender's claimed recipients stay claimed. The kill -9 tests freeze the sink around a kill so that
   * the killed node surely dies holding recipients in flight.
   */
  public void freeze() throws Exception {
    signal("-STOP");
  }

  /** Lets a {@link #freeze frozen} sink run again (SIGCONT). */
  public void thaw() throws Exception {
    signal("-CONT");
  }

  private void signal(String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) throw new IllegalStateException("kill " + signal + " of smtp-sink failed");
  }

  /** How many times each envelope recipient got a message. */
  public static Map<String, Integer> perRecipient(List<Dump> dumps) {
    Map<String, Integer> counts = new HashMap<>();
    for (Dump d : dumps) for (String r : d.recipients()) counts.merge(r, 1, Integer::sum);
    return counts;
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
    if (counters != null) Files.deleteIfExists(counters);
  }

  private List<Path> files() throws IOException {
    if (dumps == null) throw new IllegalStateException("this sink captures nothing (started without a directory)");
    try (Stream<Path> list = Files.list(dumps)) {
      return list.sorted().toList();
    }
  }

  /**
   * The file's text, or "" when smtp-sink removed it between the listing and the read: it creates a file at MAIL and
   * removes it when the transaction then fails (a refused or deferred recipient), so a listing can name a file that is
   * gone a moment later. Such a file never held an accepted message.
   */
  private static String readIfStillThere(Path file, Charset charset) throws IOException {
    try {
      return Files.readString(file, charset);
    } catch (NoSuchFileException removed) {
      return "";
    }
  }

  /** A dump file: smtp-sink's X- lines (the envelope), its Received header, the message with LF line ends, "\n". */
  static Dump parse(Path file, String text) {
    String mailArgs = null;
    List<String> recipients = new ArrayList<>();
    int at = 0;
    while (true) {
      int end = text.indexOf('\n', at);
      String line = text.substring(at, end);
      if (line.startsWith("Received: ")) break;
      if (line.startsWith("X-Mail-Args: ")) mailArgs = line.substring(13);
      if (line.startsWith("X-Rcpt-Args: ")) recipients.add(address(line.substring(13)));
      at = end + 1;
    }
    at = text.indexOf('\n', at) + 1; // Received: from ...
    while (text.charAt(at) == '\t') at = text.indexOf('\n', at) + 1; // its folded lines
    if (!text.endsWith("\n\n")) throw new IllegalStateException(file + " does not end as an smtp-sink dump");
    String message = text.substring(at, text.length() - 1).replace("\n", "\r\n");
    return new Dump(file, mailArgs == null ? null : address(mailArgs), mailArgs, List.copyOf(recipients),
        message.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** {@code <ann@example.com> NOTIFY=...} → {@code ann@example.com}. */
  private static String address(String args) {
    int close = args.indexOf('>');
    return args.startsWith("<") && close > 0 ? args.substring(1, close) : args.split(" ")[0];
  }

  /** The smtp-sink executable; smtp-source lies beside it. */
  public static String executable() {
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
