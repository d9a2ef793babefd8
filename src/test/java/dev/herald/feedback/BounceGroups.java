package dev.herald.feedback;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Leave-one-group-out evaluation of the classifier's phrases: how well does it do on bounces from a source (a
 * reporting MTA or a provider) whose own phrasing no rule was written for? The rules are hand-written, not trained,
 * so "leaving a group out" means taking out every phrase that matches, in the whole corpus, only that group's texts
 * (a phrase only one source uses was, for all we can tell, written for it), then classifying that group again. Phrases
 * that match nothing in the corpus stay (they came from elsewhere: RFCs, Sisimai's and KumoMTA's lists). Groups are the
 * files' source (lhost-&lt;MTA&gt;, rhost-&lt;provider&gt;, rfc3464, arf...), with sources of one operator merged
 * ({@link #FAMILIES}), so that Gmail's words do not count as general because Google Workspace uses them too.
 *
 * <p>Only {@link ReplyClassifier}'s families of words are taken out; the report structure (RFC 3464 fields, status
 * codes, the SMTP command) and the parser's subject and sender patterns stay, as they are standards or generic.
 * {@code bench/bounces.sh [corpus] --groups} prints the table.
 */
final class BounceGroups {
  /** Sources run by one operator or one code base: one group. */
  static final Map<String, String> FAMILIES = Map.ofEntries(
      Map.entry("lhost-gmail", "google"), Map.entry("rhost-google", "google"), Map.entry("rhost-gsuite", "google"),
      Map.entry("lhost-googleworkspace", "google"), Map.entry("lhost-googlegroups", "google"),
      Map.entry("lhost-outlook", "microsoft"), Map.entry("lhost-office365", "microsoft"), Map.entry("rhost-microsoft", "microsoft"),
      Map.entry("rhost-outlook", "microsoft"), Map.entry("lhost-exchange2003", "microsoft"), Map.entry("lhost-exchange2007", "microsoft"),
      Map.entry("lhost-kddi", "kddi"), Map.entry("lhost-ezweb", "kddi"), Map.entry("rhost-kddi", "kddi"),
      Map.entry("lhost-yahoo", "yahoo"), Map.entry("rhost-aol", "yahoo"), Map.entry("lhost-verizon", "yahoo"),
      Map.entry("lhost-sendmail", "sendmail"), Map.entry("lhost-v5sendmail", "sendmail"),
      Map.entry("lhost-amazonses", "amazon"), Map.entry("lhost-amazonworkmail", "amazon"), Map.entry("lhost-receivingses", "amazon"),
      Map.entry("lhost-notes", "ibm-domino"), Map.entry("lhost-domino", "ibm-domino"));

  private static final Pattern NUMBERED = Pattern.compile("-\\d+\\.eml$");

  static String group(String file) {
    String source = NUMBERED.matcher(file).replaceFirst("");
    return FAMILIES.getOrDefault(source, source);
  }

  /** One group's accuracy with all phrases and with its own phrases taken out. */
  record Result(String group, int recipients, int ownPhrases, double classAll, double classOut, double reasonAll, double reasonOut,
      List<String> lost) {}

  static List<Result> evaluate(Path corpus) throws IOException {
    JsonNode expected = new ObjectMapper().readTree(Files.readString(corpus.resolve("expected.json")));
    Map<String, byte[]> messages = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> file : expected.properties()) {
      messages.put(file.getKey(), Files.readAllBytes(corpus.resolve("maildir").resolve(file.getKey())));
    }
    // Which groups' texts each phrase matches.
    List<ReplyClassifier.Rule> families = new ArrayList<>(ReplyClassifier.RULES);
    families.addAll(ReplyClassifier.WEAK_RULES);
    Map<String, Pattern> phrases = new LinkedHashMap<>();
    for (ReplyClassifier.Rule rule : families) {
      for (String phrase : rule.phrases()) phrases.putIfAbsent(phrase, Pattern.compile(phrase));
    }
    Map<String, Set<String>> groupsOf = new HashMap<>();
    for (var message : messages.entrySet()) {
      Set<String> texts = new HashSet<>();
      ReplyClassifier.Vocabulary recording = new ReplyClassifier.Vocabulary(ReplyClassifier.RULES, ReplyClassifier.WEAK_RULES, texts::add);
      ScopedValue.where(ReplyClassifier.VOCABULARY, recording).run(() -> FeedbackParser.parse(message.getValue()));
      String group = group(message.getKey());
      for (var phrase : phrases.entrySet()) {
        if (texts.stream().anyMatch(t -> phrase.getValue().matcher(t).find())) {
          groupsOf.computeIfAbsent(phrase.getKey(), k -> new TreeSet<>()).add(group);
        }
      }
    }

    Map<String, List<String>> filesOf = new TreeMap<>();
    for (String file : messages.keySet()) filesOf.computeIfAbsent(group(file), k -> new ArrayList<>()).add(file);
    List<Result> results = new ArrayList<>();
    for (var entry : filesOf.entrySet()) {
      String group = entry.getKey();
      Set<String> own = new HashSet<>();
      groupsOf.forEach((phrase, groups) -> {
        if (groups.equals(Set.of(group))) own.add(phrase);
      });
      ReplyClassifier.Vocabulary without = new ReplyClassifier.Vocabulary(
          ReplyClassifier.RULES.stream().map(r -> r.without(own)).filter(Objects::nonNull).toList(),
          ReplyClassifier.WEAK_RULES.stream().map(r -> r.without(own)).filter(Objects::nonNull).toList(), text -> {});
      List<BounceCorpus.Row> all = new ArrayList<>();
      List<BounceCorpus.Row> out = new ArrayList<>();
      List<String> lost = new ArrayList<>();
      for (String file : entry.getValue()) {
        byte[] raw = messages.get(file);
        List<FeedbackVerdict> got = FeedbackParser.parse(raw).recipients();
        List<FeedbackVerdict> gotOut = ScopedValue.where(ReplyClassifier.VOCABULARY, without).call(() -> FeedbackParser.parse(raw).recipients());
        for (JsonNode label : expected.get(file)) {
          all.add(BounceCorpus.row(file, label, got));
          out.add(BounceCorpus.row(file, label, gotOut));
          BounceCorpus.Row before = all.getLast();
          BounceCorpus.Row after = out.getLast();
          if (before.classRight() && !after.classRight()) {
            lost.add(file + " #" + after.index() + " " + before.gotClass() + "/" + before.gotReason() + " -> " + after.gotClass() + "/" + after.gotReason());
          }
        }
      }
      results.add(new Result(group, all.size(), own.size(), BounceCorpus.share(all, BounceCorpus.Row::classRight),
          BounceCorpus.share(out, BounceCorpus.Row::classRight), BounceCorpus.share(all, BounceCorpus.Row::reasonRight),
          BounceCorpus.share(out, BounceCorpus.Row::reasonRight), lost));
      if (System.getProperty("herald.bounces.own") != null && !lost.isEmpty()) System.err.println(group + " own phrases: " + own);
    }
    return results;
  }

  /** Accuracy over all recipients of the groups, weighted by their size: {class, reason} with own phrases out. */
  static double[] pooledOut(List<Result> results) {
    double n = results.stream().mapToInt(Result::recipients).sum();
    return new double[] {results.stream().mapToDouble(r -> r.classOut() * r.recipients()).sum() / n,
        results.stream().mapToDouble(r -> r.reasonOut() * r.recipients()).sum() / n};
  }

  static String report(List<Result> results) {
    StringBuilder out = new StringBuilder("leave-one-group-out: each group classified without the phrases only it matches\n");
    out.append(String.format("%-22s %4s %5s %9s %9s %9s %9s%n", "group", "n", "own", "class", "class-out", "reason", "reason-out"));
    for (Result r : results) {
      out.append(String.format("%-22s %4d %5d %8.1f%% %8.1f%% %8.1f%% %8.1f%%%s%n", r.group(), r.recipients(), r.ownPhrases(),
          100 * r.classAll(), 100 * r.classOut(), 100 * r.reasonAll(), 100 * r.reasonOut(), r.classOut() < r.classAll() ? "  <" : ""));
    }
    double n = results.stream().mapToInt(Result::recipients).sum();
    double classAll = results.stream().mapToDouble(r -> r.classAll() * r.recipients()).sum() / n;
    double reasonAll = results.stream().mapToDouble(r -> r.reasonAll() * r.recipients()).sum() / n;
    double[] pooled = pooledOut(results);
    out.append(String.format("%-22s %4d %5d %8.1f%% %8.1f%% %8.1f%% %8.1f%%%n", "all (pooled)", (int) n,
        results.stream().mapToInt(Result::ownPhrases).sum(), 100 * classAll, 100 * pooled[0], 100 * reasonAll, 100 * pooled[1]));
    for (Result r : results) {
      for (String line : r.lost()) out.append("  lost without its own phrases: ").append(line).append('\n');
    }
    long groupsHit = results.stream().filter(r -> r.classOut() < r.classAll()).count();
    out.append(String.format("groups that lose class accuracy without their own phrases: %d of %d%n", groupsHit, results.size()));
    return out.toString();
  }

  public static void main(String[] args) throws IOException {
    System.out.print(report(evaluate(Path.of(args.length > 0 ? args[0] : "../shared/corpora/bounces"))));
  }
}
