package dev.herald.domains;

import dev.herald.mail.EmailAddress;
import dev.herald.platform.Refused;
import dev.herald.platform.Secrets;
import dev.herald.platform.TextEnum;
import dev.herald.tenancy.AuditLog;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * An organization's sending domains: adding one (with its DKIM keys), checking its records, rotating its keys, and
 * the gate other capabilities ask before sending ({@link #verifiedDomainFor}).
 *
 * <p>Rotation never leaves a gap: a new key pair is added as pending beside the active one, and becomes the signing
 * pair only in the check that finds every pending record published; the old pair is then retired but stays listed
 * (and published by the owner) until removed, so mail signed with it moments before still verifies.
 */
@Service
public class SendingDomains {
  static final int MAX_DOMAINS = 100;

  /** A domain that may be used as a sender, with the keys to sign its mail. */
  public record VerifiedDomain(long id, long organizationId, String name, List<SigningKey> keys) {}

  /** An active DKIM key: {@code d=} is the domain's name, {@code s=} the selector. */
  public record SigningKey(long id, String selector, DkimAlgorithm algorithm) {}

  record Key(long id, String selector, DkimAlgorithm algorithm, String publicKey, KeyStatus status, Instant createdAt,
      Instant activatedAt, Instant retiredAt) {}

  /** A record to publish with its last check (state null: not checked yet). {@code zoneValue} is the TXT value split in 255-octet strings. */
  record DnsRecord(String record, String purpose, String host, String type, String value, String zoneValue, boolean required,
      RecordState state, String found, String detail, Instant checkedAt) {}

  record Domain(long id, String name, String unicodeName, boolean verified, Instant verifiedAt, Instant checkedAt,
      Instant createdAt, DkimSignatures dkimSignatures, List<Key> keys, List<DnsRecord> records) {}

  private record Row(long id, Long organizationId, String name, String unicodeName, boolean verified, Instant verifiedAt,
      Instant checkedAt, Instant createdAt, DkimSignatures dkimSignatures) {}

  private final JdbcClient jdbc;
  private final Secrets secrets;
  private final DnsPlan plan;
  private final DomainChecks checks;
  private final Clock clock;
  private final TransactionTemplate transaction;
  private final AuditLog audit;

  SendingDomains(JdbcClient jdbc, Secrets secrets, DnsPlan plan, DomainChecks checks, Clock clock,
      PlatformTransactionManager transactions, AuditLog audit) {
    this.audit = audit;
    this.jdbc = jdbc;
    this.secrets = secrets;
    this.plan = plan;
    this.checks = checks;
    this.clock = clock;
    this.transaction = new TransactionTemplate(transactions);
  }

  // ---- the public API for other capabilities ----------------------------------------------------------------------

  /**
   * The verified domain of the organization that {@code fromAddress} is on, with its active keys; empty when the
   * address is not valid, its domain is not the organization's, or not verified.
   */
  public Optional<VerifiedDomain> verifiedDomainFor(long organizationId, String fromAddress) {
    if (!(EmailAddress.parse(fromAddress) instanceof EmailAddress.Valid valid)) return Optional.empty();
    String name = valid.address().asciiDomain().toLowerCase(Locale.ROOT);
    return jdbc.sql("select id, dkim_signatures from sending_domain where organization_id = ? and name = ? and verified")
        .params(organizationId, name).query(SendingDomains::signing).optional()
        .map(d -> new VerifiedDomain(d.id(), organizationId, name, signingKeys(d.id(), d.choice())));
  }

  /**
   * The installation's verified domain that {@code fromAddress} is on (the system sender's), with its active keys;
   * empty when there is none. Installation domains belong to no organization: the operator adds and verifies them for
   * Herald's own mail.
   */
  public Optional<VerifiedDomain> verifiedInstallationDomainFor(String fromAddress) {
    if (!(EmailAddress.parse(fromAddress) instanceof EmailAddress.Valid valid)) return Optional.empty();
    String name = valid.address().asciiDomain().toLowerCase(Locale.ROOT);
    return jdbc.sql("select id, dkim_signatures from sending_domain where organization_id is null and name = ? and verified")
        .param(name).query(SendingDomains::signing).optional()
        .map(d -> new VerifiedDomain(d.id(), 0, name, signingKeys(d.id(), d.choice())));
  }

  /** An installation domain as the operator's delivery page shows it. */
  public record InstallationDomain(long id, String name, String unicodeName, boolean verified) {}

  /** The installation's domain of this address, if the operator added it. */
  public Optional<InstallationDomain> installationDomainOf(String address) {
    if (!(EmailAddress.parse(address) instanceof EmailAddress.Valid valid)) return Optional.empty();
    return jdbc.sql("select id, name, unicode_name, verified from sending_domain where organization_id is null and name = ?")
        .param(valid.address().asciiDomain().toLowerCase(Locale.ROOT))
        .query((rs, i) -> new InstallationDomain(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBoolean(4))).optional();
  }

  /** The installation's domain of this address, added (with its keys) when it is not one yet. */
  public InstallationDomain addInstallationDomainOf(String address) {
    if (!(EmailAddress.parse(address) instanceof EmailAddress.Valid valid)) throw Refused.invalid("systemSender", "Enter an email address.");
    return installationDomainOf(address).orElseGet(() -> {
      Domain added;
      try {
        added = add(null, valid.address().asciiDomain());
      } catch (Refused refused) { // said of the address the operator typed, not of a domain field they do not see
        throw switch (refused.refusal()) {
          case dev.herald.platform.Refusal.Conflict c -> Refused.conflict("systemSender", c.message());
          case dev.herald.platform.Refusal.Invalid i -> Refused.invalid("systemSender", i.message());
          default -> refused;
        };
      }
      return new InstallationDomain(added.id(), added.name(), added.unicodeName(), added.verified());
    });
  }

  private record Signing(long id, DkimSignatures choice) {}

  private static Signing signing(ResultSet rs, int i) throws SQLException {
    return new Signing(rs.getLong(1), TextEnum.fromText(DkimSignatures.class, rs.getString(2)));
  }

  /**
   * The active keys whose DKIM record checked ok at the last check: a key whose record is not (yet) published would
   * only add a failing signature, so it does not sign. A verified domain has at least one. With {@link DkimSignatures#RSA}
   * only the RSA keys among them sign, unless none of them is RSA (its record gone while Ed25519's is ok): the domain's
   * mail is then signed with what is published rather than held unsigned.
   */
  private List<SigningKey> signingKeys(long domainId, DkimSignatures choice) {
    List<SigningKey> published = jdbc.sql("""
        select k.id, k.selector, k.algorithm from dkim_key k
        join domain_record_check c on c.domain_id = k.domain_id and c.record = 'dkim:' || k.selector and c.state = 'ok'
        where k.domain_id = ? and k.status = 'active' order by k.algorithm desc, k.id""")
        .param(domainId).query((rs, i) -> new SigningKey(rs.getLong(1), rs.getString(2), TextEnum.fromText(DkimAlgorithm.class, rs.getString(3))))
        .list();
    if (choice == DkimSignatures.RSA && published.stream().anyMatch(k -> k.algorithm() == DkimAlgorithm.RSA)) {
      return published.stream().filter(k -> k.algorithm() == DkimAlgorithm.RSA).toList();
    }
    return published;
  }

  /** A domain of an organization as other capabilities' pages name it (a filter, a sender to pick). */
  public record Named(long id, String name, String unicodeName, boolean verified) {}

  /** The organization's domains, verified or not, by name. */
  public List<Named> names(long organizationId) {
    return jdbc.sql("select id, name, unicode_name, verified from sending_domain where organization_id = ? order by unicode_name")
        .param(organizationId).query((rs, i) -> new Named(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBoolean(4))).list();
  }

  /**
   * The host for the domain's tracking links: {@code track.<domain>} once its tracking CNAME checks ok (links on the
   * sender's own domain, as receivers prefer), else the installation's tracking host ({@code herald.sending.tracking-host},
   * or the base URL's host), which answers for every domain.
   */
  public String trackingHost(VerifiedDomain domain) {
    boolean published = jdbc.sql("select count(*) from domain_record_check where domain_id = ? and record = 'tracking' and state = 'ok'")
        .param(domain.id()).query(Long.class).single() > 0;
    return published ? DnsPlan.TRACKING_LABEL + "." + domain.name() : plan.trackingHost();
  }

  /**
   * Every organization's own tracking host ({@code track.<domain>}, lower case) whose CNAME checked ok on a verified
   * domain, with the organization it belongs to: the hosts the tracking endpoints answer on besides the installation's.
   */
  public Map<String, Long> trackingHosts() {
    Map<String, Long> hosts = new HashMap<>();
    jdbc.sql("""
        select d.name, d.organization_id from sending_domain d
        where d.verified and d.organization_id is not null
          and exists (select 1 from domain_record_check c where c.domain_id = d.id and c.record = 'tracking' and c.state = 'ok')""")
        .query(rs -> {
          hosts.put(DnsPlan.TRACKING_LABEL + "." + rs.getString(1), rs.getLong(2));
        });
    return hosts;
  }

  /** The PKCS#8 private key of a signing key, decrypted: for the signer only, never to be logged or shown. */
  public byte[] privateKey(SigningKey key) {
    return secrets.get(secretName(key.id())).orElseThrow(() -> new IllegalStateException("DKIM key " + key.id() + " has no private key"));
  }

  // ---- panel and API ----------------------------------------------------------------------------------------------

  /**
   * The methods below serve an organization's domains and, with {@code organizationId} null, the installation's own
   * (the system sender's, managed by the operator).
   */
  List<Domain> list(Long organizationId) {
    return jdbc.sql("""
        select id, organization_id, name, unicode_name, verified, verified_at, checked_at, created_at, dkim_signatures
        from sending_domain""" + " where " + owner(organizationId) + " order by unicode_name")
        .param("org", organizationId).query(SendingDomains::row).list().stream().map(this::view).toList();
  }

  Optional<Domain> find(Long organizationId, long id) {
    return row(organizationId, id).map(this::view);
  }

  Domain add(Long organizationId, String input) {
    DomainName name = DomainName.parse("name", input);
    return transaction.execute(status -> {
      long count = jdbc.sql("select count(*) from sending_domain where " + owner(organizationId)).param("org", organizationId)
          .query(Long.class).single();
      if (count >= MAX_DOMAINS) throw Refused.invalid("name", "An organization has at most " + MAX_DOMAINS + " sending domains.");
      if (jdbc.sql("select count(*) from sending_domain where " + owner(organizationId) + " and name = :name")
          .param("org", organizationId).param("name", name.ascii()).query(Long.class).single() > 0) {
        throw Refused.conflict("name", name.unicode() + " is already one of your sending domains.");
      }
      // A name verified by another organization (or by the installation) is theirs to send as: refused here rather
      // than left to fail its checks forever (the unique index on verified names is the guarantee; this is the early,
      // clear answer).
      if (jdbc.sql("select count(*) from sending_domain where name = ? and verified and organization_id is distinct from ?")
          .params(name.ascii(), organizationId).query(Long.class).single() > 0) {
        throw Refused.conflict("name", name.unicode() + " is verified by another organization on this installation.");
      }
      long id = jdbc.sql("insert into sending_domain (organization_id, name, unicode_name) values (?, ?, ?) returning id")
          .params(organizationId, name.ascii(), name.unicode()).query(Long.class).single();
      addKeyPair(id, KeyStatus.ACTIVE);
      audit.record(organizationId, "domain.added", "sending_domain", id, name.ascii());
      return find(organizationId, id).orElseThrow();
    });
  }

  boolean remove(Long organizationId, long id) {
    return Boolean.TRUE.equals(transaction.execute(status -> {
      Optional<Row> row = row(organizationId, id);
      if (row.isEmpty()) return false;
      for (Key key : keys(id)) secrets.delete(secretName(key.id()));
      jdbc.sql("delete from sending_domain where id = ?").param(id).update();
      audit.record(organizationId, "domain.removed", "sending_domain", id, row.get().name());
      return true;
    }));
  }

  /** Adds a pending key pair beside the active one; refused while one is still waiting for its records. */
  Domain rotate(Long organizationId, long id) {
    return transaction.execute(status -> {
      Row row = lockedRow(organizationId, id);
      if (keys(row.id()).stream().anyMatch(k -> k.status() == KeyStatus.PENDING)) {
        throw Refused.conflict("keys", "New keys are already waiting for their DNS records: publish them and check, or remove the domain's pending keys first.");
      }
      addKeyPair(row.id(), KeyStatus.PENDING);
      audit.record(organizationId, "domain.rotation_started", "sending_domain", id, row.name());
      return find(organizationId, id).orElseThrow();
    });
  }

  /**
   * Chooses which signatures the domain's mail carries ({@code dkimSignatures}: both or rsa). The delivery workers keep
   * a domain's signer for a minute, so mail already being delivered may carry the old choice for that long.
   */
  Domain chooseSignatures(Long organizationId, long id, String choice) {
    return transaction.execute(status -> {
      Row row = lockedRow(organizationId, id); // another organization's domain is not found, whatever the choice
      DkimSignatures signatures = TextEnum.parse(DkimSignatures.class, "dkimSignatures", choice);
      if (signatures == null) throw Refused.invalid("dkimSignatures", "dkimSignatures is one of " + TextEnum.texts(DkimSignatures.class) + ".");
      if (row.dkimSignatures() != signatures) {
        jdbc.sql("update sending_domain set dkim_signatures = ? where id = ?").params(signatures.text(), id).update();
        audit.record(organizationId, "domain.signatures_changed", "sending_domain", id, row.name() + ": " + signatures.text());
      }
      return find(organizationId, id).orElseThrow();
    });
  }

  /** Removes a retired key (its record may then be deleted from DNS); an active or pending key cannot be removed. */
  void removeKey(Long organizationId, long id, long keyId) {
    transaction.executeWithoutResult(status -> {
      lockedRow(organizationId, id);
      Key key = keys(id).stream().filter(k -> k.id() == keyId).findFirst().orElseThrow(() -> Refused.notFound("Key " + keyId));
      if (key.status() != KeyStatus.RETIRED) {
        throw Refused.conflict("key", "Only a replaced (retired) key can be removed; this one is " + key.status() + ".");
      }
      jdbc.sql("delete from dkim_key where id = ?").param(keyId).update();
      jdbc.sql("delete from domain_record_check where domain_id = ? and record = ?").params(id, DnsPlan.dkimRecord(key.selector())).update();
      secrets.delete(secretName(keyId));
      audit.record(organizationId, "domain.key_removed", "sending_domain", id, key.selector());
    });
  }

  /** Looks up every record now and stores what was found (DNS is asked outside any transaction). */
  Domain check(Long organizationId, long id) {
    Row row = row(organizationId, id).orElseThrow(() -> Refused.notFound("Domain " + id));
    checkAndStore(row.id());
    return find(organizationId, id).orElseThrow(() -> Refused.notFound("Domain " + id));
  }

  /**
   * Checks one domain and stores the outcome: the checks, the switch to pending keys once all their records are
   * ok, and whether the domain is verified. Safe to run twice at once (the second writes the same facts).
   */
  void checkAndStore(long id) {
    String name = jdbc.sql("select name from sending_domain where id = ?").param(id).query(String.class).optional().orElse(null);
    if (name == null) return;
    Map<String, DomainChecks.Outcome> outcomes = checks.check(name, keys(id));
    Instant now = clock.instant();
    transaction.executeWithoutResult(status -> {
      record Locked(Long organizationId, boolean verified) {}
      Optional<Locked> locked = jdbc.sql("select organization_id, verified from sending_domain where id = ? for update").param(id)
          .query((rs, i) -> new Locked(rs.getObject(1, Long.class), rs.getBoolean(2))).optional();
      if (locked.isEmpty()) return;
      for (var e : outcomes.entrySet()) {
        jdbc.sql("""
            insert into domain_record_check (domain_id, record, state, found, detail, checked_at) values (?, ?, ?, ?, ?, ?)
            on conflict (domain_id, record) do update set state = excluded.state, found = excluded.found, detail = excluded.detail,
              checked_at = excluded.checked_at""")
            .params(id, e.getKey(), e.getValue().state().text(), e.getValue().found(), e.getValue().detail(), Timestamp.from(now)).update();
      }
      if (switchToPublishedKeys(id, outcomes, now)) audit.record(locked.get().organizationId(), "domain.keys_switched", "sending_domain", id, name);
      jdbc.sql("update sending_domain set checked_at = ? where id = ?").params(Timestamp.from(now), id).update();
      boolean verified = setVerified(id, verified(id, outcomes), now);
      if (verified != locked.get().verified()) {
        audit.record(locked.get().organizationId(), verified ? "domain.verified" : "domain.unverified", "sending_domain", id, name);
      }
    });
  }

  /** Pending keys become the signing keys once every one of their records checked ok; the active ones retire. Whether they did. */
  private boolean switchToPublishedKeys(long id, Map<String, DomainChecks.Outcome> outcomes, Instant now) {
    List<Key> pending = keys(id).stream().filter(k -> k.status() == KeyStatus.PENDING).toList();
    if (pending.isEmpty() || !pending.stream().allMatch(k -> ok(outcomes, DnsPlan.dkimRecord(k.selector())))) return false;
    jdbc.sql("update dkim_key set status = 'retired', retired_at = ? where domain_id = ? and status = 'active'")
        .params(Timestamp.from(now), id).update();
    jdbc.sql("update dkim_key set status = 'active', activated_at = ? where domain_id = ? and status = 'pending'")
        .params(Timestamp.from(now), id).update();
    return true;
  }

  /** Verified: an active key's record and the return path (MX and SPF) are ok. */
  private boolean verified(long id, Map<String, DomainChecks.Outcome> outcomes) {
    boolean dkim = keys(id).stream().filter(k -> k.status() == KeyStatus.ACTIVE).anyMatch(k -> ok(outcomes, DnsPlan.dkimRecord(k.selector())));
    return dkim && ok(outcomes, "return_path_mx") && ok(outcomes, "return_path_spf");
  }

  /** Stores whether the domain is verified; whether it is (false when another organization holds the name verified). */
  private boolean setVerified(long id, boolean verified, Instant now) {
    if (!verified) {
      jdbc.sql("update sending_domain set verified = false, verified_at = null where id = ?").param(id).update();
      return false;
    }
    // Another organization may hold the name verified already: the unique index says no, and this one stays unverified.
    jdbc.sql("savepoint verify").update();
    try {
      jdbc.sql("update sending_domain set verified = true, verified_at = coalesce(verified_at, ?) where id = ?").params(Timestamp.from(now), id).update();
      jdbc.sql("release savepoint verify").update();
      return true;
    } catch (DuplicateKeyException taken) {
      jdbc.sql("rollback to savepoint verify").update();
      jdbc.sql("update sending_domain set verified = false, verified_at = null where id = ?").param(id).update();
      return false;
    }
  }

  /** Ids of domains due for their periodic check, locked so that another node's batch skips them. */
  List<Long> claimDue(int limit, java.time.Duration interval) {
    Instant now = clock.instant();
    List<Long> ids = jdbc.sql("select id from sending_domain where next_check_at <= ? order by next_check_at limit ? for update skip locked")
        .params(Timestamp.from(now), limit).query(Long.class).list();
    for (Long id : ids) jdbc.sql("update sending_domain set next_check_at = ? where id = ?").params(Timestamp.from(now.plus(interval)), id).update();
    return ids;
  }

  private static boolean ok(Map<String, DomainChecks.Outcome> outcomes, String record) {
    DomainChecks.Outcome o = outcomes.get(record);
    return o != null && o.state() == RecordState.OK;
  }

  private void addKeyPair(long domainId, KeyStatus status) {
    YearMonth month = YearMonth.now(clock.withZone(ZoneOffset.UTC));
    Set<String> taken = keys(domainId).stream().map(Key::selector).collect(Collectors.toSet());
    int pair = 0;
    while (taken.contains(DkimKeys.selector(month, pair, DkimAlgorithm.RSA)) || taken.contains(DkimKeys.selector(month, pair, DkimAlgorithm.ED25519))) {
      pair++;
    }
    for (DkimAlgorithm algorithm : DkimAlgorithm.values()) {
      DkimKeys.Generated key = DkimKeys.generate(algorithm);
      long keyId = jdbc.sql("""
          insert into dkim_key (domain_id, selector, algorithm, public_key, status, activated_at) values (?, ?, ?, ?, ?, ?) returning id""")
          .params(domainId, DkimKeys.selector(month, pair, algorithm), algorithm.text(), key.publicKey(), status.text(),
              status == KeyStatus.ACTIVE ? Timestamp.from(clock.instant()) : null)
          .query(Long.class).single();
      secrets.put(secretName(keyId), key.pkcs8());
    }
  }

  static String secretName(long keyId) {
    return "domains:dkim:" + keyId;
  }

  List<Key> keys(long domainId) {
    return jdbc.sql("""
        select id, selector, algorithm, public_key, status, created_at, activated_at, retired_at from dkim_key where domain_id = ?
        order by created_at desc, id""")
        .param(domainId).query((rs, i) -> new Key(rs.getLong(1), rs.getString(2), TextEnum.fromText(DkimAlgorithm.class, rs.getString(3)),
            rs.getString(4), TextEnum.fromText(KeyStatus.class, rs.getString(5)), instant(rs, 6), instant(rs, 7), instant(rs, 8))).list();
  }

  private Optional<Row> row(Long organizationId, long id) {
    return jdbc.sql("""
        select id, organization_id, name, unicode_name, verified, verified_at, checked_at, created_at, dkim_signatures
        from sending_domain where id = :id""" + " and " + owner(organizationId))
        .param("id", id).param("org", organizationId).query(SendingDomains::row).optional();
  }

  private Row lockedRow(Long organizationId, long id) {
    return jdbc.sql("""
        select id, organization_id, name, unicode_name, verified, verified_at, checked_at, created_at, dkim_signatures
        from sending_domain where id = :id""" + " and " + owner(organizationId) + " for update")
        .param("id", id).param("org", organizationId).query(SendingDomains::row).optional().orElseThrow(() -> Refused.notFound("Domain " + id));
  }

  /** The condition on the owner, an organization ({@code :org}) or the installation (null), in a form that uses the indexes. */
  private static String owner(Long organizationId) {
    return organizationId == null ? "organization_id is null" : "organization_id = :org";
  }

  private Domain view(Row row) {
    List<Key> keys = keys(row.id());
    record Check(RecordState state, String found, String detail, Instant at) {}
    Map<String, Check> last = new HashMap<>();
    jdbc.sql("select record, state, found, detail, checked_at from domain_record_check where domain_id = ?").param(row.id())
        .query(rs -> {
          last.put(rs.getString(1), new Check(TextEnum.fromText(RecordState.class, rs.getString(2)), rs.getString(3), rs.getString(4), instant(rs, 5)));
        });
    List<DnsRecord> records = new ArrayList<>();
    for (DnsPlan.Expected e : plan.expected(row.name(), keys)) {
      Check c = last.get(e.record());
      records.add(new DnsRecord(e.record(), e.purpose(), e.host(), e.type(), e.value(),
          e.type().equals("TXT") ? Txt.zoneForm(e.value()) : e.value(), e.required(),
          c == null ? null : c.state(), c == null ? "" : c.found(), c == null ? "" : c.detail(), c == null ? null : c.at()));
    }
    return new Domain(row.id(), row.name(), row.unicodeName(), row.verified(), row.verifiedAt(), row.checkedAt(), row.createdAt(),
        row.dkimSignatures(), keys, records);
  }

  private static Row row(ResultSet rs, int i) throws SQLException {
    return new Row(rs.getLong(1), rs.getObject(2, Long.class), rs.getString(3), rs.getString(4), rs.getBoolean(5), instant(rs, 6), instant(rs, 7), instant(rs, 8),
        TextEnum.fromText(DkimSignatures.class, rs.getString(9)));
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }
}
