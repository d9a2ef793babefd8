package dev.herald.audiences;

import dev.herald.audiences.Imports.SubscribersImported;
import dev.herald.platform.Leases;
import dev.herald.platform.SqlFragment;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Phase 2 of an import: merges the staged rows set-wise in one transaction, as named steps. Rows are set
 * aside with their line and reason (duplicates, suppressed addresses, people who complained, bounced or
 * unsubscribed), the rest become subscribers, subscriptions and consent records, and the job is finished.
 * After the commit, an import "as unconfirmed" mails the confirmations.
 *
 * <p>Each step is reported as it starts ({@link ImportStep}, with what the merge found so far) in a
 * transaction of its own, so the panel and the API follow the merge while it runs. The statements are
 * written so that no plan of theirs reads {@code import_row} again for each row, and the staging analyzes
 * the job's rows before (see {@link ImportStaging}): ImportTest checks their plans for a second job.
 */
@Component
class ImportMerge {
  private static final Logger log = LoggerFactory.getLogger(ImportMerge.class);
  /** The merge transaction's work_mem: PostgreSQL's default (4 MB) sends its hash joins to disk from a few 100,000 rows. */
  static final String WORK_MEM = "64MB";
  private final JdbcClient jdbc;
  private final ImportTransactions tx;
  private final Leases leases;
  private final SuppressionScreen screen;
  private final MailingLists lists;
  private final DoubleOptIn doubleOptIn;
  private final ApplicationEventPublisher events;
  private final java.time.Clock clock;

  ImportMerge(JdbcClient jdbc, ImportTransactions tx, @Qualifier(ImportLeases.BEAN) Leases leases, SuppressionScreen screen,
      MailingLists lists, DoubleOptIn doubleOptIn, ApplicationEventPublisher events, java.time.Clock clock) {
    this.clock = clock;
    this.jdbc = jdbc;
    this.tx = tx;
    this.leases = leases;
    this.screen = screen;
    this.lists = lists;
    this.doubleOptIn = doubleOptIn;
    this.events = events;
  }

  /** Subscribers the merge inserted and updated. */
  record Counts(long inserted, long updated) {}

  /**
   * What the merge found so far: rows it set aside, subscribers it inserted and updated, and existing people
   * it only added to the list or whose status there it changed (their subscriber row stayed as it was).
   */
  private static final class Found {
    long setAside;
    long inserted;
    long updated;
    long subscriptionChanged;
  }

  /** Returns false when the job was taken over before the merge: then nothing is merged. */
  boolean merge(ImportRun job, long staged) {
    boolean merged = Boolean.TRUE.equals(tx.execute(status -> {
      if (!holdJob(job)) return false;
      // The hash joins of the merge (a million rows' keys and ids) stay in memory; for this transaction only.
      jdbc.sql("select set_config('work_mem', ?, true)").param(WORK_MEM).query(String.class).single();
      var p = parameters(job);
      Found found = new Found();
      report(job, ImportStep.CHECKING_DUPLICATES, found);
      found.setAside += markDuplicates(p);
      report(job, ImportStep.SCREENING, found);
      found.setAside += screenSuppressed(job.orgId(), p);
      found.setAside += screenPeopleWhoLeft(p);
      recordSetAside(p);
      report(job, ImportStep.MERGING, found);
      Counts counts = upsertSubscribers(job, p);
      found.inserted = counts.inserted();
      found.updated = counts.updated();
      report(job, ImportStep.WRITING_CONSENT, found);
      found.subscriptionChanged = writeSubscriptionsAndConsent(job, p);
      recordWithdrawals(p);
      finishJob(job, counts, found);
      return true;
    }));
    if (!merged) return false;
    log.info("Import {} finished: {} rows staged", job.id(), staged);
    if (job.importAs() == SubscriptionStatus.UNCONFIRMED) {
      // After the commit: the import is finished whatever happens here, so a failure must not fail the job.
      try {
        mailConfirmations(job);
      } catch (RuntimeException e) {
        log.error("Import {} finished, but mailing its confirmations failed; they can be re-sent from the subscriber page or the API",
            job.id(), e);
      }
    }
    return true;
  }

  /** The named parameters of the merge's statements. */
  static Map<String, Object> parameters(ImportRun job) {
    return Map.of("job", job.id(), "org", job.orgId(), "list", job.listId(), "importAs", job.importAs().text(),
        "basis", job.basis(), "overwrite", job.overwrite(), "tags", job.tags().toArray(String[]::new));
  }

  /** Every statement the merge runs over the staged rows, in order, with all its parameters (for the plan regression test). */
  List<Statement> statements(ImportRun job) {
    Map<String, Object> p = parameters(job);
    return List.of(new Statement(DUPLICATES, p), suppressionScreening(job.orgId(), p), new Statement(PEOPLE_WHO_LEFT, p),
        recordSetAsideStatement(p), new Statement(UPSERT_SUBSCRIBERS, p), new Statement(SUBSCRIPTIONS_AND_CONSENT, p),
        new Statement(WITHDRAWALS, p));
  }

  /**
   * The job enters {@code step}: the previous step ends, and what the merge found so far is shown. Committed
   * apart from the merge, whose transaction keeps the job's row locked; this writes only {@code import_step}.
   */
  private void report(ImportRun job, ImportStep step, Found found) {
    tx.apart(() -> {
      jdbc.sql("update import_step set finished_at = clock_timestamp() where job_id = ? and finished_at is null").param(job.id()).update();
      jdbc.sql("""
          insert into import_step (job_id, step, started_at, set_aside, inserted, updated, subscription_changed)
          values (?, ?, clock_timestamp(), ?, ?, ?, ?)
          on conflict (job_id, step) do update set started_at = excluded.started_at, finished_at = null,
            set_aside = excluded.set_aside, inserted = excluded.inserted, updated = excluded.updated,
            subscription_changed = excluded.subscription_changed""")
          .params(job.id(), step.text(), found.setAside, found.inserted, found.updated, found.subscriptionChanged).update();
    });
  }

  /**
   * Fencing: renewing the lease checks the job is still this attempt's and locks its row for the whole
   * merge, which keeps claims (FOR UPDATE SKIP LOCKED) away from it until this transaction ends.
   */
  private boolean holdJob(ImportRun job) {
    if (leases.renew(job.lease()) == Leases.Outcome.DONE) return true;
    log.warn("Import {} was taken over by another node before its merge; this attempt stops", job.id());
    return false;
  }

  /**
   * Duplicates inside the file: the first line wins. A window over the job's rows, joined back by row
   * address: the self-join on {@code email_key} it replaces was planned, on statistics of an earlier job,
   * as a nested loop that grouped the whole job again for every row (a second 300,000-row import ran for
   * 15 minutes). Whatever the estimates, this reads the job's rows once and finds each duplicate by its ctid.
   */
  private long markDuplicates(Map<String, Object> p) {
    return jdbc.sql(DUPLICATES).params(p).update();
  }

  static final String DUPLICATES = """
      update import_row r set skip = 'duplicate of line ' || d.first_line
      from (select row_id, first_line from (
              select ctid as row_id, line, min(line) over (partition by email_key) as first_line
              from import_row where job_id = :job) w
            where line <> first_line) d
      where r.ctid = d.row_id and r.job_id = :job""";

  /**
   * Suppressed or erased addresses (this organization's list or the installation's) are never added; rows
   * that only record that people left or bounced are set aside only for erased people.
   */
  private long screenSuppressed(long orgId, Map<String, Object> p) {
    Statement screening = suppressionScreening(orgId, p);
    return jdbc.sql(screening.sql()).params(screening.params()).update();
  }

  /** A statement with all its parameters. */
  record Statement(String sql, Map<String, Object> params) {}

  /**
   * Sets aside the rows of {@code :job} whose address is suppressed; {@code callers}: the merge's own
   * parameters ({@code :job}, {@code :importAs}). One table, no self-join:
   * import_row is never analyzed (it lives for one import), so for a join the planner guessed a handful
   * of rows and chose a nested loop over a million (a benchmark run sat in it for minutes). The
   * expression runs a second time only for the rows it refuses.
   */
  Statement suppressionScreening(long orgId, Map<String, ?> callers) {
    SqlFragment refusal = screen.refusalSql(orgId, "r", "refusal_");
    SqlFragment erased = screen.erasedSql(orgId, "r", "erased_");
    String sql = "update import_row r set skip = " + refusal.sqlOver("r") + " where r.job_id = :job and r.skip is null and ("
        + "(coalesce(r.row_status, :importAs) in ('subscribed', 'unconfirmed') and " + refusal.sqlOver("r") + " is not null)"
        + " or (coalesce(r.row_status, :importAs) not in ('subscribed', 'unconfirmed') and " + erased.sqlOver("r") + "))";
    // paramsWith refuses a name both the merge and a fragment use, which binding them one after the other would let pass.
    return new Statement(sql, refusal.paramsWith(erased.paramsWith(callers)));
  }

  /** Never re-subscribe people who complained (anywhere in the organization), bounced or unsubscribed from this list. */
  private long screenPeopleWhoLeft(Map<String, Object> p) {
    return jdbc.sql(PEOPLE_WHO_LEFT).params(p).update();
  }

  static final String PEOPLE_WHO_LEFT = """
        update import_row r set skip = case
            when exists (select 1 from subscription c join mailing_list cl on cl.id = c.list_id
                         where c.subscriber_id = s.id and cl.organization_id = :org and c.status = 'complained')
              then 'complained before; an import never re-subscribes this address'
            else 'already ' || x.status || ' on this list; an import does not re-subscribe it' end
        from subscriber s left join subscription x on x.subscriber_id = s.id and x.list_id = :list
        where r.job_id = :job and r.skip is null and coalesce(r.row_status, :importAs) in ('subscribed', 'unconfirmed')
          and s.organization_id = :org and s.email_key = r.email_key
          and (x.status in ('unsubscribed', 'bounced', 'complained')
               or exists (select 1 from subscription c join mailing_list cl on cl.id = c.list_id
                          where c.subscriber_id = s.id and cl.organization_id = :org and c.status = 'complained'))""";

  /** The rows set aside by the steps above join those the checks refused while staging, with line and reason. */
  private void recordSetAside(Map<String, Object> p) {
    Statement s = recordSetAsideStatement(p);
    jdbc.sql(s.sql()).params(s.params()).update();
  }

  /** An erased person's line is recorded without the address: setting them aside must not store them again. */
  private Statement recordSetAsideStatement(Map<String, Object> p) {
    Map<String, Object> params = new java.util.HashMap<>(p);
    params.put("erasedRefusal", screen.erasedRefusal());
    params.put("notKept", ERASED_VALUE);
    return new Statement(RECORD_SET_ASIDE, params);
  }

  static final String ERASED_VALUE = "(not kept: a person erased at their request)";

  static final String RECORD_SET_ASIDE = """
        insert into import_error (job_id, line, reason, value)
        select job_id, line, skip, case when skip = :erasedRefusal then :notKept else email end
        from import_row where job_id = :job and skip is not null""";

  /**
   * Subscribers: insert new ones; existing ones are updated (overwrite) or only filled in (keep existing).
   * An existing subscriber the row would not change is left alone: no new row version (every index of
   * {@code subscriber} would take an entry for it), not counted or published as updated. The {@code WHERE}
   * repeats the {@code SET} expressions; tags change only when the row brings one the subscriber lacks.
   * Publishes whom it created ("import_created") and whom it updated ("import_updated"), as
   * {@link BulkActions.SubscribersChangedInBulk} batches read from the statement as its rows arrive.
   */
  private Counts upsertSubscribers(ImportRun job, Map<String, Object> p) {
    var created = new Batches(job, "import_created");
    var updated = new Batches(job, "import_updated");
    jdbc.sql(UPSERT_SUBSCRIBERS).params(p).withFetchSize(BulkActions.EVENT_BATCH)
        .query((org.springframework.jdbc.core.RowCallbackHandler) rs -> (rs.getBoolean(2) ? created : updated).add(rs.getLong(1)));
    return new Counts(created.flush(), updated.flush());
  }

  static final String UPSERT_SUBSCRIBERS = """
        insert into subscriber as s (organization_id, email, email_key, smtputf8, name, attributes, tags, source)
        select :org, email, email_key, smtputf8, coalesce(name, ''), attributes,
               array(select distinct unnest(tags || cast(:tags as text[]))), 'import'
        from import_row where job_id = :job and skip is null
        on conflict (organization_id, email_key) do update set
          name = case when :overwrite and excluded.name <> '' then excluded.name
                      when s.name = '' then excluded.name else s.name end,
          attributes = case when :overwrite then s.attributes || excluded.attributes else excluded.attributes || s.attributes end,
          tags = array(select distinct unnest(s.tags || excluded.tags)),
          updated_at = now()
        where (case when :overwrite and excluded.name <> '' then excluded.name when s.name = '' then excluded.name else s.name end)
                <> s.name
           or (case when :overwrite then s.attributes || excluded.attributes else excluded.attributes || s.attributes end)
                <> s.attributes
           or not (excluded.tags <@ s.tags)
        returning s.id, (xmax = 0) as inserted""";

  /**
   * The subscriber ids of one kind of change, published {@link BulkActions#EVENT_BATCH} at a time in the
   * merge's transaction (see {@link BulkActions.SubscribersChangedInBulk} on why batches of ids).
   */
  private final class Batches {
    private final ImportRun job;
    private final String action;
    private final java.time.Instant at = clock.instant();
    private final List<Long> batch = new java.util.ArrayList<>(BulkActions.EVENT_BATCH);
    private long total;

    Batches(ImportRun job, String action) {
      this.job = job;
      this.action = action;
    }

    void add(long subscriberId) {
      batch.add(subscriberId);
      total++;
      if (batch.size() == BulkActions.EVENT_BATCH) publish();
    }

    /** Publishes what is left; returns how many ids were added in all. */
    long flush() {
      if (!batch.isEmpty()) publish();
      return total;
    }

    private void publish() {
      events.publishEvent(new BulkActions.SubscribersChangedInBulk(job.orgId(), action, job.listId(), null, batch, at));
      batch.clear();
    }
  }

  /**
   * Subscriptions, and a consent record for each one this import created or changed. A row's own status
   * (Mailchimp's UNSUB_TIME, CLEAN_TIME) wins over the job's. An existing subscription is never demoted from
   * subscribed to unconfirmed (that would stop mail to confirmed people), and a complaint is never overwritten.
   * Publishes whose subscription on the job's list it created or changed ("import_subscription"), in batches.
   *
   * <p>The job's rows are joined to their subscribers once ({@code incoming}), for the subscriptions and again
   * for the consent records by subscriber id, instead of looking each row up twice. Subscriptions that would
   * not change are left out before the insert: {@code ON CONFLICT DO UPDATE} locks (and so writes) every row
   * it meets even when its {@code WHERE} then keeps it as it is, a million locks for an update import. The
   * same {@code WHERE} stays on the conflict, for a subscription written by someone else meanwhile.
   *
   * <p>Returns how many existing people only had their subscription changed: added to the list, or their status
   * on it changed, while their subscriber row stayed as it was. Each person is counted once: one whose row the
   * upsert also changed is already counted as updated, and a new one as inserted. Whether the upsert wrote a
   * subscriber's row is read from the row itself: a row this transaction inserted or updated carries its
   * transaction id as {@code xmin} (the merge runs in one transaction without savepoints).
   */
  private long writeSubscriptionsAndConsent(ImportRun job, Map<String, Object> p) {
    var changed = new Batches(job, "import_subscription");
    long[] onlySubscription = {0};
    jdbc.sql(SUBSCRIPTIONS_AND_CONSENT).params(p).withFetchSize(BulkActions.EVENT_BATCH)
        .query((org.springframework.jdbc.core.RowCallbackHandler) rs -> {
          changed.add(rs.getLong(1));
          if (!rs.getBoolean(2)) onlySubscription[0]++;
        });
    changed.flush();
    return onlySubscription[0];
  }

  static final String SUBSCRIPTIONS_AND_CONSENT = """
        with incoming as materialized (
          select s.id as subscriber_id, coalesce(r.row_status, :importAs) as status, r.optin_ip, r.optin_time, r.confirm_time,
                 r.status_time, s.xmin = pg_current_xact_id()::xid as subscriber_written
          from import_row r join subscriber s on s.organization_id = :org and s.email_key = r.email_key
          where r.job_id = :job and r.skip is null),
        changed as (
          insert into subscription as x (list_id, subscriber_id, status, source, confirmed_at, unsubscribed_at)
          select :list, i.subscriber_id, i.status, 'import',
                 case when i.status = 'subscribed' then coalesce(i.confirm_time, now()) end,
                 case when i.status = 'unsubscribed' then coalesce(i.status_time, now()) end
          from incoming i left join subscription y on y.list_id = :list and y.subscriber_id = i.subscriber_id
          where y.subscriber_id is null or (y.status is distinct from i.status and y.status <> 'complained'
                                            and not (y.status = 'subscribed' and i.status = 'unconfirmed'))
          on conflict (list_id, subscriber_id) do update set status = excluded.status, updated_at = now(),
            confirmed_at = coalesce(x.confirmed_at, excluded.confirmed_at), unsubscribed_at = excluded.unsubscribed_at
            where x.status is distinct from excluded.status and x.status <> 'complained'
              and not (x.status = 'subscribed' and excluded.status = 'unconfirmed')
          returning x.subscriber_id),
        written as (
          select i.* from changed c join incoming i on i.subscriber_id = c.subscriber_id),
        consented as (
          insert into consent_record (organization_id, subscriber_id, list_id, channel, channel_ref, basis, ip, given_at,
                                      confirmed_at, withdrawn_at)
          select :org, w.subscriber_id, :list, 'import', 'import:' || :job, :basis, w.optin_ip, coalesce(w.optin_time, now()),
                 case when w.status = 'subscribed' then coalesce(w.confirm_time, now()) end,
                 case when w.status = 'unsubscribed' then coalesce(w.status_time, now()) end
          from written w)
        select subscriber_id, subscriber_written from written""";

  /**
   * People the file says left (a row's status, or the job's, is unsubscribed) withdrew, as if they had left in the
   * preference centre: {@code subscriber.withdrawn_at} keeps that after their subscription changes (a later import
   * marks it bounced, a member removes it), so a hosted form signs them up again only after they confirm by mail.
   * The time is the source's, when it says when they left.
   */
  private void recordWithdrawals(Map<String, Object> p) {
    jdbc.sql(WITHDRAWALS).params(p).update();
  }

  static final String WITHDRAWALS = """
        update subscriber s set withdrawn_at = greatest(s.withdrawn_at, coalesce(r.status_time, now()))
        from import_row r
        where r.job_id = :job and r.skip is null and coalesce(r.row_status, :importAs) = 'unsubscribed'
          and s.organization_id = :org and s.email_key = r.email_key
          -- a row that would not move withdrawn_at forward writes no new row version
          and s.withdrawn_at is distinct from greatest(s.withdrawn_at, coalesce(r.status_time, now()))""";

  /**
   * Drops the staged rows and the stored file, finishes the job (the lease's own write; the job is locked
   * by {@link #holdJob} since the start, so it cannot be lost here) with its counts, and publishes one
   * {@link SubscribersImported} with the counts (whom the import touched went out in the steps' batches).
   */
  private void finishJob(ImportRun job, Counts counts, Found found) {
    jdbc.sql("delete from import_row where job_id = ?").param(job.id()).update();
    if (leases.finish(job.lease()) == Leases.Outcome.LOST) throw new ImportRun.LeaseLost(job);
    // clock_timestamp(), not now(): now() is when this transaction began, before the whole merge.
    jdbc.sql("""
        update import_job set finished_at = clock_timestamp(), content = null,
          processed_rows = total_rows, inserted = ?, updated = ?, subscription_changed = ?, skipped = skipped + ? where id = ?""")
        .params(counts.inserted(), counts.updated(), found.subscriptionChanged, found.setAside, job.id()).update();
    jdbc.sql("update import_step set finished_at = clock_timestamp() where job_id = ? and finished_at is null").param(job.id()).update();
    events.publishEvent(new SubscribersImported(job.orgId(), job.listId(), job.id(), counts.inserted(), counts.updated(),
        found.subscriptionChanged, jdbc.sql("select skipped from import_job where id = ?").param(job.id()).query(Long.class).single()));
  }

  /**
   * An import "as unconfirmed" asks each person to confirm: the subscriptions it left unconfirmed get the
   * double opt-in mail, after the merge committed. If the node stops half-way, the rest can be re-sent from
   * the subscriber page or the API; nobody is subscribed without confirming either way.
   */
  private void mailConfirmations(ImportRun job) {
    MailingLists.MailingList list = lists.basic(job.orgId(), job.listId()).orElse(null);
    if (list == null) return;
    List<Long> waiting = jdbc.sql("""
        select x.subscriber_id from subscription x
        where x.list_id = ? and x.status = 'unconfirmed'
          and exists (select 1 from consent_record c where c.subscriber_id = x.subscriber_id and c.list_id = x.list_id
                      and c.channel_ref = ?)""").params(job.listId(), "import:" + job.id()).query(Long.class).list();
    int sent = 0;
    for (long subscriberId : waiting) if (doubleOptIn.sendConfirmation(job.orgId(), subscriberId, list)) sent++;
    log.info("Import {}: {} confirmation mails sent, {} held back by the per-address limit", job.id(), sent, waiting.size() - sent);
  }
}
