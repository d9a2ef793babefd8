package dev.herald.audiences;

import dev.herald.mail.EmailAddress;
import dev.herald.platform.personaldata.AddressMentions;
import dev.herald.platform.Refused;
import dev.herald.platform.Text;
import dev.herald.platform.TextEnum;
import dev.herald.tenancy.AuditLog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.ObjectMapper;

/**
 * Subscribers (one per address per organization) and their subscriptions to lists. Every change
 * publishes its event in the same transaction, and every subscription gets a consent record.
 */
@Service
public class Subscribers {
  /**
   * Channels where the person acts themselves (hosted form, preference centre). Suppression screens the
   * other channels only: someone who comes back and asks, with double opt-in where the list wants it,
   * may subscribe again; a member, an API client or an import may not add them.
   */
  private static final Set<ConsentChannel> SELF_SERVICE = EnumSet.of(ConsentChannel.FORM);
  /** Channels where a list's double opt-in applies: a member or an import vouches for the consent themselves. */
  private static final Set<ConsentChannel> CONFIRMED_BY_MAIL = EnumSet.of(ConsentChannel.FORM, ConsentChannel.API);
  private final JdbcClient jdbc;
  private final CustomFields fields;
  private final MailingLists lists;
  private final Consent consent;
  private final DoubleOptIn doubleOptIn;
  private final ApplicationEventPublisher events;
  private final AuditLog audit;
  private final ObjectMapper json;
  private final SuppressionScreen screen;
  private final PendingImportFiles pendingImports;
  private final java.time.Clock clock;

  Subscribers(JdbcClient jdbc, CustomFields fields, MailingLists lists, Consent consent, DoubleOptIn doubleOptIn,
      ApplicationEventPublisher events, AuditLog audit, ObjectMapper json, SuppressionScreen screen, java.time.Clock clock,
      PendingImportFiles pendingImports) {
    this.pendingImports = pendingImports;
    this.screen = screen;
    this.clock = clock;
    this.jdbc = jdbc;
    this.fields = fields;
    this.lists = lists;
    this.consent = consent;
    this.doubleOptIn = doubleOptIn;
    this.events = events;
    this.audit = audit;
    this.json = json;
  }

  public record Subscriber(long id, String email, boolean smtputf8, String name, Map<String, Object> fields, List<String> tags,
      String source, Instant createdAt, Instant updatedAt, List<Membership> lists) {}

  public record Membership(long listId, String listName, SubscriptionStatus status, Instant createdAt, Instant confirmedAt, Instant unsubscribedAt) {}

  /** A subscriber as given by a form, an API call or the panel. Null members mean "leave as it is". */
  public record Input(String email, String name, Map<String, Object> fields, List<String> tags) {}

  // ---- reading -----------------------------------------------------------------------------

  /** The columns {@link #map} reads, in its order. */
  private static final String SELECT = "select id, email, smtputf8, name, attributes::text, tags, source, created_at, updated_at"
      + " from subscriber";

  public Optional<Subscriber> find(long orgId, long id) {
    return jdbc.sql(SELECT + " where organization_id = ? and id = ?").params(orgId, id).query(this::map).optional()
        .map(this::withMemberships);
  }

  public Optional<Subscriber> findByEmail(long orgId, String email) {
    EmailAddress address;
    try {
      address = Addresses.require("email", email);
    } catch (Refused invalid) {
      return Optional.empty();
    }
    return jdbc.sql(SELECT + " where organization_id = ? and email_key = ?").params(orgId, address.key()).query(this::map).optional()
        .map(this::withMemberships);
  }

  public record Page(List<Subscriber> items, long total, int page, int size) {}

  /** The subscribers with these ids, in the order given (ids not in the organization are left out): two queries for a page. */
  public List<Subscriber> byIds(long orgId, List<Long> ids) {
    if (ids.isEmpty()) return List.of();
    Map<Long, Subscriber> found = new java.util.HashMap<>();
    List<Subscriber> rows = jdbc.sql(SELECT + " where organization_id = ? and id = any(?)").params(orgId, ids.toArray(Long[]::new))
        .query(this::map).list();
    for (Subscriber s : withMemberships(rows)) found.put(s.id(), s);
    return ids.stream().map(found::get).filter(java.util.Objects::nonNull).toList();
  }

  /** Newest first; {@code query} matches email or name, {@code listId}/{@code status} narrow it down. */
  public Page search(long orgId, String query, Long listId, SubscriptionStatus status, int page, int size) {
    String q = query == null ? "" : Text.requireNoControls("q", query).trim();
    String st = status == null ? "" : status.text();
    String where = searchFilter(q, listId, st);
    var total = jdbc.sql("select count(*) from subscriber s " + where)
        .param("org", orgId).param("q", q).param("list", listId).param("status", st).query(Long.class).single();
    var items = jdbc.sql("select s.id, s.email, s.smtputf8, s.name, s.attributes::text, s.tags, s.source, s.created_at, s.updated_at"
            + " from subscriber s " + where + " order by s.created_at desc, s.id desc limit :size offset :offset")
        .param("org", orgId).param("q", q).param("list", listId).param("status", st)
        .param("size", size).param("offset", (long) page * size)
        .query(this::map).list();
    return new Page(withMemberships(items), total, page, size);
  }

  /**
   * The search's where clause, holding only the conditions asked for. A condition switched off by its parameter
   * ({@code :list is null or exists (...)}) cannot become a join: PostgreSQL then probes the subscriptions once per
   * subscriber of the organization, seconds per page at a few hundred thousand subscribers.
   */
  static String searchFilter(String q, Long listId, String status) {
    StringBuilder where = new StringBuilder("where s.organization_id = :org");
    if (!q.isEmpty()) where.append(" and (s.email_key like '%' || lower(:q) || '%' or s.name ilike '%' || :q || '%')");
    String onStatus = status.isEmpty() ? "" : " and x.status = :status";
    if (listId != null) {
      where.append(" and exists (select 1 from subscription x where x.subscriber_id = s.id and x.list_id = :list").append(onStatus).append(")");
    } else if (!status.isEmpty()) {
      where.append(" and exists (select 1 from subscription x where x.subscriber_id = s.id").append(onStatus).append(")");
    }
    return where.toString();
  }

  // ---- writing -----------------------------------------------------------------------------

  /**
   * Creates the subscriber, or updates the one with the same address (fields and tags are merged;
   * a null name keeps the old one). Returns the subscriber's id.
   */
  @Transactional
  public long upsert(long orgId, Input input, String source) {
    return createOrUpdate(orgId, input, source).id();
  }

  /** The subscriber an upsert saved, and whether it created them (rather than updating who was there). */
  public record Upserted(long id, boolean created) {}

  /** {@link #upsert}, saying whether the subscriber is new. */
  @Transactional
  public Upserted createOrUpdate(long orgId, Input input, String source) {
    EmailAddress address = Addresses.require("email", input.email());
    String name = input.name() == null ? null : Text.requireNoControls("name", input.name()).trim();
    if (name != null && name.length() > 200) throw Refused.invalid("name", "A name is at most 200 characters.");
    Map<String, Object> values = fields.convert(fields.byKey(orgId), input.fields());
    List<String> tags = Tags.clean("tags", input.tags());
    // Locked, so the event's "before" is what this change replaced, not what a concurrent one left.
    Optional<AudienceEvents.SubscriberData> before = jdbc.sql(SELECT + " where organization_id = ? and email_key = ? for update")
        .params(orgId, address.key()).query(this::map).optional().map(this::withMemberships).map(AudienceEvents.SubscriberData::of);
    String attributes = json.writeValueAsString(withoutNulls(values));
    String[] removed = values.entrySet().stream().filter(e -> e.getValue() == null).map(Map.Entry::getKey).toArray(String[]::new);
    Upserted saved = jdbc.sql("""
        insert into subscriber (organization_id, email, email_key, smtputf8, name, attributes, tags, source)
        values (?, ?, ?, ?, coalesce(?, ''), cast(? as jsonb), ?, ?)
        on conflict (organization_id, email_key) do update set
          name = coalesce(?, subscriber.name),
          attributes = (subscriber.attributes - cast(? as text[])) || excluded.attributes,
          tags = array(select distinct unnest(subscriber.tags || excluded.tags)),
          updated_at = now()
        returning id, xmax = 0 as created""")
        .params(orgId, address.address(), address.key(), address.smtputf8(), name, attributes, tags.toArray(String[]::new), source,
            name, removed)
        // xmax = 0: this statement inserted the row (an update leaves its own transaction id there), also when a
        // concurrent insert of the same address made the lock above find nothing.
        .query((rs, n) -> new Upserted(rs.getLong("id"), rs.getBoolean("created"))).single();
    long id = saved.id();
    AudienceEvents.SubscriberData after = data(orgId, id);
    if (before.isEmpty()) {
      events.publishEvent(new AudienceEvents.SubscriberCreated(orgId, after, clock.instant()));
    } else {
      publishChanged(orgId, before.get(), after);
    }
    return saved;
  }

  /** Replaces name, fields and tags of an existing subscriber. */
  @Transactional
  public boolean update(long orgId, long id, String name, Map<String, Object> rawFields, List<String> tags) {
    Map<String, Object> values = fields.convert(fields.byKey(orgId), rawFields);
    String clean = name == null ? "" : Text.requireNoControls("name", name).trim();
    if (clean.length() > 200) throw Refused.invalid("name", "A name is at most 200 characters.");
    Optional<AudienceEvents.SubscriberData> before = lockedData(orgId, id);
    int n = jdbc.sql("update subscriber set name = ?, attributes = cast(? as jsonb), tags = ?, updated_at = now()"
            + " where organization_id = ? and id = ?")
        .params(clean, json.writeValueAsString(withoutNulls(values)), Tags.clean("tags", tags).toArray(String[]::new), orgId, id)
        .update();
    if (n == 1) {
      publishChanged(orgId, before.orElseThrow(), data(orgId, id));
      audit.record(orgId, "subscriber.updated", "subscriber", id, null);
    }
    return n == 1;
  }

  /**
   * Corrects a subscriber's address (right to rectification): refused when another subscriber of the organization
   * has it. Subscriptions and consent records stay with the subscriber. Returns false when there is no such subscriber.
   */
  @Transactional
  public boolean changeEmail(long orgId, long id, String email) {
    EmailAddress address = Addresses.require("email", email);
    Optional<AudienceEvents.SubscriberData> before = lockedData(orgId, id);
    if (before.isEmpty()) return false;
    boolean taken = jdbc.sql("select exists (select 1 from subscriber where organization_id = ? and email_key = ? and id <> ?)")
        .params(orgId, address.key(), id).query(Boolean.class).single();
    if (taken) throw Refused.conflict("email", "Another subscriber has this address.");
    jdbc.sql("update subscriber set email = ?, email_key = ?, smtputf8 = ?, updated_at = now() where organization_id = ? and id = ?")
        .params(address.address(), address.key(), address.smtputf8(), orgId, id).update();
    publishChanged(orgId, before.get(), data(orgId, id));
    audit.record(orgId, "subscriber.updated", "subscriber", id, "address corrected");
    return true;
  }

  @Transactional
  public boolean delete(long orgId, long id) {
    Optional<AudienceEvents.SubscriberData> before = lockedData(orgId, id);
    int n = jdbc.sql("delete from subscriber where organization_id = ? and id = ?").params(orgId, id).update();
    if (n == 1) {
      events.publishEvent(new AudienceEvents.SubscriberDeleted(orgId, before.orElseThrow(), clock.instant()));
      audit.record(orgId, "subscriber.deleted", "subscriber", id, null);
    }
    return n == 1;
  }

  /**
   * Erases a person (right to erasure): the subscriber, their subscriptions, consent records and confirmation mails
   * (which go with the subscriber row), and the rows of their address that imports set aside or are staging are
   * deleted. What stays is a keyed hash of the address in the suppression list ({@link SuppressionScreen#rememberErased},
   * in this transaction), so no import or API call adds them back; the event carries only that hash and the audit
   * entry only the subscriber's former id. Returns false when there is no such subscriber in the organization.
   */
  @Transactional
  public boolean erase(long orgId, long id) {
    Optional<String> key = jdbc.sql("select email_key from subscriber where organization_id = ? and id = ? for update")
        .params(orgId, id).query(String.class).optional();
    if (key.isEmpty()) return false;
    jdbc.sql("delete from subscriber where organization_id = ? and id = ?").params(orgId, id).update();
    forgetImportedAddress(orgId, key.get());
    String erasureHash = screen.rememberErased(orgId, key.get());
    events.publishEvent(new AudienceEvents.SubscriberErased(orgId, id, erasureHash, clock.instant()));
    audit.record(orgId, "subscriber.erased", "subscriber", id, null);
    return true;
  }

  /**
   * What {@link #forgetImportedAddress} removed: rows set aside ({@code import_error}) and staged ({@code import_row})
   * deleted, and files of unfinished imports the person was cut out of ({@code import_job.content}).
   */
  record ImportTraces(int errors, int staged, int files) {}

  /**
   * Deletes what the organization's imports hold of an address outside the subscriber row: the lines they set aside
   * (which keep the file's cell as it was written: any case, the ASCII or the Unicode domain, a display name around it)
   * and rows still staged by an import that runs now, and their lines in the files of imports that have not finished
   * ({@link PendingImportFiles}).
   */
  ImportTraces forgetImportedAddress(long orgId, String emailKey) {
    String pattern = AddressMentions.pattern(emailKey);
    int errors = jdbc.sql("""
        delete from import_error e using import_job j
        where j.id = e.job_id and j.organization_id = ? and (lower(e.value) ~ ? or lower(e.reason) ~ ?)""")
        .params(orgId, pattern, pattern).update();
    int staged = jdbc.sql("delete from import_row r using import_job j where j.id = r.job_id and j.organization_id = ? and r.email_key = ?")
        .params(orgId, emailKey).update();
    return new ImportTraces(errors, staged, pendingImports.removeAddress(orgId, emailKey));
  }

  /**
   * Puts the subscriber on a list. {@code requested} is the status asked for; a double opt-in list
   * turns "subscribed" from a form or the API into "unconfirmed" and mails a confirmation link, and so
   * does any list, from any channel (form, API, panel), for someone who withdrew in this organization
   * (unsubscribed from any of its lists, or erased): only their mailbox may bring them back. A complained or bounced subscription is never reopened this way (a self-service sign-up gets
   * {@link SuppressedSignUp}, so the form says nothing about it), and nobody is re-subscribed without a
   * new consent record.
   */
  @Transactional
  public SubscriptionStatus subscribe(long orgId, long subscriberId, long listId, SubscriptionStatus requested,
      Consent.Evidence evidence) {
    MailingLists.MailingList list = lists.basic(orgId, listId).orElseThrow(() -> Refused.invalid("lists", "List " + listId + " not found."));
    SubscriptionStatus status = requested == null ? SubscriptionStatus.SUBSCRIBED : requested;
    if (status.blocked()) throw Refused.invalid("status", "status is subscribed, unconfirmed or unsubscribed.");
    boolean selfService = SELF_SERVICE.contains(evidence.channel());
    Optional<SubscriptionStatus> current = statusOn(subscriberId, listId);
    if (current.isPresent() && current.get().blocked()) {
      if (selfService) throw new SuppressedSignUp();
      throw Refused.invalid("status", "This address " + current.get() + " on " + list.name()
          + "; it cannot be subscribed again from here.");
    }
    // A form sign-up for someone already subscribed changes nothing: a stranger can type any address, so the request
    // is no evidence that the person consented again, and their confirmation time and consent record stay as they were.
    if (selfService && current.orElse(null) == SubscriptionStatus.SUBSCRIBED && status == SubscriptionStatus.SUBSCRIBED) {
      return SubscriptionStatus.SUBSCRIBED;
    }
    boolean confirmBecauseSuppressed = false;
    if (status != SubscriptionStatus.UNSUBSCRIBED) {
      String key = jdbc.sql("select email_key from subscriber where organization_id = ? and id = ?").params(orgId, subscriberId)
          .query(String.class).single();
      Optional<String> refusal = screen.refusal(orgId, key);
      if (refusal.isPresent() && !selfService) {
        throw Refused.invalid("email", "This address is " + refusal.get()
            + "; lift the suppression first, or let the person sign up themselves on a hosted form.");
      }
      if (refusal.isPresent()) {
        // The person's own sign-up. If they had only unsubscribed or asked to be erased, they may come back, but
        // only by confirming from their mailbox (which then lifts that entry); anything else (a complaint, a
        // bounce, a member's entry) refuses quietly, so the form does not tell strangers why.
        if (!screen.onlyWithdrawnByThePerson(orgId, key)) throw new SuppressedSignUp();
        confirmBecauseSuppressed = true;
      }
    }
    // Someone who withdrew is brought back by their own mailbox only, whoever asks: a form is open to anyone, and a
    // member or an API client cannot show that the person changed their mind (the consent evidence an API call carries
    // is what its caller says, and the hosted form asks for the same confirmation with the same evidence).
    boolean needsConfirmation = status == SubscriptionStatus.SUBSCRIBED && current.orElse(null) != SubscriptionStatus.SUBSCRIBED
        && (confirmBecauseSuppressed || selfService && current.isPresent() || withdrew(subscriberId)
            || list.optin() == OptIn.DOUBLE && CONFIRMED_BY_MAIL.contains(evidence.channel()));
    if (needsConfirmation) status = SubscriptionStatus.UNCONFIRMED;
    if (current.orElse(null) == SubscriptionStatus.UNSUBSCRIBED && status != SubscriptionStatus.UNSUBSCRIBED) {
      rememberWithdrawal(subscriberId);
    }
    jdbc.sql("""
        insert into subscription (list_id, subscriber_id, status, source, confirmed_at, unsubscribed_at)
        values (?, ?, ?, ?, case when ? = 'subscribed' then now() end, case when ? = 'unsubscribed' then now() end)
        on conflict (list_id, subscriber_id) do update set status = excluded.status, updated_at = now(),
          confirmed_at = coalesce(excluded.confirmed_at, subscription.confirmed_at),
          unsubscribed_at = case when excluded.status = 'unsubscribed' then now() else null end""")
        .params(listId, subscriberId, status.text(), evidence.channel().text(), status.text(), status.text()).update();
    consent.record(orgId, subscriberId, listId, evidence, status == SubscriptionStatus.SUBSCRIBED);
    events.publishEvent(new AudienceEvents.SubscriberSubscribed(orgId, data(orgId, subscriberId), listId, status, evidence.channel(),
        clock.instant()));
    if (needsConfirmation) doubleOptIn.queueConfirmation(orgId, subscriberId, list);
    return status;
  }

  /**
   * Whether the subscriber withdrew in their organization (a subscriber belongs to one) and has not confirmed from
   * their mailbox since: unsubscribed from one of its lists now, or before that subscription was changed or removed.
   */
  private boolean withdrew(long subscriberId) {
    return jdbc.sql("""
        select s.withdrawn_at is not null
               or exists (select 1 from subscription x where x.subscriber_id = s.id and x.status = 'unsubscribed')
        from subscriber s where s.id = ?""").param(subscriberId).query(Boolean.class).single();
  }

  /** Keeps that the person withdrew when the unsubscribed subscription that shows it is about to change or go. */
  private void rememberWithdrawal(long subscriberId) {
    jdbc.sql("update subscriber set withdrawn_at = now() where id = ?").param(subscriberId).update();
  }

  /**
   * A hosted-form sign-up of an address suppressed for a reason the person cannot lift (a complaint, a
   * bounce, a member's or the operator's entry), or whose subscription to the list bounced or was reported
   * as spam. The form answers as if it worked, and nothing is stored (the transaction rolls back).
   */
  public static final class SuppressedSignUp extends RuntimeException {
    SuppressedSignUp() {
      super("suppressed address on a hosted form", null, false, false);
    }
  }

  /** Mails the confirmation link again; only a subscription still waiting for confirmation gets one. */
  @Transactional
  public void resendConfirmation(long orgId, long subscriberId, long listId) {
    MailingLists.MailingList list = lists.basic(orgId, listId).orElseThrow(() -> Refused.notFound("List " + listId));
    SubscriptionStatus status = statusOn(subscriberId, listId).orElseThrow(() -> Refused.notFound("Subscription to list " + listId));
    if (status != SubscriptionStatus.UNCONFIRMED) {
      throw Refused.conflict("status", "Only an unconfirmed subscription gets a confirmation mail; this one is " + status + ".");
    }
    if (!doubleOptIn.queueConfirmation(orgId, subscriberId, list)) {
      throw Refused.limited("This address got " + DoubleOptIn.MAILS_PER_WINDOW
          + " confirmation mails in the last 24 hours; try again tomorrow.", DoubleOptIn.MAIL_WINDOW);
    }
  }

  /** Confirms a double opt-in subscription; true if it was waiting for confirmation. */
  @Transactional
  public boolean confirm(long orgId, long subscriberId, long listId) {
    int n = jdbc.sql("""
        update subscription s set status = 'subscribed', confirmed_at = now(), updated_at = now()
        from mailing_list l where l.id = s.list_id and l.organization_id = ? and s.list_id = ? and s.subscriber_id = ?
          and s.status = 'unconfirmed'""").params(orgId, listId, subscriberId).update();
    if (n == 1) {
      // They confirmed from their mailbox: they came back, and their next sign-ups are like anyone's.
      jdbc.sql("update subscriber set withdrawn_at = null where id = ?").param(subscriberId).update();
      consent.confirm(subscriberId, listId);
      events.publishEvent(new AudienceEvents.SubscriberConfirmed(orgId, data(orgId, subscriberId), listId, clock.instant()));
    }
    return n == 1;
  }

  @Transactional
  public boolean unsubscribe(long orgId, long subscriberId, long listId, String reason) {
    return unsubscribe(orgId, subscriberId, listId, reason, null);
  }

  /**
   * As {@link #unsubscribe(long, long, long, String)}, from the mail of campaign {@code campaignId} (its unsubscribe
   * link, an unsubscribe request mailed about it): the event names the campaign, whose report counts the person.
   */
  @Transactional
  public boolean unsubscribe(long orgId, long subscriberId, long listId, String reason, Long campaignId) {
    int n = jdbc.sql("""
        update subscription s set status = 'unsubscribed', unsubscribed_at = now(), updated_at = now()
        from mailing_list l where l.id = s.list_id and l.organization_id = ? and s.list_id = ? and s.subscriber_id = ?
          and s.status in ('subscribed', 'unconfirmed')""").params(orgId, listId, subscriberId).update();
    if (n == 1) {
      consent.withdraw(subscriberId, listId);
      events.publishEvent(new AudienceEvents.SubscriberUnsubscribed(orgId, data(orgId, subscriberId), listId, reason, campaignId,
          clock.instant()));
    }
    return n == 1;
  }

  /**
   * Delivery feedback about an address (a hard bounce: {@link SubscriptionStatus#BOUNCED}, a complaint: {@link
   * SubscriptionStatus#COMPLAINED}): every list of the organization's subscriber with that address takes the status,
   * unless it already has one of the two (a complaint after a bounce keeps the bounce). Publishes {@link
   * AudienceEvents.SubscriberChanged} ("lists"). The number of lists changed; 0 when no subscriber has the address.
   */
  @Transactional
  public int stopByFeedback(long orgId, String email, SubscriptionStatus status) {
    if (!status.blocked()) throw new IllegalArgumentException("not a feedback status: " + status);
    Optional<Subscriber> found = findByEmail(orgId, email);
    if (found.isEmpty()) return 0;
    long id = found.get().id();
    Optional<AudienceEvents.SubscriberData> before = lockedData(orgId, id);
    if (before.isEmpty()) return 0;
    int n = jdbc.sql("""
        update subscription set status = ?, updated_at = now()
        where subscriber_id = ? and status not in ('bounced', 'complained')""").params(status.text(), id).update();
    if (n > 0) publishChanged(orgId, before.get(), data(orgId, id));
    return n;
  }

  /** Takes the subscriber off the list entirely (no record of the subscription is kept but consent history). */
  @Transactional
  public boolean removeFromList(long orgId, long subscriberId, long listId) {
    Optional<AudienceEvents.SubscriberData> before = lockedData(orgId, subscriberId);
    Optional<SubscriptionStatus> removed = jdbc.sql("""
        delete from subscription s using mailing_list l
        where l.id = s.list_id and l.organization_id = ? and s.list_id = ? and s.subscriber_id = ? returning s.status""")
        .params(orgId, listId, subscriberId).query((rs, i) -> TextEnum.fromText(SubscriptionStatus.class, rs.getString(1))).optional();
    int n = removed.isPresent() ? 1 : 0;
    if (removed.orElse(null) == SubscriptionStatus.UNSUBSCRIBED) rememberWithdrawal(subscriberId);
    if (n == 1) {
      consent.withdraw(subscriberId, listId);
      publishChanged(orgId, before.orElseThrow(), data(orgId, subscriberId));
    }
    return n == 1;
  }

  /** A sign-up from a hosted form: the subscriber and the subscription, all or nothing; returns the status. */
  @Transactional
  public SubscriptionStatus subscribeByForm(long orgId, Input input, long listId, Consent.Evidence evidence) {
    return subscribe(orgId, upsert(orgId, input, "form"), listId, SubscriptionStatus.SUBSCRIBED, evidence);
  }

  /** Creates or updates the subscriber and puts them on the lists, all or nothing. */
  @Transactional
  public long addToLists(long orgId, Input input, List<Long> listIds, SubscriptionStatus status, Consent.Evidence evidence,
      String source) {
    long id = upsert(orgId, input, source);
    for (Long listId : listIds == null ? List.<Long>of() : listIds) subscribe(orgId, id, listId, status, evidence);
    return id;
  }

  Optional<SubscriptionStatus> statusOn(long subscriberId, long listId) {
    return jdbc.sql("select status from subscription where subscriber_id = ? and list_id = ?").params(subscriberId, listId)
        .query((rs, n) -> TextEnum.fromText(SubscriptionStatus.class, rs.getString(1))).optional();
  }

  // ---- events ------------------------------------------------------------------------------

  /** The subscriber as the event of a change shows them: read in the change's transaction, after it. */
  private AudienceEvents.SubscriberData data(long orgId, long id) {
    return find(orgId, id).map(AudienceEvents.SubscriberData::of).orElseThrow();
  }

  /** The subscriber before a change, locked until it commits, so no concurrent change slips between before and after. */
  private Optional<AudienceEvents.SubscriberData> lockedData(long orgId, long id) {
    return jdbc.sql(SELECT + " where organization_id = ? and id = ? for update").params(orgId, id).query(this::map).optional()
        .map(this::withMemberships).map(AudienceEvents.SubscriberData::of);
  }

  /** Publishes {@link AudienceEvents.SubscriberChanged} when something did change (an upsert of the same values changes nothing). */
  private void publishChanged(long orgId, AudienceEvents.SubscriberData before, AudienceEvents.SubscriberData after) {
    List<String> changed = after.changesSince(before);
    if (!changed.isEmpty()) events.publishEvent(new AudienceEvents.SubscriberChanged(orgId, after, changed, clock.instant()));
  }

  // ---- mapping -----------------------------------------------------------------------------

  private static Map<String, Object> withoutNulls(Map<String, Object> values) {
    Map<String, Object> out = new LinkedHashMap<>();
    values.forEach((k, v) -> {
      if (v != null) out.put(k, v);
    });
    return out;
  }

  /** A subscriber row without memberships; {@link #withMemberships} adds them, one query for a whole page. */
  @SuppressWarnings("unchecked")
  private Subscriber map(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
    Map<String, Object> attributes = json.readValue(rs.getString(5), LinkedHashMap.class);
    return new Subscriber(rs.getLong(1), rs.getString(2), rs.getBoolean(3), rs.getString(4), attributes,
        List.of((String[]) rs.getArray(6).getArray()), rs.getString(7), rs.getTimestamp(8).toInstant(),
        rs.getTimestamp(9).toInstant(), List.of());
  }

  private Subscriber withMemberships(Subscriber s) {
    return withMemberships(List.of(s)).getFirst();
  }

  private List<Subscriber> withMemberships(List<Subscriber> subscribers) {
    if (subscribers.isEmpty()) return subscribers;
    Map<Long, List<Membership>> byId = new java.util.HashMap<>();
    jdbc.sql("""
        select x.subscriber_id, x.list_id, l.name, x.status, x.created_at, x.confirmed_at, x.unsubscribed_at
        from subscription x join mailing_list l on l.id = x.list_id where x.subscriber_id = any(?) order by l.name""")
        .param(subscribers.stream().map(Subscriber::id).toArray(Long[]::new))
        .query(rs -> {
          byId.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(new Membership(rs.getLong(2), rs.getString(3),
              TextEnum.fromText(SubscriptionStatus.class, rs.getString(4)), rs.getTimestamp(5).toInstant(), instant(rs.getTimestamp(6)), instant(rs.getTimestamp(7))));
        });
    return subscribers.stream().map(s -> new Subscriber(s.id(), s.email(), s.smtputf8(), s.name(), s.fields(), s.tags(), s.source(),
        s.createdAt(), s.updatedAt(), byId.getOrDefault(s.id(), List.of()))).toList();
  }

  private static Instant instant(java.sql.Timestamp t) {
    return t == null ? null : t.toInstant();
  }
}
