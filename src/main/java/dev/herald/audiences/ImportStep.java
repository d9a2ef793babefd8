package dev.herald.audiences;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;
import java.util.Locale;

/**
 * The steps of a running import, in order, stored as their lower-case text in {@code import_step.step}.
 * Each covers a share of the progress bar ({@code from} to {@code to} percent), as {@code bench/import.sh}
 * measured them (2026-12-06, 300,000 rows: reading about 30 % of the time, duplicates 1–4 %, screening 5–19 %,
 * merging 20–30 %, subscriptions and consent 10–45 %): the merge is most of an import, so it is most of the bar.
 */
enum ImportStep implements TextEnum {
  READING("Reading the file", 0, 30),
  CHECKING_DUPLICATES("Checking duplicates", 30, 33),
  SCREENING("Screening against suppressions and people who left", 33, 43),
  MERGING("Merging subscribers", 43, 68),
  WRITING_CONSENT("Writing subscriptions and consent", 68, 99);

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
  @Override
  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return text();
  }

  /** What the panel says, e.g. "Checking duplicates". */
  public String label() {
    return label;
  }

  /** Where the step is among all of them, for the panel: "Step 4 of 5". */
  public String position() {
    return "Step " + (ordinal() + 1) + " of " + values().length;
  }
}
