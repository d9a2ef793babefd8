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
  static final Path CORPUS = Path.of("../shared/corpora/bounces");

  @Test
  void class_and_reason_accuracy_stay_above_their_floors() throws Exception {
    assumeTrue(Files.isDirectory(CORPUS.resolve("maildir")), "the shared corpus is laid beside the work tree");
    List<BounceCorpus.Row> rows = BounceCorpus.evaluate(CORPUS);
    assertThat(rows).hasSizeGreaterThan(300);
    assertThat(BounceCorpus.share(rows, BounceCorpus.Row::classRight)).as(BounceCorpus.report(rows, false)).isGreaterThanOrEqualTo(0.95);
    assertThat(BounceCorpus.share(rows, BounceCorpus.Row::reasonRight)).as(BounceCorpus.report(rows, false)).isGreaterThanOrEqualTo(0.82);
    List<BounceCorpus.Row> hard = rows.stream().filter(r -> r.expectedClass().equals("hard")).toList();
    assertThat(BounceCorpus.share(hard, BounceCorpus.Row::classRight)).as("hard bounces found").isGreaterThanOrEqualTo(0.95);
  }

  @Test
  void no_soft_or_block_bounce_of_the_corpus_would_suppress_its_recipient_wrongly_often() throws Exception {
    assumeTrue(Files.isDirectory(CORPUS.resolve("maildir")), "the shared corpus is laid beside the work tree");
    List<BounceCorpus.Row> soft = BounceCorpus.evaluate(CORPUS).stream().filter(r -> r.expectedClass().equals("soft")).toList();
    long suppressed = soft.stream().filter(r -> r.got() != null && r.got().feedbackClass() == FeedbackClass.HARD).count();
    assertThat(suppressed / (double) soft.size()).as("soft bounces read as hard (a wrong suppression)").isLessThanOrEqualTo(0.07);
  }
}
