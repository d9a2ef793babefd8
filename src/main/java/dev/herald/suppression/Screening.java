package dev.herald.suppression;

import dev.herald.audiences.SuppressionScreen;
import dev.herald.platform.SqlFragment;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** Audiences' screening port: the suppression lists asked one address at a time, or as SQL for a whole import. */
@Component
class Screening implements SuppressionScreen {
  /** The texts of {@link #restriction} and {@link #restrictedSql}: what a skipped ledger row or failed recipient says. */
  static final String RESTRICTED = "processing restricted at the person's request";
  static final String OBJECTED = "the person objected to marketing";

  private final Suppressions suppressions;
  private final Restrictions restrictions;
  private final ErasureHash erasureHash;

  Screening(Suppressions suppressions, Restrictions restrictions, ErasureHash erasureHash) {
    this.suppressions = suppressions;
    this.restrictions = restrictions;
    this.erasureHash = erasureHash;
  }

  @Override
  public String rememberErased(long organizationId, String emailKey) {
    return suppressions.rememberErased(organizationId, emailKey);
  }

  @Override
  public Optional<String> refusal(long organizationId, String emailKey) {
    return suppressions.refusal(organizationId, emailKey);
  }

  @Override
  public Optional<String> installationRefusal(String emailKey) {
    return suppressions.checkInstallation(emailKey).stream().findFirst().map(Suppressions.Match::description);
  }

  @Override
  public boolean onlyWithdrawnByThePerson(long organizationId, String emailKey) {
    return suppressions.onlyWithdrawnByThePerson(organizationId, emailKey);
  }

  /**
   * Probes of {@code suppression_address_uq}, like the first two subqueries of {@link #refusalSql}: the keyed hash
   * (every erasure since erased entries are keyed) and the plain one (an erasure from before, which cannot be re-keyed
   * without the address it no longer holds).
   */
  @Override
  public String erasedRefusal() {
    return Suppressions.ERASED;
  }

  @Override
  public SqlFragment erasedSql(long organizationId, String alias, String prefix) {
    return fragment("""
        exists (select 1 from suppression sup_x
                 where coalesce(sup_x.organization_id, 0) in ($org, 0)
                   and (sup_x.address_hash = $keyed or sup_x.address_hash = sha256(convert_to($key, 'UTF8')))
                   and sup_x.reason = 'erased')""",
        organizationId, alias, prefix);
  }

  /**
   * {@link #refusalSql}'s lookups as {@code not exists}, which PostgreSQL turns into hash anti-joins: the entries of the
   * organization and the installation are read once into hashes, and each row costs a few lookups in memory.
   * An entry that holds its address is met by the address itself (a hash of text): V101's check keeps its
   * {@code address_hash} the SHA-256 of that same text, so this admits exactly the keys the hash lookups would. Only
   * entries kept as a hash alone (erased people) need a hash of every row, and HMAC-SHA256 plus SHA-256 of each of a
   * million addresses is about a second of a campaign's start (BENCHMARKS.md, session 13): those two anti-joins are
   * written only when such an entry exists for the organization or the installation, which is asked here, when the
   * fragment is made, in the caller's transaction. An erasure committed between that question and the caller's
   * statement is safe: it deletes the person's subscriber row in the same transaction, and a person added again later
   * went through the same screens at that add; the campaign hand-off screens every chunk again ({@link #refusalSql}).
   * The scalar subqueries of {@link #refusalSql} cannot become joins (they yield a value, and order by the reason),
   * so over a million rows they are index probes per row.
   */
  @Override
  public SqlFragment admittedSql(long organizationId, String alias, String prefix) {
    return admittedSql(organizationId, alias, prefix, suppressions.anyHashOnlyEntry(organizationId));
  }

  /** {@link #admittedSql} with the hash-only entries' anti-joins or without them (tests run both forms). */
  SqlFragment admittedSql(long organizationId, String alias, String prefix, boolean hashOnlyEntries) {
    String byHash = !hashOnlyEntries ? "" : """

        and not exists (select 1 from suppression sup_x
                         where coalesce(sup_x.organization_id, 0) in ($org, 0)
                           and sup_x.address is null
                           and sup_x.address_hash = sha256(convert_to($key, 'UTF8'))
                           and (sup_x.expires_at is null or sup_x.expires_at > now()))
        and not exists (select 1 from suppression sup_x
                         where coalesce(sup_x.organization_id, 0) in ($org, 0)
                           and sup_x.address is null
                           and sup_x.address_hash = $keyed)""";
    return fragment("""
        not exists (select 1 from suppression sup_x
                     where coalesce(sup_x.organization_id, 0) in ($org, 0)
                       and sup_x.address_hash is not null
                       and sup_x.address = $key
                       and (sup_x.expires_at is null or sup_x.expires_at > now()))%s
        and not exists (select 1 from suppression sup_x
                         where coalesce(sup_x.organization_id, 0) in ($org, 0)
                           and sup_x.domain = split_part($key, '@', -1)
                           and (sup_x.expires_at is null or sup_x.expires_at > now()))""".formatted(byHash),
        organizationId, alias, prefix);
  }

  /**
   * Three correlated scalar subqueries: an erased person's keyed hash, then the address (or an erasure from before
   * erased entries were keyed, under the plain hash), then the domain. Each is an index probe per row:
   * {@code coalesce(organization_id, 0) in (:org, 0)} and the hash or domain equality are exactly the columns of
   * {@code suppression_address_uq} and {@code suppression_domain_uq} (an equality on address_hash or domain implies the
   * indexes' "is not null" predicates), so a million-row import costs three index lookups per row (and three SHA-256s
   * of its key), never a scan of the lists. The order inside each subquery and the texts are those of {@link Suppressions#check}.
   */
  @Override
  public SqlFragment refusalSql(long organizationId, String alias, String prefix) {
    return fragment("""
        coalesce(
          (select '$erased' from suppression sup_x
            where coalesce(sup_x.organization_id, 0) in ($org, 0) and sup_x.address_hash = $keyed limit 1),
          (select case when sup_x.reason = 'erased' then '$erased'
                  else case when sup_x.organization_id is null then 'suppressed for the whole installation ('
                            else 'suppressed in this organization (' end || replace(sup_x.reason, '_', ' ') || ')' end
             from suppression sup_x
            where coalesce(sup_x.organization_id, 0) in ($org, 0)
              and sup_x.address_hash = sha256(convert_to($key, 'UTF8'))
              and (sup_x.expires_at is null or sup_x.expires_at > now())
            order by sup_x.reason = 'erased' desc, sup_x.organization_id nulls last limit 1),
          (select case when sup_x.organization_id is null then 'suppressed for the whole installation (domain '
                       else 'suppressed in this organization (domain ' end || sup_x.domain || ')'
             from suppression sup_x
            where coalesce(sup_x.organization_id, 0) in ($org, 0)
              and sup_x.domain = split_part($key, '@', -1)
              and (sup_x.expires_at is null or sup_x.expires_at > now())
            order by sup_x.organization_id nulls last limit 1))""".replace("$erased", Suppressions.ERASED.replace("'", "''")),
        organizationId, alias, prefix);
  }

  @Override
  public Optional<String> restriction(long organizationId, String emailKey, boolean marketing) {
    return restrictions.of(organizationId, emailKey)
        .filter(kind -> marketing || kind.stopsAllMail())
        .map(kind -> kind.stopsAllMail() ? RESTRICTED : OBJECTED);
  }

  /** One probe of the unique index (organization_id, address_key, kind); a restriction outranks an objection. */
  @Override
  public SqlFragment restrictedSql(long organizationId, String alias, String prefix, boolean marketing) {
    return fragment("""
        (select case when sup_x.kind = 'restriction' then '%s' else '%s' end
           from suppression_restriction sup_x
          where sup_x.organization_id = $org and sup_x.address_key = $key and sup_x.kind in (%s)
          order by sup_x.kind = 'restriction' desc limit 1)""".formatted(RESTRICTED.replace("'", "''"), OBJECTED, kinds(marketing)),
        organizationId, alias, prefix);
  }

  /** An anti-join, like {@link #admittedSql}: the organization's restrictions are read once into a hash. */
  @Override
  public SqlFragment unrestrictedSql(long organizationId, String alias, String prefix, boolean marketing) {
    return fragment("""
        not exists (select 1 from suppression_restriction sup_x
                     where sup_x.organization_id = $org and sup_x.address_key = $key and sup_x.kind in (%s))""".formatted(kinds(marketing)),
        organizationId, alias, prefix);
  }

  /** The kinds that stop this mail, as SQL literals (constants, never a caller's text). */
  private static String kinds(boolean marketing) {
    return marketing ? "'restriction', 'objection'" : "'restriction'";
  }

  /**
   * The text with the organization bound under the caller's prefix, the caller's row's key column, and the keyed hash of
   * that key ({@link ErasureHash#sql}, its padded keys bound under the prefix too). The alias {@code sup_x} is unusual
   * on purpose: the caller's column is read inside the subqueries, where a caller's alias of the same name would be
   * captured.
   */
  private SqlFragment fragment(String sql, long organizationId, String alias, String prefix) {
    if (alias.equals("sup_x")) throw new IllegalArgumentException("sup_x is the screen's own alias; name the row otherwise.");
    String org = SqlFragment.checkPrefix(prefix) + "org";
    String key = alias + ".email_key";
    Map<String, Object> params = new java.util.HashMap<>(Map.of(org, organizationId));
    if (sql.contains("$keyed")) {
      params.put(prefix + "erasure_ipad", erasureHash.innerPad());
      params.put(prefix + "erasure_opad", erasureHash.outerPad());
    }
    return new SqlFragment(sql.replace("$org", ":" + org).replace("$keyed", ErasureHash.sql(key, prefix + "erasure_")).replace("$key", key),
        params, alias);
  }
}
