package dev.herald.suppression;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.audiences.SuppressionScreen;
import dev.herald.mail.AddressDigest;
import dev.herald.mail.EmailAddress;
import dev.herald.platform.TextEnum;
import dev.herald.tenancy.TestOrganizations;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.event.ApplicationEvents;
import org.springframework.test.context.event.RecordApplicationEvents;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Audiences' screening port, one address at a time and as SQL over a whole table of keys (the two must
 * agree), the plan of that SQL, and what an erasure keeps (a keyed hash).
 */
@SpringBootTest
@RecordApplicationEvents
@Import(TestOrganizations.class)
class SuppressionScreenTest {
  @Autowired SuppressionScreen screen;
  @Autowired Suppressions suppressions;
  @Autowired TestOrganizations organizations;
  @Autowired JdbcClient jdbc;
  @Autowired TransactionTemplate tx;
  @Autowired ApplicationEvents events;
  @Autowired ErasureHash erasureHash;
  @Autowired Screening screening;
  @Autowired dev.herald.platform.Secrets secrets;

  long acme, other;
  static int counter;

  @BeforeEach
  void organizations() {
    acme = organizations.create("Screen Acme " + (++counter), "suppressions:read").id();
    other = organizations.create("Screen Other " + counter, "suppressions:read").id();
  }

  static String key(String email) {
    return ((EmailAddress.Valid) EmailAddress.parse(email)).address().key();
  }

  void add(Long org, String address, String domain, String reason) {
    suppressions.add(org, new Suppressions.NewEntry(address, domain, TextEnum.parse(SuppressionReason.class, "reason", reason), null, null), "test");
  }

  void erase(long org, String email) {
    tx.executeWithoutResult(status -> screen.rememberErased(org, key(email)));
  }

  /** An erasure from before erased entries were keyed: the plain SHA-256 of the key, which cannot be re-keyed. */
  void eraseUnkeyed(long org, String email) {
    jdbc.sql("insert into suppression (organization_id, address_hash, reason, source) values (?, ?, 'erased', 'erasure')")
        .params(org, AddressDigest.of(key(email))).update();
  }

  /** refusalSql() as an import would run it: one SELECT over a table of keys. */
  Map<String, Optional<String>> refusalsBySql(long org, List<String> keys) {
    String values = keys.stream().map(k -> "('" + k.replace("'", "''") + "')").collect(Collectors.joining(", "));
    Map<String, Optional<String>> out = new LinkedHashMap<>();
    dev.herald.platform.SqlFragment refusal = screen.refusalSql(org, "v", "screen_");
    jdbc.sql("select v.email_key, " + refusal.sqlOver("v") + " as refusal from (values " + values + ") v(email_key)")
        .params(refusal.params())
        .query((org.springframework.jdbc.core.RowCallbackHandler) rs -> {
          out.put(rs.getString("email_key"), Optional.ofNullable(rs.getString("refusal")));
        });
    return out;
  }

  /** The keys admittedSql() lets through, as a campaign's audience runs it: a WHERE over a table of keys. */
  List<String> admittedBySql(long org, List<String> keys) {
    return admittedBySql(screen.admittedSql(org, "v", "screen_"), keys);
  }

  List<String> admittedBySql(dev.herald.platform.SqlFragment admitted, List<String> keys) {
    String values = keys.stream().map(k -> "('" + k.replace("'", "''") + "')").collect(Collectors.joining(", "));
    return jdbc.sql("select v.email_key from (values " + values + ") v(email_key) where " + admitted.sqlOver("v"))
        .params(admitted.params()).query(String.class).list();
  }

  /** The keys nothing refuses, by the expected refusals. */
  static List<String> unrefused(Map<String, Optional<String>> refusals) {
    return refusals.entrySet().stream().filter(e -> e.getValue().isEmpty()).map(Map.Entry::getKey).toList();
  }

  Map<String, Optional<String>> refusalsOneByOne(long org, List<String> keys) {
    Map<String, Optional<String>> out = new LinkedHashMap<>();
    for (String k : keys) out.put(k, screen.refusal(org, k));
    return out;
  }

  @Test
  void addresses_domains_installation_entries_and_erased_hashes_refuse_and_the_sql_says_the_same() {
    add(acme, "Ann@Example.com", null, "complaint");
    add(acme, null, "blocked.example", "manual");
    add(acme, "both@blocked.example", null, "hard_bounce");
    add(null, "trap@spam.example", null, "manual");
    add(null, null, "@global.example", "manual");
    add(acme, "trap@spam.example", null, "unsubscribe");
    add(acme, null, "xn--bcher-kva.example", "manual");
    add(other, "ann@example.com", null, "complaint");
    erase(acme, "Gone@Example.com");
    eraseUnkeyed(acme, "before@example.com");
    add(acme, "old@example.com", null, "manual");
    jdbc.sql("update suppression set expires_at = now() - interval '1 minute' where address = 'old@example.com'").update();

    List<String> keys = List.of(key("ann@example.com"), key("x@blocked.example"), key("x@sub.blocked.example"), key("both@blocked.example"),
        key("trap@spam.example"), key("someone@global.example"), key("Jörg@BÜCHER.example"), key("gone@example.com"),
        key("old@example.com"), key("clean@example.com"), key("before@example.com"));
    Map<String, Optional<String>> expected = new LinkedHashMap<>();
    expected.put(keys.get(0), Optional.of("suppressed in this organization (complaint)"));
    expected.put(keys.get(1), Optional.of("suppressed in this organization (domain blocked.example)"));
    expected.put(keys.get(2), Optional.empty());
    expected.put(keys.get(3), Optional.of("suppressed in this organization (hard bounce)"));
    expected.put(keys.get(4), Optional.of("suppressed in this organization (unsubscribe)"));
    expected.put(keys.get(5), Optional.of("suppressed for the whole installation (domain global.example)"));
    expected.put(keys.get(6), Optional.of("suppressed in this organization (domain bücher.example)"));
    expected.put(keys.get(7), Optional.of("erased at the person's request"));
    expected.put(keys.get(8), Optional.empty());
    expected.put(keys.get(9), Optional.empty());
    expected.put(keys.get(10), Optional.of("erased at the person's request"));

    assertThat(refusalsOneByOne(acme, keys)).isEqualTo(expected);
    assertThat(refusalsBySql(acme, keys)).isEqualTo(expected);
    assertThat(admittedBySql(acme, keys)).containsExactlyInAnyOrderElementsOf(unrefused(expected)).hasSize(3);

    // Another organization sees only its own list and the installation's.
    Map<String, Optional<String>> forOther = new LinkedHashMap<>();
    for (String k : keys) forOther.put(k, Optional.empty());
    forOther.put(keys.get(0), Optional.of("suppressed in this organization (complaint)"));
    forOther.put(keys.get(4), Optional.of("suppressed for the whole installation (manual)"));
    forOther.put(keys.get(5), Optional.of("suppressed for the whole installation (domain global.example)"));
    assertThat(refusalsOneByOne(other, keys)).isEqualTo(forOther);
    assertThat(refusalsBySql(other, keys)).isEqualTo(forOther);
    assertThat(admittedBySql(other, keys)).containsExactlyInAnyOrderElementsOf(unrefused(forOther)).hasSize(8);
  }

  /**
   * The audience screen meets address entries by their text and hashes every row only while the organization or the
   * installation keeps an entry as a hash alone (an erased person): both forms refuse the same keys whenever they may
   * be used, and the form without hashes would let an erased person through, which is why it is chosen by a probe.
   */
  @Test
  void the_audience_screen_hashes_each_address_only_while_an_entry_is_kept_as_a_hash() {
    add(acme, "Ann@Example.com", null, "complaint");
    add(acme, null, "blocked.example", "manual");
    add(acme, "old@example.com", null, "manual");
    jdbc.sql("update suppression set expires_at = now() - interval '1 minute' where organization_id = ? and address = 'old@example.com'")
        .param(acme).update();
    List<String> keys = List.of(key("ann@example.com"), key("x@blocked.example"), key("old@example.com"), key("gone@example.com"),
        key("before@example.com"), key("clean@example.com"));
    assertThat(jdbc.sql("select count(*) from suppression where organization_id is null and address is null and address_hash is not null")
        .query(Long.class).single()).as("no test keeps an installation-wide entry as a hash alone").isZero();

    assertThat(suppressions.anyHashOnlyEntry(acme)).isFalse();
    assertThat(screen.admittedSql(acme, "v", "screen_").sql()).doesNotContain("sha256");
    assertThat(admittedBySql(acme, keys)).containsExactlyInAnyOrder(keys.get(2), keys.get(3), keys.get(4), keys.get(5));

    erase(acme, "Gone@Example.com");
    eraseUnkeyed(acme, "before@example.com");
    assertThat(suppressions.anyHashOnlyEntry(acme)).isTrue();
    assertThat(suppressions.anyHashOnlyEntry(other)).as("erasures are the organization's own").isFalse();
    assertThat(screen.admittedSql(acme, "v", "screen_").sql()).contains("sha256");
    assertThat(admittedBySql(acme, keys)).containsExactlyInAnyOrder(keys.get(2), keys.get(5))
        .containsExactlyInAnyOrderElementsOf(unrefused(refusalsBySql(acme, keys)));
    assertThat(admittedBySql(screening.admittedSql(acme, "v", "screen_", false), keys)).as("without the hashes")
        .contains(keys.get(3), keys.get(4));
  }

  /** V101: an address entry's hash is the SHA-256 of its own address, which the screen above relies on. */
  @Test
  void an_address_entry_whose_hash_is_not_its_addresss_is_refused_by_the_database() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> jdbc.sql("""
            insert into suppression (organization_id, address, address_hash, reason, source)
            values (?, 'ann@example.com', sha256(convert_to('bob@example.com', 'UTF8')), 'manual', 'test')""").param(acme).update())
        .isInstanceOf(org.springframework.dao.DataIntegrityViolationException.class)
        .hasMessageContaining("suppression_address_hashed");
  }

  @Test
  void check_lists_every_match_most_telling_first() {
    add(acme, null, "example.org", "manual");
    add(null, "ann@example.org", null, "complaint");
    add(acme, "ann@example.org", null, "hard_bounce");
    List<Suppressions.Match> matches = suppressions.check(acme, key("ann@example.org"));
    assertThat(matches).extracting(Suppressions.Match::scope, Suppressions.Match::kind, Suppressions.Match::value)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(SuppressionScope.ORGANIZATION, SuppressionKind.ADDRESS, "ann@example.org"),
            org.assertj.core.groups.Tuple.tuple(SuppressionScope.INSTALLATION, SuppressionKind.ADDRESS, "ann@example.org"),
            org.assertj.core.groups.Tuple.tuple(SuppressionScope.ORGANIZATION, SuppressionKind.DOMAIN, "example.org"));
    assertThat(suppressions.checkInstallation(key("ann@example.org"))).hasSize(1);
  }

  @Test
  void the_screen_sql_probes_the_unique_indexes_instead_of_scanning_the_lists() {
    // Enough rows that a scan would cost something, in this and other organizations and the installation's list.
    jdbc.sql("""
        insert into suppression (organization_id, address, address_hash, reason, source)
        select case g % 3 when 0 then :a when 1 then :b end, 'p' || g || '@bulk.example',
               sha256(convert_to('p' || g || '@bulk.example', 'UTF8')), 'manual', 'test'
        from generate_series(1, 30000) g""").param("a", acme).param("b", other).update();
    jdbc.sql("""
        insert into suppression (organization_id, domain, reason, source)
        select case g % 3 when 0 then :a when 1 then :b end, 'd' || g || '.example', 'manual', 'test'
        from generate_series(1, 10000) g""").param("a", acme).param("b", other).update();
    jdbc.sql("analyze suppression").update();

    String plan = tx.execute(status -> {
      jdbc.sql("create temp table import_keys (email_key text) on commit drop").update();
      jdbc.sql("insert into import_keys select 'p' || g || '@bulk.example' from generate_series(1, 5000) g").update();
      jdbc.sql("analyze import_keys").update();
      dev.herald.platform.SqlFragment refusal = screen.refusalSql(acme, "k", "screen_");
      return String.join("\n", jdbc.sql("explain select k.email_key, " + refusal.sqlOver("k") + " from import_keys k")
          .params(refusal.params()).query(String.class).list());
    });
    assertThat(plan).as(plan).contains("suppression_address_uq").contains("suppression_domain_uq")
        .doesNotContain("Seq Scan on suppression")
        // the hash and the domain are looked up in the index, not filtered after reading an organization's entries
        .containsPattern("Index Cond: .*address_hash = sha256")
        .containsPattern("Index Cond: .*domain = split_part");
  }

  @Test
  void an_erasure_keeps_only_a_keyed_hash_in_the_erasures_transaction() {
    suppressions.add(acme, new Suppressions.NewEntry("Bea@example.com", null, SuppressionReason.COMPLAINT, "called us on 2026-01-02", null), "test");
    eraseUnkeyed(acme, "cy@example.com");
    erase(acme, "bea@EXAMPLE.com");
    erase(acme, "cy@example.com");
    erase(acme, "cy@example.com");

    List<Map<String, Object>> rows = jdbc.sql("""
        select address, address_hash, reason, note, source from suppression where organization_id = ? order by id""")
        .param(acme).query().listOfRows();
    assertThat(rows).hasSize(2);
    for (Map<String, Object> row : rows) {
      assertThat(row).containsEntry("address", null).containsEntry("reason", "erased").containsEntry("note", "")
          .containsEntry("source", "erasure");
    }
    // The keyed hash: neither the plain SHA-256 of the key (which anyone could compute) nor the same in two installations.
    byte[] bea = (byte[]) rows.get(0).get("address_hash");
    assertThat(bea).hasSize(32).isNotEqualTo(AddressDigest.of("bea@example.com"));
    assertThat(bea).isEqualTo(hmac(secrets.get(ErasureHash.SECRET).orElseThrow(), "bea@example.com"));
    // The unkeyed erasure of cy was re-keyed by the new one: only the keyed entry is left.
    assertThat((byte[]) rows.get(1).get("address_hash")).isEqualTo(erasureHash.of("cy@example.com"))
        .isNotEqualTo(AddressDigest.of("cy@example.com"));
    assertThat(events.stream(SuppressionEvents.SuppressionAdded.class).filter(e -> e.reason() == SuppressionReason.ERASED).count()).isEqualTo(2);
    assertThat(events.stream(SuppressionEvents.SuppressionRemoved.class)).extracting(SuppressionEvents.SuppressionRemoved::address)
        .hasSize(2).containsOnlyNulls();

    // Adding the address again changes nothing: the entry stays an erased hash.
    Suppressions.Added again = suppressions.add(acme, new Suppressions.NewEntry("cy@example.com", null, SuppressionReason.MANUAL, null, null), "test");
    assertThat(again.added()).isFalse();
    assertThat(again.entry().kind()).isEqualTo(SuppressionKind.ERASED);
    assertThat(again.entry().address()).isNull();

    // It joins the caller's transaction: a rolled-back erasure leaves no hash behind.
    tx.executeWithoutResult(status -> {
      screen.rememberErased(acme, "dee@example.com");
      status.setRollbackOnly();
    });
    assertThat(screen.refusal(acme, "dee@example.com")).isEmpty();
    assertThat(screen.refusal(other, "cy@example.com")).as("another organization's erasure").isEmpty();
  }

  @Test
  void postgresql_computes_the_same_keyed_hash_as_java() {
    List<String> keys = List.of("ann@example.com", "jürgen@bücher.example", "o'neil@example.com", "");
    for (String k : keys) {
      byte[] inSql = jdbc.sql("select " + ErasureHash.sql(":k", "h_"))
          .param("k", k).param("h_ipad", erasureHash.innerPad()).param("h_opad", erasureHash.outerPad()).query(byte[].class).single();
      assertThat(inSql).as(k).isEqualTo(erasureHash.of(k)).isEqualTo(hmac(secrets.get(ErasureHash.SECRET).orElseThrow(), k));
    }
  }

  static byte[] hmac(byte[] key, String message) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(message.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void an_expired_entry_is_replaced_and_a_temporary_one_is_extended_by_a_later_add() {
    Instant soon = Instant.now().plus(1, ChronoUnit.DAYS);
    Suppressions.Added first = suppressions.add(acme, new Suppressions.NewEntry("tmp@example.com", null, SuppressionReason.MANUAL, null, soon), "test");
    assertThat(first.added()).isTrue();
    Suppressions.Added forGood = suppressions.add(acme, new Suppressions.NewEntry("tmp@example.com", null, SuppressionReason.COMPLAINT, null, null), "test");
    assertThat(forGood.added()).isFalse();
    assertThat(forGood.entry().expiresAt()).as("a complaint must not run out with the temporary entry").isNull();

    jdbc.sql("update suppression set expires_at = now() - interval '1 day' where id = ?").param(first.entry().id()).update();
    assertThat(screen.refusal(acme, "tmp@example.com")).isEmpty();
    Suppressions.Added renewed = suppressions.add(acme, new Suppressions.NewEntry("tmp@example.com", null, SuppressionReason.COMPLAINT, null, null), "test");
    assertThat(renewed.added()).isTrue();
    assertThat(renewed.entry().id()).isEqualTo(first.entry().id());
    assertThat(screen.refusal(acme, "tmp@example.com")).contains("suppressed in this organization (complaint)");
  }
}
