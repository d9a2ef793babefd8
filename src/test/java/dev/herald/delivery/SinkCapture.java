package dev.herald.delivery;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What an smtp-sink started with {@code -d} captured: one file per message it received in full, up to the final "."
 * (it removes the file of a transaction cut off before that, so a client killed in the middle of DATA leaves none; it
 * keeps the file when its fault injection then refuses or ignores the ".", as with {@code -f .}, {@code -q .}), read
 * back into the envelope and the message as it went over the wire.
 */
public final class SinkCapture {
  private final Path dumps;

  public SinkCapture(Path dumps) {
    this.dumps = dumps;
  }

  /**
   * A new directory for a sink's dumps under {@code parent} (a test's temporary directory, which JUnit makes for its
   * owner only): smtp-sink runs as nobody when the tests run as root, and must be able to reach it.
   */
  public static Path directory(Path parent, String name) throws IOException {
    Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwx--x--x"));
    return Files.createDirectories(parent.resolve(name));
  }

  /** One accepted message: its envelope and its bytes with CRLF line ends, as the client sent them. */
  public record Dump(Path file, String mailFrom, List<String> recipients, byte[] wire) {}

  /**
   * Messages accepted so far, give or take the transactions under way (smtp-sink creates a file at MAIL and removes it
   * when the transaction fails): for watching a send's progress, not for counting what arrived ({@link #read()}).
   */
  public int count() throws IOException {
    try (Stream<Path> files = Files.list(dumps)) {
      return (int) files.count();
    }
  }

  public List<Dump> read() throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(dumps)) {
      files = list.sorted().toList();
    }
    List<Dump> dumps = new ArrayList<>();
    for (Path file : files) {
      String text = Files.readString(file, StandardCharsets.ISO_8859_1);
      if (!text.isEmpty()) dumps.add(parse(file, text));
    }
    return dumps;
  }

  /** How many times each envelope recipient got a message. */
  public static Map<String, Integer> perRecipient(List<Dump> dumps) {
    Map<String, Integer> counts = new HashMap<>();
    for (Dump d : dumps) for (String r : d.recipients()) counts.merge(r, 1, Integer::sum);
    return counts;
  }

  /**
   * smtp-sink's dump: its X-Client-Addr, X-Client-Proto, X-Helo-Args, X-Mail-Args and X-Rcpt-Args lines, a three-line
   * Received header, the message with LF line ends, an empty line.
   */
  static Dump parse(Path file, String text) {
    String mailFrom = null;
    List<String> recipients = new ArrayList<>();
    int at = 0;
    while (true) {
      int end = text.indexOf('\n', at);
      String line = text.substring(at, end);
      if (line.startsWith("Received: ")) break;
      if (line.startsWith("X-Mail-Args: ")) mailFrom = address(line.substring(13));
      if (line.startsWith("X-Rcpt-Args: ")) recipients.add(address(line.substring(13)));
      at = end + 1;
    }
    at = text.indexOf('\n', at) + 1; // Received: from ...
    while (text.charAt(at) == '\t') at = text.indexOf('\n', at) + 1; // its folded lines
    if (!text.endsWith("\n\n")) throw new IllegalStateException(file + " does not end as an smtp-sink dump");
    String message = text.substring(at, text.length() - 1).replace("\n", "\r\n");
    return new Dump(file, mailFrom, List.copyOf(recipients), message.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** {@code <ann@example.com> NOTIFY=...} → {@code ann@example.com}. */
  private static String address(String args) {
    int close = args.indexOf('>');
    return args.startsWith("<") && close > 0 ? args.substring(1, close) : args.split(" ")[0];
  }
}
