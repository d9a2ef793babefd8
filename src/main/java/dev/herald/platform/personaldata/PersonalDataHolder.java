package dev.herald.platform.personaldata;

import java.time.Instant;
import java.util.List;

/**
 * One capability's part of the personal-data map, and what it does for requests and retention. One bean per
 * capability; it declares every table the capability owns and touches only those.
 */
public interface PersonalDataHolder {
  /** The capability (module) name, as migrations say it in {@code -- module: <name>}: "audiences", "tracking", ... */
  String capability();

  /** Every table this capability owns, each with every text, varchar, jsonb and bytea column declared. */
  List<PersonalDataTable> tables();

  /**
   * Writes everything this capability holds about the person into the archive (access and portability): one
   * {@link PersonalDataArchive#section} per kind of item, with the columns the map lists as exported.
   */
  void export(DataSubject person, PersonalDataArchive archive);

  /**
   * Deletes or anonymizes everything this capability holds about the person, as its declarations say, inside the
   * caller's transaction. Aggregate counts may survive only without anything that identifies the person. Called for
   * every capability, the rightmost first (privacy, reports, feedback, tracking, campaigns, delivery, ...), so a
   * capability may still find its rows through subscriber ids the capabilities to its left have not deleted yet.
   *
   * @return rows deleted or anonymized, for the completion record (counts only, no personal data)
   */
  ErasureCount erase(DataSubject person);

  /**
   * Deletes or anonymizes at most {@code limit} rows of this retention category created before {@code cutoff}, for the
   * organization given, or for every organization whose own schedule is not shorter when {@code organizationId} is
   * null. Each call is one short transaction; the retention engine calls it again until it answers less than the
   * limit. A capability with nothing in the category answers 0.
   */
  default int purge(RetentionCategory category, Long organizationId, Instant cutoff, int limit) {
    return 0;
  }

  /** Rows deleted and rows anonymized by an erasure, per table. */
  record ErasureCount(java.util.Map<String, Integer> deleted, java.util.Map<String, Integer> anonymized) {
    public static ErasureCount none() {
      return new ErasureCount(java.util.Map.of(), java.util.Map.of());
    }
  }
}
