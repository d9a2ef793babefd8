package dev.herald.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The labelled corpus of real bounces, complaints and auto-replies (../shared/corpora/bounces): floors under the
 * accuracy bench/bounces.sh prints, so that a rule change that loses ground fails here. The rules are written from
 * status codes, report structure and common phrases, not from these files (docs/bounce-classification.md).
 */
class BounceCorpusTest {
  /** ../shared beside the work tree; {@code -Dherald.shared=<dir>} names it where the tree is elsewhere (a git worktree). */
  static final Path CORPUS = Path.of(System.getProperty("herald.shared", "../shared")).resolve("corpora/bounces");

  @Test
  void class_and_reason_accuracy_stay_above_their_floors() throws Exception {
    assumeTrue(Files.isDirectory(CORPUS.resolve("maildir")), "the shared corpus is laid beside the work tree");
    List<BounceCorpus.Row> rows = BounceCorpus.evaluate(CORPUS);
    assertThat(rows).hasSizeGreaterThan(300);
    assertThat(BounceCorpus.share(rows, BounceCorpus.Row::classRight)).as(BounceCorpus.report(rows, false)).isGreaterThanOrEqualTo(0.955);
    assertThat(BounceCorpus.share(rows, BounceCorpus.Row::reasonRight)).as(BounceCorpus.report(rows, false)).isGreaterThanOrEqualTo(0.88);
    List<BounceCorpus.Row> hard = rows.stream().filter(r -> r.expectedClass().equals("hard")).toList();
    assertThat(BounceCorpus.share(hard, BounceCorpus.Row::classRight)).as("hard bounces found").isGreaterThanOrEqualTo(0.97);
  }

  @Test
  void no_soft_or_block_bounce_of_the_corpus_would_suppress_its_recipient_wrongly_often() throws Exception {
    assumeTrue(Files.isDirectory(CORPUS.resolve("maildir")), "the shared corpus is laid beside the work tree");
    List<BounceCorpus.Row> soft = BounceCorpus.evaluate(CORPUS).stream().filter(r -> r.expectedClass().equals("soft")).toList();
    long suppressed = soft.stream().filter(r -> r.got() != null && r.got().feedbackClass() == FeedbackClass.HARD).count();
    assertThat(suppressed / (double) soft.size()).as("soft bounces read as hard (a wrong suppression)").isLessThanOrEqualTo(0.06);
  }

  /**
   * The leave-one-group-out figures (BounceGroups): each source's bounces classified without the phrases only that
   * source matches. A floor under the pooled accuracy, so that rules written for one source's wording rather than
   * for a family of replies show up here as a gap between the two figures.
   */
  @Test
  void accuracy_holds_on_sources_whose_own_phrases_are_taken_out() throws Exception {
    assumeTrue(Files.isDirectory(CORPUS.resolve("maildir")), "the shared corpus is laid beside the work tree");
    List<BounceGroups.Result> results = BounceGroups.evaluate(CORPUS);
    double[] pooled = BounceGroups.pooledOut(results);
    assertThat(pooled[0]).as(BounceGroups.report(results)).isGreaterThanOrEqualTo(0.90);
    assertThat(pooled[1]).as(BounceGroups.report(results)).isGreaterThanOrEqualTo(0.70);
  }
}
