package dev.herald.audiences;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * The steps of a running import, in order, stored as their lower-case text in {@code import_step.step}.
 * Each covers a share of the progress bar ({@code from} to {@code to} percent), measured by
 * {@code bench/import.sh}: the merge is most of an import's time, so it is most of the bar.
 */
enum ImportStep {
  READING("Reading the file", 0, 40),
  CHECKING_DUPLICATES("Checking duplicates", 40, 45),
  SCREENING("Screening against suppressions and people who left", 45, 55),
  MERGING("Merging subscribers", 55, 80),
  WRITING_CONSENT("Writing subscriptions and consent", 80, 99);

  private final String label;
  final int from;
  final int to;

  ImportStep(String label, int from, int to) {
    this.label = label;
    this.from = from;
    this.to = to;
  }

  /** As stored and as the API shows it: {@code checking_duplicates}. */
  @JsonValue
  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** What the panel says, e.g. "Checking duplicates". */
  public String label() {
    return label;
  }

  public static ImportStep of(String text) {
    return valueOf(text.toUpperCase(Locale.ROOT));
  }
}
