/**
 * The personal-data map (issue 13): how a capability declares, in one class it owns, every table and column
 * that holds personal data, whose it is, its category and retention, and how access, erasure and retention
 * treat it; and the operations a data-subject request or the retention engine asks of it.
 *
 * <p>Each capability provides one Spring bean implementing {@link PersonalDataHolder} (for example
 * {@code audiences.AudiencesPersonalData}) that declares <em>every</em> table it owns (tables without personal data are
 * declared too, with {@link PersonalDataTable#none}), runs its own SQL for export, erasure and purges, and names no
 * other capability's table. The {@code privacy} capability collects the beans: the map-coverage test compares them to
 * the migrated schema, the record of processing activities is drawn from them, and requests and retention run through
 * them. It lives in platform, the capability everyone may use, so that every capability can join it without depending
 * on {@code privacy} (which would make a cycle: privacy reads everyone).
 */
@org.springframework.modulith.NamedInterface("personaldata")
package dev.herald.platform.personaldata;
