package dev.herald.messages;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * For other capabilities' tests: Debian's python3-dkim (the oracle of {@link DkimOracleTest}) verifying messages as a
 * receiver would, against the DKIM records a test names instead of DNS.
 */
public final class PythonDkim {
  private PythonDkim() {}

  /**
   * Verifies every DKIM-Signature of each message file (wire form, CRLF).
   *
   * @param records the TXT records to answer with: {@code selector._domainkey.domain} → {@code v=DKIM1; k=...; p=...}
   * @return per file, one verdict per signature in header order: {@code pass}, or {@code fail <reason>} (a file
   *     without a signature gets {@code fail no-signature})
   */
  public static Map<Path, List<String>> verify(Path workDir, Map<String, String> records, Collection<Path> files) throws Exception {
    Path keys = workDir.resolve("dkim-keys.tsv");
    Files.writeString(keys, records.entrySet().stream().map(e -> e.getKey() + "\t" + e.getValue() + "\n").collect(Collectors.joining()),
        StandardCharsets.US_ASCII);
    Path list = workDir.resolve("dkim-files.txt");
    Files.write(list, files.stream().map(Path::toString).toList(), StandardCharsets.UTF_8);
    DebianPython.Run run = DebianPython.run("dkim_verify.py", workDir, List.of(keys.toString(), "@" + list));
    assertThat(run.exit()).as(run.output()).isZero();
    Map<Path, List<String>> verdicts = new LinkedHashMap<>();
    for (Path file : files) verdicts.put(file, new ArrayList<>());
    for (String line : run.output().strip().split("\n")) {
      if (line.isBlank()) continue;
      String[] parts = line.split(" ", 3);
      verdicts.computeIfAbsent(Path.of(parts[0]), k -> new ArrayList<>()).add(parts[2]);
    }
    return verdicts;
  }
}
