package dev.herald.platform.personaldata;

/**
 * A column holding personal data: its category, its retention category, and what an erasure does to it. A column
 * kept on erasure states the legal reason ({@code keptBecause}); the others leave it null. Access exports every
 * personal column unless {@code exported} is false (a secret, such as a password hash, which is described instead).
 */
public record PersonalDataColumn(String column, PersonalDataCategory category, RetentionCategory retention,
    ErasureTreatment onErasure, boolean exported, String keptBecause) {
  public PersonalDataColumn {
    if ((onErasure == ErasureTreatment.KEEP) != (keptBecause != null && !keptBecause.isBlank())) {
      throw new IllegalArgumentException(column + ": a column kept on erasure states why, and only such a column");
    }
  }

  public static PersonalDataColumn deleted(String column, PersonalDataCategory category, RetentionCategory retention) {
    return new PersonalDataColumn(column, category, retention, ErasureTreatment.DELETE, true, null);
  }

  public static PersonalDataColumn anonymized(String column, PersonalDataCategory category, RetentionCategory retention) {
    return new PersonalDataColumn(column, category, retention, ErasureTreatment.ANONYMIZE, true, null);
  }

  public static PersonalDataColumn kept(String column, PersonalDataCategory category, RetentionCategory retention, String because) {
    return new PersonalDataColumn(column, category, retention, ErasureTreatment.KEEP, true, because);
  }

  /** The same column, not written into access archives (described instead): secrets such as password hashes. */
  public PersonalDataColumn notExported() {
    return new PersonalDataColumn(column, category, retention, onErasure, false, keptBecause);
  }
}
