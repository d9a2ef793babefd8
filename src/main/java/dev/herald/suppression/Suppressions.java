package dev.herald.suppression;

import dev.herald.platform.Refused;
import dev.herald.platform.Text;
import dev.herald.platform.TextEnum;
import dev.herald.tenancy.AuditLog;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The suppression lists: one per organization, and the installation-wide one (organization null)
 * that the operator keeps and that applies to every organization. An entry holds an address (with the
 * SHA-256 of its key, which the index holds), a whole domain, or (for a person who was erased) only a
 * keyed hash of their address ({@link ErasureHash}; erasures from before it hold the plain SHA-256). Entries may expire;
 * an expired entry is kept for the record but suppresses nothing.
 *
 * <p>Other capabilities use {@link #check}, {@link #refusal} and {@link #add}; the rest is for this
 * capability's pages and API.
 */
@Service
public class Suppressions {
  static final int MAX_ENTRIES = 1000;
  static final int MAX_NOTE = 500;
  /** The first instant an entry may not end at: far enough for anyone, and inside PostgreSQL's timestamptz. */
  static final Instant LATEST_EXPIRY = java.time.LocalDate.of(10000, 1, 1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
  /** The text of an erased person's match, here and in {@link Screening#refusalSql}. */
  static final String ERASED = "erased at the person's request";

  private final JdbcClient jdbc;
  private final ApplicationEventPublisher events;
  private final AuditLog audit;
  private final Clock clock;
  private final TransactionTemplate readOnly;
  private final ErasureHash erasureHash;

  Suppressions(JdbcClient jdbc, ApplicationEventPublisher events, AuditLog audit, Clock clock, PlatformTransactionManager transactions,
      ErasureHash erasureHash) {
    this.erasureHash = erasureHash;
    this.jdbc = jdbc;
    this.events = events;
    this.audit = audit;
    this.clock = clock;
    // PostgreSQL's driver streams a result (honours the fetch size) only with autocommit off.
    this.readOnly = new TransactionTemplate(transactions);
    this.readOnly.setReadOnly(true);
  }

  /**
   * One entry. {@code kind} is address, domain or erased; {@code addressHash} is the hex SHA-256 of
   * the address key for an address entry, and for an erased one the keyed hash ({@link ErasureHash}; the plain
   * SHA-256 for erasures from before it); {@code active} is false once it expired.
   */
  public record Entry(long id, Long organizationId, SuppressionKind kind, String address, String addressHash, String domain,
      SuppressionReason reason,
      String note, String source, Instant createdAt, Instant expiresAt, boolean active) {}

  /**
   * An entry to add: an address or a domain (exactly one), a reason from {@link SuppressionReason#GIVEN}
   * (null: manual), an optional note, and an optional end (null: for good).
   */
  public record NewEntry(String address, String domain, SuppressionReason reason, String note, Instant expiresAt) {}

  /** What became of one {@link NewEntry}: the entry now in force, and whether this call added it. */
  public record Added(Entry entry, boolean added) {}

  /**
   * An entry that suppresses an address. {@code scope} is organization or installation, {@code kind}
   * address, domain or erased, {@code value} the address or domain (null when erased), and
   * {@code description} the sentence shown to people (the same text the import screen gives).
   */
  public record Match(long id, SuppressionScope scope, SuppressionKind kind, String value, SuppressionReason reason, Instant createdAt,
      Instant expiresAt,
      String description) {}

  public record Page(List<Entry> items, long total, int page, int size) {}

  /** One bad input of a batch: which entry (0-based), which of its fields, and why. */
  record Problem(int index, String field, String message) {}

  /** A batch refused because of its {@link #problems}; nothing of it was stored. */
  static final class InvalidEntries extends RuntimeException {
    private final List<Problem> problems;

    InvalidEntries(List<Problem> problems) {
      super(count(problems) + (count(problems) == 1 ? " entry is" : " entries are") + " invalid; nothing was added.");
      this.problems = List.copyOf(problems);
    }

    List<Problem> problems() {
      return problems;
    }

    private static long count(List<Problem> problems) {
      return problems.stream().mapToInt(Problem::index).distinct().count();
    }
  }

  // ---- checking ------------------------------------------------------------------------------

  /**
   * The active entries that suppress this address in the organization: its own and the
   * installation's, by address, by erased hash or by domain; the most telling first (an erasure, then
   * the address, then the domain; the organization's before the installation's).
   *
   * @param emailKey the subscriber key of the address ({@link dev.herald.mail.EmailAddress#key()})
   */
  public List<Match> check(long organizationId, String emailKey) {
    return matches(organizationId, emailKey);
  }

  /** Why an import may not add this address, or empty: the first of {@link #check}. */
  public Optional<String> refusal(long organizationId, String emailKey) {
    return check(organizationId, emailKey).stream().findFirst().map(Match::description);
  }

  /** The installation-wide entries only (the operator's view). */
  List<Match> checkInstallation(String emailKey) {
    return matches(0, emailKey);
  }

  /** {@code orgKey} 0 stands for "the installation's list only", as in the unique indexes. */
  private List<Match> matches(long orgKey, String emailKey) {
    Target.Address address = new Target.Address(emailKey);
    String domain = emailKey.substring(emailKey.lastIndexOf('@') + 1);
    List<Match> found = new ArrayList<>(jdbc.sql("""
        select id, organization_id, address, domain, reason, created_at, expires_at from suppression
        where coalesce(organization_id, 0) in (:org, 0) and (address_hash = :hash or address_hash = :keyed or domain = :domain)
          and (expires_at is null or expires_at > now())""")
        .param("org", orgKey).param("hash", address.hash()).param("keyed", erasureHash.of(emailKey)).param("domain", domain)
        .query((rs, n) -> match(rs)).list());
    found.sort(Comparator.comparingInt(Suppressions::rank));
    return found;
  }

  private static Match match(ResultSet rs) throws SQLException {
    Long org = (Long) rs.getObject("organization_id");
    SuppressionScope scope = org == null ? SuppressionScope.INSTALLATION : SuppressionScope.ORGANIZATION;
    String where = org == null ? "suppressed for the whole installation" : "suppressed in this organization";
    SuppressionReason reason = TextEnum.fromText(SuppressionReason.class, rs.getString("reason"));
    String domain = rs.getString("domain");
    SuppressionKind kind = SuppressionKind.of(domain, reason);
    String description = switch (kind) {
      case DOMAIN -> where + " (domain " + domain + ")";
      case ERASED -> ERASED;
      case ADDRESS -> where + " (" + reason.text().replace('_', ' ') + ")";
    };
    return new Match(rs.getLong("id"), scope, kind, kind == SuppressionKind.DOMAIN ? domain : rs.getString("address"), reason,
        instant(rs, "created_at"), instant(rs, "expires_at"), description);
  }

  /** The order of {@link #check}, which {@link Screening#refusalSql} follows too. */
  private static int rank(Match m) {
    int kind = switch (m.kind()) {
      case ERASED -> 0;
      case ADDRESS -> 2;
      case DOMAIN -> 4;
    };
    return kind + (m.scope() == SuppressionScope.ORGANIZATION ? 0 : 1);
  }

  // ---- reading -------------------------------------------------------------------------------

  private static final String COLUMNS = """
      id, organization_id, address, address_hash, domain, reason, note, source, created_at, expires_at,
      (expires_at is null or expires_at > now()) as active""";

  /** {@code organizationId} null: the installation's list. */
  Optional<Entry> find(Long organizationId, long id) {
    return jdbc.sql("select " + COLUMNS + " from suppression where " + scope(organizationId) + " and id = :id")
        .param("org", organizationId).param("id", id).query((rs, n) -> entry(rs)).optional();
  }

  /**
   * Newest first. {@code query} is the start of an address or domain (case does not matter);
   * {@code reason} null for any.
   */
  Page search(Long organizationId, String query, SuppressionReason reason, int page, int size) {
    String prefix = likeEscape(query == null ? "" : Text.requireNoControls("q", query).strip().toLowerCase(Locale.ROOT));
    String r = reason == null ? "" : reason.text();
    String where = " where " + scope(organizationId) + " " + """
         and (:prefix = '' or address like :prefix || '%' or domain like :prefix || '%')
         and (:reason = '' or reason = :reason)""";
    long total = jdbc.sql("select count(*) from suppression" + where)
        .param("org", organizationId).param("prefix", prefix).param("reason", r).query(Long.class).single();
    List<Entry> items = jdbc.sql("select " + COLUMNS + " from suppression" + where
            + " order by created_at desc, id desc limit :size offset :offset")
        .param("org", organizationId).param("prefix", prefix).param("reason", r)
        .param("size", size).param("offset", (long) page * size)
        .query((rs, n) -> entry(rs)).list();
    return new Page(items, total, page, size);
  }

  /** The organization's list, or the installation's: separate conditions so each can use the listing index. */
  private static String scope(Long organizationId) {
    return organizationId == null ? "organization_id is null" : "organization_id = :org";
  }

  private static String likeEscape(String text) {
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }

  private static Entry entry(ResultSet rs) throws SQLException {
    SuppressionReason reason = TextEnum.fromText(SuppressionReason.class, rs.getString("reason"));
    String domain = rs.getString("domain");
    return new Entry(rs.getLong("id"), (Long) rs.getObject("organization_id"), SuppressionKind.of(domain, reason), rs.getString("address"),
        Target.hex(rs.getBytes("address_hash")), domain, reason, rs.getString("note"), rs.getString("source"),
        instant(rs, "created_at"), instant(rs, "expires_at"), rs.getBoolean("active"));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }

  // ---- adding --------------------------------------------------------------------------------

  /** An entry checked and normalized, ready to store. */
  record Checked(Target target, SuppressionReason reason, String note, Instant expiresAt) {}

  /**
   * Checks one entry and returns it normalized, or throws the first problem with a field name
   * (address, domain, reason, note, expiresAt). {@link #checkAll} reports every field instead.
   */
  Checked checkEntry(NewEntry e) {
    List<Problem> problems = new ArrayList<>();
    Checked checked = checkEntry(e, 0, problems);
    if (!problems.isEmpty()) throw Refused.invalid(problems.getFirst().field(), problems.getFirst().message());
    return checked;
  }

  /** Every entry checked; all problems of all entries, or the normalized entries. */
  List<Checked> checkAll(List<NewEntry> entries) {
    List<Problem> problems = new ArrayList<>();
    List<Checked> checked = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) checked.add(checkEntry(entries.get(i), i, problems));
    if (!problems.isEmpty()) throw new InvalidEntries(problems);
    return checked;
  }

  private Checked checkEntry(NewEntry e, int index, List<Problem> problems) {
    Target target = null;
    try {
      boolean hasAddress = e.address() != null && !e.address().isBlank();
      boolean hasDomain = e.domain() != null && !e.domain().isBlank();
      if (hasAddress == hasDomain) throw Refused.invalid(hasAddress ? "domain" : "address", "Give either an address or a domain.");
      target = hasAddress ? Target.address("address", e.address()) : Target.domain("domain", e.domain());
    } catch (Refused p) {
      problems.add(new Problem(index, p.field(), p.getMessage()));
    }
    SuppressionReason reason = e.reason() == null ? SuppressionReason.MANUAL : e.reason();
    if (reason == SuppressionReason.ERASED) {
      problems.add(new Problem(index, "reason", "Erased entries are made only by erasing a subscriber."));
    }
    String note = e.note() == null ? "" : e.note().strip();
    if (note.length() > MAX_NOTE) problems.add(new Problem(index, "note", "A note is at most " + MAX_NOTE + " characters."));
    try {
      Text.requireNoControls("note", e.note());
    } catch (Refused p) {
      problems.add(new Problem(index, "note", p.getMessage()));
    }
    if (e.expiresAt() != null && !e.expiresAt().isAfter(clock.instant())) {
      problems.add(new Problem(index, "expiresAt", "expiresAt must be in the future (or left out: for good)."));
    } else if (e.expiresAt() != null && !e.expiresAt().isBefore(LATEST_EXPIRY)) {
      // Java reads years up to 999999999; PostgreSQL's timestamptz ends in 294276 and the insert failed.
      problems.add(new Problem(index, "expiresAt", "expiresAt must be before the year 10000 (or left out: for good)."));
    }
    return new Checked(target, reason, note, e.expiresAt());
  }

  /**
   * Adds one entry (see {@link #addAll}). A problem with the input is an {@link Refused} naming
   * the field.
   *
   * @param organizationId null for the installation-wide list
   * @param source who added it, e.g. "panel:ann@example.com", "api:api-key:hrld_ab12", "feedback"
   */
  @Transactional
  public Added add(Long organizationId, NewEntry entry, String source) {
    return store(organizationId, checkEntry(entry), source);
  }

  /**
   * Adds entries all or nothing: if any is invalid, nothing is stored and {@link InvalidEntries}
   * names each problem. An address or domain already in force stays as it is and is reported as not
   * added, except that a later end (or none) is kept; an expired one is replaced.
   */
  @Transactional
  List<Added> addAll(Long organizationId, List<NewEntry> entries, String source) {
    List<Added> out = new ArrayList<>();
    for (Checked c : checkAll(entries)) out.add(store(organizationId, c, source));
    return out;
  }

  /** Stores a checked entry, in the caller's transaction (which makes a batch all or nothing). */
  private Added store(Long organizationId, Checked c, String source) {
    String address = c.target() instanceof Target.Address a ? a.key() : null;
    byte[] hash = c.target() instanceof Target.Address a ? a.hash() : null;
    String domain = c.target() instanceof Target.Domain d ? d.domain() : null;
    Timestamp expires = c.expiresAt() == null ? null : Timestamp.from(c.expiresAt());
    if (address != null) {
      // An erased person's entry holds another hash than the address's, so the unique index does not meet it: look.
      Optional<Long> erased = jdbc.sql("select id from suppression where coalesce(organization_id, 0) = :orgKey and address_hash = :keyed")
          .param("orgKey", organizationId == null ? 0L : organizationId).param("keyed", erasureHash.of(address)).query(Long.class).optional();
      if (erased.isPresent()) return new Added(find(organizationId, erased.get()).orElseThrow(), false);
    }
    // Two tries: a row that conflicts may be deleted by someone else before we read it.
    for (int attempt = 0; attempt < 2; attempt++) {
      Optional<Long> inserted = jdbc.sql("""
          insert into suppression (organization_id, address, address_hash, domain, reason, note, source, expires_at)
          values (:org, :address, :hash, :domain, :reason, :note, :source, :expires)
          on conflict do nothing returning id""")
          .param("org", organizationId).param("address", address).param("hash", hash).param("domain", domain)
          .param("reason", c.reason().text()).param("note", c.note()).param("source", source).param("expires", expires)
          .query(Long.class).optional();
      if (inserted.isPresent()) return added(organizationId, inserted.get(), source);

      var existing = jdbc.sql("""
          select id, reason, expires_at, (expires_at is not null and expires_at <= now()) as expired from suppression
          where coalesce(organization_id, 0) = :orgKey and (address_hash = :hash or domain = :domain) for update""")
          .param("orgKey", organizationId == null ? 0L : organizationId).param("hash", hash).param("domain", domain)
          .query((rs, n) -> new Existing(rs.getLong("id"), TextEnum.fromText(SuppressionReason.class, rs.getString("reason")), instant(rs, "expires_at"),
              rs.getBoolean("expired")))
          .optional();
      if (existing.isEmpty()) continue;
      Existing x = existing.get();
      if (x.expired()) {
        // An entry that ran out suppresses nothing: this add puts a new one in its place.
        jdbc.sql("""
            update suppression set address = :address, reason = :reason, note = :note, source = :source, created_at = now(),
              expires_at = :expires where id = :id""")
            .param("address", address).param("reason", c.reason().text()).param("note", c.note()).param("source", source)
            .param("expires", expires).param("id", x.id()).update();
        return added(organizationId, x.id(), source);
      }
      if (x.expiresAt() != null && x.reason() != SuppressionReason.ERASED && (c.expiresAt() == null || c.expiresAt().isAfter(x.expiresAt()))) {
        // Already suppressed, but only until a date: a complaint arriving meanwhile must not run out with it.
        jdbc.sql("update suppression set expires_at = :expires where id = :id").param("expires", expires).param("id", x.id()).update();
      }
      return new Added(find(organizationId, x.id()).orElseThrow(), false);
    }
    throw new IllegalStateException("suppression entry changed concurrently twice; try again");
  }

  private record Existing(long id, SuppressionReason reason, Instant expiresAt, boolean expired) {}

  private Added added(Long organizationId, long id, String source) {
    Entry e = find(organizationId, id).orElseThrow();
    events.publishEvent(new SuppressionEvents.SuppressionAdded(organizationId, id, e.address(), e.domain(), e.reason(), source,
        clock.instant()));
    audit.record(organizationId, "suppression.added", "suppression", id, describe(e));
    return new Added(e, true);
  }

  /**
   * What the audit log says about an entry: the domain, but never the address, so that erasing a
   * person leaves no copy of their address in the log.
   */
  private static String describe(Entry e) {
    return switch (e.kind()) {
      case DOMAIN -> "domain " + e.domain() + ", " + e.reason().text();
      case ERASED -> ERASED_DETAIL;
      case ADDRESS -> "address, " + e.reason().text();
    };
  }

  private static final String ERASED_DETAIL = "erased person's address (hash only)";

  /**
   * Keeps only the keyed hash of an erased person's address in the organization's list, in the erasure's transaction:
   * the organization's entries for the address (holding it, or its plain SHA-256: also an erasure from before keyed
   * hashes, which this re-keys) and its restrictions and objections are deleted, and one erased entry with the keyed
   * hash takes their place. The
   * installation's list is the operator's and stays as it is. Events and audit entries name no address. Answers the
   * keyed hash in hex; calling it again for the same person changes nothing.
   */
  @Transactional
  String rememberErased(long organizationId, String emailKey) {
    return erase(organizationId, emailKey).keyedHash();
  }

  /**
   * True when the organization's list or the installation's holds an address entry kept only as a hash (an erased
   * person: keyed, or plain from before erasures were keyed), which only a hash of each address can meet. One probe of
   * {@code suppression_hash_only} (V101), which holds only such entries.
   */
  boolean anyHashOnlyEntry(long organizationId) {
    return jdbc.sql("""
        select exists (select 1 from suppression
                        where coalesce(organization_id, 0) in (?, 0) and address is null and address_hash is not null)""")
        .param(organizationId).query(Boolean.class).single();
  }

  /**
   * What {@link #erase} did: the entries it deleted, the restrictions and objections it deleted, and the keyed hash of
   * the one erased entry now in force.
   */
  record Erased(int deleted, int restrictions, String keyedHash) {}

  /** {@link #rememberErased}, saying how many entries went. */
  @Transactional
  Erased erase(long organizationId, String emailKey) {
    byte[] keyed = erasureHash.of(emailKey);
    List<Existing> removed = jdbc.sql("""
        delete from suppression where organization_id = :org and address_hash = :hash returning id, reason, expires_at""")
        .param("org", organizationId).param("hash", new Target.Address(emailKey).hash())
        .query((rs, n) -> new Existing(rs.getLong("id"), TextEnum.fromText(SuppressionReason.class, rs.getString("reason")),
            instant(rs, "expires_at"), false))
        .list();
    for (Existing x : removed) {
      // No address in the event: the publication registry would keep it until every listener ran.
      events.publishEvent(new SuppressionEvents.SuppressionRemoved(organizationId, x.id(), null, null, x.reason(), clock.instant()));
      audit.record(organizationId, "suppression.erased", "suppression", x.id(), ERASED_DETAIL);
    }
    Optional<Long> inserted = jdbc.sql("""
        insert into suppression (organization_id, address_hash, reason, source) values (:org, :hash, 'erased', 'erasure')
        on conflict do nothing returning id""")
        .param("org", organizationId).param("hash", keyed).query(Long.class).optional();
    if (inserted.isPresent()) {
      events.publishEvent(new SuppressionEvents.SuppressionAdded(organizationId, inserted.get(), null, null, SuppressionReason.ERASED, "erasure",
          clock.instant()));
      audit.record(organizationId, "suppression.added", "suppression", inserted.get(), ERASED_DETAIL);
    }
    // A restriction or an objection holds the address; an erased person is never mailed, so neither is needed.
    List<Long> restrictions = jdbc.sql("delete from suppression_restriction where organization_id = :org and address_key = :key returning id")
        .param("org", organizationId).param("key", emailKey).query(Long.class).list();
    for (Long id : restrictions) audit.record(organizationId, "suppression.restriction_erased", "suppression_restriction", id, null);
    return new Erased(removed.size(), restrictions.size(), java.util.HexFormat.of().formatHex(keyed));
  }

  /**
   * True when the address is suppressed in the organization only by the person's own withdrawal there
   * (reason unsubscribe or erased, on this organization's list, by address): what their confirmed
   * consent on a hosted form may lift. Any other active entry (a complaint, a bounce, a manual or
   * installation-wide entry, a domain) makes it false.
   */
  boolean onlyWithdrawnByThePerson(long organizationId, String emailKey) {
    List<Match> found = check(organizationId, emailKey);
    return !found.isEmpty() && found.stream().allMatch(m -> m.scope() == SuppressionScope.ORGANIZATION && m.reason().byThePerson());
  }

  /**
   * The person confirmed a new subscription from their mailbox: their own earlier withdrawal (unsubscribe,
   * erasure) no longer stands, so those entries of this organization are lifted. Nothing else is.
   */
  @Transactional
  void liftWithdrawal(long organizationId, String emailKey) {
    if (!onlyWithdrawnByThePerson(organizationId, emailKey)) return;
    String[] byThePerson = Arrays.stream(SuppressionReason.values()).filter(SuppressionReason::byThePerson)
        .map(SuppressionReason::text).toArray(String[]::new);
    List<Entry> lifted = jdbc.sql("delete from suppression where organization_id = :org and (address_hash = :hash or address_hash = :keyed)"
            + " and reason = any(:reasons) returning " + COLUMNS)
        .param("org", organizationId).param("hash", new Target.Address(emailKey).hash()).param("keyed", erasureHash.of(emailKey))
        .param("reasons", byThePerson)
        .query((rs, n) -> entry(rs)).list();
    for (Entry x : lifted) {
      events.publishEvent(new SuppressionEvents.SuppressionRemoved(organizationId, x.id(), x.address(), x.domain(), x.reason(),
          clock.instant()));
      audit.record(organizationId, "suppression.lifted", "suppression", x.id(), "the person confirmed a new subscription");
    }
  }

  // ---- removing ------------------------------------------------------------------------------

  /** Lifts an entry; false when the list holds no such entry. */
  @Transactional
  boolean remove(Long organizationId, long id) {
    Optional<Entry> e = jdbc.sql("delete from suppression where " + scope(organizationId) + " and id = :id returning " + COLUMNS)
        .param("org", organizationId).param("id", id).query((rs, n) -> entry(rs)).optional();
    e.ifPresent(x -> {
      events.publishEvent(new SuppressionEvents.SuppressionRemoved(organizationId, id, x.address(), x.domain(), x.reason(), clock.instant()));
      audit.record(organizationId, "suppression.removed", "suppression", id, describe(x));
    });
    return e.isPresent();
  }

  // ---- export --------------------------------------------------------------------------------

  /**
   * The organization's list as CSV (UTF-8 with a byte order mark for Excel, CRLF), oldest first,
   * streamed from a cursor. An erased entry shows "(erased)" and its hash, never an address. Text
   * cells are formula-neutralized (DESIGN.md security rule 6). {@code out} is left open.
   */
  void exportCsv(long organizationId, OutputStream out) throws IOException {
    audit.record(organizationId, "suppressions.exported", "organization", organizationId, "csv");
    Csv csv = new Csv(out);
    csv.row("address", "address_sha256", "domain", "reason", "note", "source", "created_at", "expires_at");
    try {
      readOnly.executeWithoutResult(tx -> jdbc.sql("select " + COLUMNS + " from suppression where organization_id = :org order by id")
          .param("org", organizationId).withFetchSize(1000).query((RowCallbackHandler) rs -> {
            Entry e = entry(rs);
            try {
              csv.row(e.kind() == SuppressionKind.ERASED ? "(erased)" : e.address(), e.addressHash(), e.domain(), e.reason().text(), e.note(),
                  e.source(), Csv.time(e.createdAt()), Csv.time(e.expiresAt()));
            } catch (IOException io) {
              throw new UncheckedIOException(io);
            }
          }));
    } catch (UncheckedIOException e) {
      throw e.getCause(); // the client went away, typically
    }
    csv.flush();
  }
}
