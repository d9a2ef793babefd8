package dev.herald.feedback;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Runs {@link FeedbackParser} over a labelled bounce corpus (a maildir of .eml files and expected.json, as in
 * ../shared/corpora/bounces) and counts how often the class and the reason agree with the labels, per recipient in
 * the labels' order. The corpus labels only hard/soft: Herald's {@code block} (a sender-side refusal) counts as the
 * corpus's {@code soft}, which is what it is for the recipient (docs/bounce-classification.md). Used by
 * {@code BounceCorpusTest} (a floor) and {@code bench/bounces.sh} (the figures).
 */
final class BounceCorpus {
  /** One labelled recipient and what Herald said about it (null when Herald found fewer recipients). */
  record Row(String file, int index, String expectedClass, String expectedReason, FeedbackVerdict got) {
    String gotClass() {
      return got == null ? "(missing)" : corpusClass(got.feedbackClass());
    }

    String gotReason() {
      return got == null ? "(missing)" : got.reason().text();
    }

    boolean classRight() {
      return expectedClass.equals(gotClass());
    }

    boolean reasonRight() {
      return expectedReason.equals(gotReason());
    }
  }

  /** Herald's class in the corpus's vocabulary. */
  static String corpusClass(FeedbackClass c) {
    return switch (c) {
      case BLOCK, SOFT -> "soft";
      case AUTO_REPLY -> "autoreply";
      case AUTH_REPORT -> "auth-report";
      default -> c.text();
    };
  }

  static List<Row> evaluate(Path corpus) throws IOException {
    JsonNode expected = new ObjectMapper().readTree(Files.readString(corpus.resolve("expected.json")));
    List<Row> rows = new ArrayList<>();
    for (Map.Entry<String, JsonNode> file : expected.properties()) {
      byte[] raw = Files.readAllBytes(corpus.resolve("maildir").resolve(file.getKey()));
      List<FeedbackVerdict> got = FeedbackParser.parse(raw).recipients();
      for (JsonNode label : file.getValue()) rows.add(row(file.getKey(), label, got));
    }
    return rows;
  }

  /** One label of {@code file} beside what Herald said about the recipient it numbers. */
  static Row row(String file, JsonNode label, List<FeedbackVerdict> got) {
    int index = label.get("recipient_index").asInt();
    return new Row(file, index, label.get("esp_class").asString(), label.get("reason").asString(),
        index - 1 < got.size() ? got.get(index - 1) : null);
  }

  static double share(List<Row> rows, java.util.function.Predicate<Row> right) {
    return rows.isEmpty() ? 0 : rows.stream().filter(right).count() / (double) rows.size();
  }

  /** The figures as bench/bounces.sh prints them. */
  static String report(List<Row> rows, boolean listMistakes) {
    StringBuilder out = new StringBuilder();
    out.append(String.format("recipients %d, class accuracy %.1f%%, reason accuracy %.1f%%%n", rows.size(),
        100 * share(rows, Row::classRight), 100 * share(rows, Row::reasonRight)));
    Map<String, List<Row>> byClass = new TreeMap<>();
    for (Row r : rows) byClass.computeIfAbsent(r.expectedClass(), k -> new ArrayList<>()).add(r);
    out.append(String.format("%-12s %5s %8s %8s%n", "class", "n", "class%", "reason%"));
    for (var e : byClass.entrySet()) {
      out.append(String.format("%-12s %5d %7.1f%% %7.1f%%%n", e.getKey(), e.getValue().size(),
          100 * share(e.getValue(), Row::classRight), 100 * share(e.getValue(), Row::reasonRight)));
    }
    out.append("confusion (expected -> got: count)\n");
    Map<String, Integer> confusion = new TreeMap<>();
    for (Row r : rows) confusion.merge(r.expectedClass() + " -> " + r.gotClass(), 1, Integer::sum);
    confusion.forEach((k, v) -> out.append(String.format("  %-30s %d%n", k, v)));
    Map<String, Integer> herald = new TreeMap<>();
    for (Row r : rows) herald.merge(r.got() == null ? "(missing)" : r.got().feedbackClass().text(), 1, Integer::sum);
    out.append("Herald's classes: ").append(herald).append('\n');
    if (listMistakes) {
      out.append("mistakes (file #index: expected class/reason -> got class/reason)\n");
      for (Row r : rows) {
        if (r.classRight() && r.reasonRight()) continue;
        out.append(String.format("  %s #%d: %s/%s -> %s/%s%s%n", r.file(), r.index(), r.expectedClass(), r.expectedReason(),
            r.got() == null ? "(missing)" : r.got().feedbackClass().text(), r.gotReason(),
            r.got() == null ? "" : "  [" + r.got().status() + " " + r.got().replyCode() + "] " + abbreviate(r.got().diagnostic())));
      }
    }
    return out.toString();
  }

  private static String abbreviate(String s) {
    String one = s.replaceAll("\\s+", " ");
    return one.length() > 140 ? one.substring(0, 140) + "..." : one;
  }

  public static void main(String[] args) throws IOException {
    Path corpus = Path.of(args.length > 0 ? args[0] : "../shared/corpora/bounces");
    String option = args.length > 1 ? args[1] : "";
    if (option.equals("--groups")) {
      System.out.print(BounceGroups.report(BounceGroups.evaluate(corpus)));
      return;
    }
    System.out.print(report(evaluate(corpus), option.equals("--mistakes")));
  }
}
