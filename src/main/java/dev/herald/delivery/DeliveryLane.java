package dev.herald.delivery;

import dev.herald.delivery.DeliveryAttempt.NoSession;
import dev.herald.delivery.DeliveryAttempt.Opened;
import dev.herald.delivery.DeliveryAttempt.Session;
import dev.herald.delivery.DeliveryQueue.Claimed;
import dev.herald.delivery.DeliveryQueue.Result;
import dev.herald.delivery.DeliveryWorker.LaneParts;
import dev.herald.delivery.MessageSource.Answer;
import dev.herald.delivery.MessageSource.Content;
import dev.herald.delivery.MessageSource.Wanted;
import dev.herald.delivery.Route.Capture;
import dev.herald.delivery.Route.Destination;
import dev.herald.delivery.Route.Sender;
import dev.herald.delivery.Route.Server;
import dev.herald.delivery.Route.Servers;
import dev.herald.delivery.Route.Unroutable;
import dev.herald.delivery.smtp.Egress;
import dev.herald.delivery.smtp.Envelope;
import dev.herald.delivery.smtp.RecipientResult;
import dev.herald.delivery.smtp.SmtpReply;
import java.net.IDN;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lane of the worker: claims batches of one domain's due recipients and delivers each over an SMTP session that
 * stays open across messages and batches, as long as the destination's shaping allows ({@link Destinations}: a
 * connection permit, messages per connection, the rate, a pause after a throttling reply). Each recipient gets its
 * own transaction, because its message differs: its VERP return path, its signature (and later its tracking links).
 * A lane done with its session parks it in the {@link SessionCache}, where a lane of another domain routed to the same
 * servers takes it instead of opening one (its permit, and so the site's limits, go with it).
 *
 * <p>A recipient is marked delivered only after the server's 2xx to its end of data. Results are written once per
 * batch; a node that dies mid-batch leaves its recipients {@code sending} until their lease runs out, and then they
 * go again (at least once; the messages of that batch may arrive twice).
 */
final class DeliveryLane {
  private static final Logger log = LoggerFactory.getLogger(DeliveryLane.class);
  /** When a destination's connections are all in use by other lanes, its recipients wait this long. */
  static final Duration PERMIT_WAIT = Duration.ofSeconds(2);
  /** Tries of a batch's writes (about 15 s in all) before its recipients are left to their lease. */
  static final int PERSIST_TRIES = 5;
  /** When a batch's messages cannot be read (the database failed), its recipients wait this long. */
  static final Duration UNREADABLE_WAIT = Duration.ofMinutes(1);
  /** Domains whose site is remembered; past this the memory starts again (a site is learned on the next session). */
  static final int MAX_REMEMBERED_SITES = 100_000;

  private final LaneParts parts;
  private final String domain;
  private final int batchSize;
  private final Supplier<Set<Long>> held;
  private final BooleanSupplier stopping;
  private Open open;

  /** The session the lane holds, with the permit it counts against, what it was opened for and when. */
  private record Open(Servers servers, Egress egress, Site site, Session session, Destinations.Connection permit, Instant openedAt) {}

  DeliveryLane(LaneParts parts, String domain, int batchSize, Supplier<Set<Long>> held, BooleanSupplier stopping) {
    this.parts = parts;
    this.domain = domain;
    this.batchSize = batchSize;
    this.held = held;
    this.stopping = stopping;
  }

  /**
   * Claims and delivers until the domain has no due work left, or its destination's rate lets nothing more go for a
   * while (or the node stops). Once the lane knows the domain's site, it claims no more than the site's rate lets go
   * now: a batch claimed beyond it would be given back unsent and claimed again later (churn on the queue table, and
   * the rest of the batch waiting for the next poll). A short wait for the rate is spent here, the session kept open.
   */
  void run() {
    try {
      while (!stopping.getAsBoolean()) {
        Site known = open != null ? open.site() : parts.sites().get(domain);
        int limit = batchSize;
        if (known != null) {
          if (open == null && !mayConnect(parts, known)) return;
          limit = Math.min(batchSize, allowance(known));
          if (limit == 0) return; // the rows stay due, unclaimed, for a lane once the rate allows
        }
        List<Claimed> batch = parts.queue().claim(domain, limit, held.get());
        if (batch.isEmpty()) return;
        deliver(batch);
      }
    } finally {
      release();
    }
  }

  /**
   * Whether a lane may get a session to the site now: it is not paused, has a connection to spare (or one parked for
   * another lane) and the rate allows a message.
   */
  static boolean mayConnect(LaneParts parts, Site site) {
    return parts.destinations().suspendedUntil(site).isEmpty()
        && (parts.destinations().openConnections(site) < site.shaping().connectionLimit() || parts.sessions().has(site))
        && parts.destinations().allowance(site).count() > 0;
  }

  /** The longest a lane waits for its destination's rate itself; a longer wait ends the lane (the worker starts another). */
  static final Duration LANE_WAIT = Duration.ofSeconds(1);

  /** How many messages the site's rate lets go now, after a wait of at most {@link #LANE_WAIT} when none does. */
  private int allowance(Site site) {
    Destinations.Allowance allowance = parts.destinations().allowance(site);
    if (allowance.count() == 0 && waitBriefly(allowance.next())) allowance = parts.destinations().allowance(site);
    return allowance.count();
  }

  /**
   * Waits until then when it is at most {@link #LANE_WAIT} away (and the node is not stopping): the lane keeps its
   * session and its recipients rather than giving them back. False when it did not wait.
   */
  private boolean waitBriefly(Instant until) {
    Duration wait = Duration.between(parts.clock().instant(), until);
    if (wait.isNegative() || wait.compareTo(LANE_WAIT) > 0 || stopping.getAsBoolean()) return false;
    try {
      Thread.sleep(wait.toMillis() + 1);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Recipients to give back without an attempt, and when they are due again. */
  private final Map<Instant, List<Claimed>> giveBack = new LinkedHashMap<>();

  void deliver(List<Claimed> batch) {
    Instant claimedAt = parts.clock().instant();
    Duration term = parts.queue().term();
    // The batch's leases are renewed once half their term is gone (fenced: recipients taken over meanwhile are lost,
    // and not sent from here). Past half its term a lease is too close to running out for another transaction: when
    // the renewal failed, the rest is given back instead, as a new owner could take it while this node still sends it.
    Instant leaseEnd = claimedAt.plus(term);
    Set<Long> lost = new HashSet<>();
    Map<Wanted, Answer> contents;
    try {
      contents = parts.queue().run(() -> contents(batch));
    } catch (RuntimeException e) {
      log.error("The messages of a batch for {} could not be read; the batch is tried again in {}", domain, UNREADABLE_WAIT, e);
      persist("giving back", () -> parts.queue().release(batch, claimedAt.plus(UNREADABLE_WAIT)));
      return;
    }
    Map<Sender, Destination> routes = new HashMap<>();
    // One egress per sender and batch: the pool's round robin picks an address per call, and a session is kept only
    // while the egress stays the same, so asking per message would open a new session for nearly every message of an
    // organization whose pool has two addresses or more. Per batch, a pool change still shows at the next batch.
    Map<Sender, Egress> egresses = new HashMap<>();
    // Recipients of one untracked message share its one array (MessageSource.contents): their signed bytes are the
    // same, so the message is signed once for all of them in the batch (body hash, header hash and the key's
    // signature). By identity, not content: a tracked message's per-recipient copies differ and are signed each.
    Map<byte[], byte[]> signed = new IdentityHashMap<>();
    Map<Servers, NoSession> unreachable = new HashMap<>();
    Map<Servers, SmarthostRoute.Full> full = new HashMap<>();
    List<Result> results = new ArrayList<>(batch.size());
    Instant pausedUntil = null;
    List<Claimed> withdrawn = new ArrayList<>(); // their source answered not to send them (now or any more)
    for (Claimed c : batch) {
      Instant now = parts.clock().instant();
      if (!now.isBefore(leaseEnd.minus(term.dividedBy(2)))) {
        Instant renewed = renew(batch, lost, now);
        if (renewed != null) leaseEnd = renewed;
      }
      if (lost.contains(c.id())) continue; // another node's now: it sends it
      if (stopping.getAsBoolean() || (c.organizationId() != null && held.get().contains(c.organizationId()))
          || now.isAfter(leaseEnd.minus(term.dividedBy(2))) || pausedNow()) {
        later(c, now);
        continue;
      }
      if (pausedUntil != null && now.isBefore(pausedUntil)) {
        later(c, pausedUntil);
        continue;
      }
      try {
        Answer answer = contents.get(wanted(c));
        if (answer == null) throw new IllegalStateException("its source gave no message");
        if (!(answer instanceof Content content)) {
          withdrawn.add(c);
          continue;
        }
        Signers.Signing signing = parts.signers().forSender(c.organizationId(), c.from());
        Sender sender = new Sender(c.organizationId() == null ? 0 : c.organizationId(), signing.domain());
        Destination destination = routes.computeIfAbsent(sender, this::route);
        if (signing.signer().isEmpty() && destination instanceof Servers) {
          results.add(unsigned(c, now, signing.domain()));
          continue;
        }
        // Signed only once it is about to go out: a recipient given back below (its site has no connection to spare, its
        // delivery server is at its limit) would otherwise carry an RSA signature made for nothing. bench/campaign.sh
        // gave back up to 0.7 recipients per one delivered, each signed first.
        Supplier<byte[]> bytes = () -> signing.signer().isEmpty() ? content.bytes() : signed.computeIfAbsent(content.bytes(), signing.signer().get()::sign);
        Envelope envelope = new Envelope(parts.returnPath().address(c.messageId(), c.id(), ascii(signing.domain())), List.of(c.address()),
            envelopeId(c.headerMessageId()));
        long started = System.nanoTime();
        switch (destination) {
          case Unroutable u -> results.add(result(c, now, started, null, null,
              u.permanent() ? new RecipientResult.Rejected(c.address(), null, u.reason()) : new RecipientResult.Deferred(c.address(), null, u.reason())));
          case Capture capture -> results.add(result(c, now, started, null, null, parts.sandbox().capture(c.organizationId(), envelope, bytes.get()).getFirst()));
          case Servers servers -> {
            Egress egress = egresses.computeIfAbsent(sender, parts.routing()::egress);
            NoSession failed = unreachable.get(servers);
            if (failed != null) {
              results.add(noSession(c, now, started, failed));
              continue;
            }
            // A delivery server at its hourly or daily limit: the recipient waits, without an attempt, until it frees
            // (the rest of the batch for it too, without asking again).
            SmarthostRoute.Full atLimit = full.get(servers);
            if (atLimit == null) atLimit = parts.routing().take(servers).orElse(null);
            if (atLimit != null) {
              full.put(servers, atLimit);
              later(c, atLimit.until());
              continue;
            }
            Sending sending = session(servers, egress);
            if (sending instanceof Wait w && !w.pause() && waitBriefly(w.until())) sending = session(servers, egress);
            switch (sending) {
              case Wait w -> {
                later(c, w.until());
                if (w.pause()) pausedUntil = w.until();
              }
              case Failed f -> {
                unreachable.put(servers, f.none());
                results.add(noSession(c, now, started, f.none()));
              }
              case Ready r -> {
                RecipientResult result = open.session().connection().send(envelope, bytes.get()).getFirst();
                ReplyClass replyClass = ReplyClass.of(result);
                parts.destinations().report(open.site(), replyClass);
                results.add(result(c, now, started, open.session(), open.egress(), result));
                if (!open.session().connection().canSend()) close();
              }
            }
          }
        }
      } catch (RuntimeException e) {
        log.error("Delivering recipient {} of message {} failed", c.id(), c.messageId(), e);
        results.add(result(c, now, System.nanoTime(), null, null, new RecipientResult.Deferred(c.address(), null,
            "Herald could not prepare the message (" + e.getClass().getSimpleName() + "); it is tried again later")));
      }
    }
    int written = persist("recording the results", () -> parts.queue().record(results));
    if (written >= 0 && written < results.size()) {
      log.warn("{} of {} results for {} were not written: another node took their leases over", results.size() - written, results.size(), domain);
    }
    if (!withdrawn.isEmpty()) persist("ending withdrawn recipients", () -> withdraw(withdrawn, contents));
    giveBack.forEach((at, recipients) -> persist("giving back", () -> parts.queue().release(recipients, at)));
    giveBack.clear();
  }

  /**
   * Renews the leases of the batch's recipients not lost yet; those another node took over join {@code lost}. The new
   * end, or null when the renewal failed (the database): the old end stands.
   */
  private Instant renew(List<Claimed> batch, Set<Long> lost, Instant now) {
    List<Claimed> mine = batch.stream().filter(c -> !lost.contains(c.id())).toList();
    try {
      Set<Long> kept = parts.queue().renew(mine);
      for (Claimed c : mine) {
        if (!kept.contains(c.id())) lost.add(c.id());
      }
      if (kept.size() < mine.size()) {
        log.warn("{} of {} recipients of a batch for {} were taken over by another node; they are not sent from here",
            mine.size() - kept.size(), mine.size(), domain);
      }
      return now.plus(parts.queue().term());
    } catch (RuntimeException e) {
      log.warn("Renewing the leases of a batch for {} failed; what is left of it is given back once they near their end", domain, e);
      return null;
    }
  }

  /**
   * Runs a write of the batch's outcome, trying again a few times when the database fails (a restart, a full pool):
   * the mail has gone, and a lost write would send it again once the lease runs out. -1 when every try failed.
   */
  private int persist(String what, java.util.function.IntSupplier write) {
    long pause = 500;
    for (int attempt = 1; ; attempt++) {
      try {
        return write.getAsInt();
      } catch (org.springframework.dao.DataAccessException e) {
        if (attempt == PERSIST_TRIES) {
          log.error("{} for {} failed {} times; those recipients go again when their lease runs out", what, domain, attempt, e);
          return -1;
        }
        log.warn("{} for {} failed ({}); trying again", what, domain, e.getMessage());
        try {
          Thread.sleep(pause);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return -1;
        }
        pause *= 2;
      }
    }
  }

  /**
   * Whether an operator paused the domain since the claim. A failed look-up counts as paused: the recipient is given
   * back, never left unrecorded (leaving this loop by an exception would leave the batch's delivered recipients
   * {@code sending}, to go out again once the lease runs out).
   */
  private boolean pausedNow() {
    try {
      return parts.queue().paused(domain);
    } catch (RuntimeException e) {
      log.warn("Reading the queue's pauses for {} failed; the rest of the batch is given back", domain, e);
      return true;
    }
  }

  private void later(Claimed c, Instant at) {
    giveBack.computeIfAbsent(at, k -> new ArrayList<>()).add(c);
  }

  private Destination route(Sender sender) {
    try {
      return parts.routing().route(sender, DeliveryAttempt.asciiDomain(domain));
    } catch (IllegalArgumentException badName) {
      return new Unroutable(true, "not a domain name: " + domain);
    }
  }

  private Map<Wanted, Answer> contents(List<Claimed> batch) {
    Map<Wanted, Answer> contents = new HashMap<>();
    batch.stream().collect(Collectors.groupingBy(Claimed::source)).forEach((kind, claimed) -> {
      MessageSource source = parts.sources().get(kind);
      if (source == null) throw new IllegalStateException("no message source for " + kind);
      contents.putAll(source.contents(claimed.stream().map(DeliveryLane::wanted).toList()));
    });
    return contents;
  }

  private static Wanted wanted(Claimed c) {
    return new Wanted(c.messageId(), c.id(), c.ref());
  }

  private int withdraw(List<Claimed> recipients, Map<Wanted, Answer> answers) {
    List<RecipientState> states = new ArrayList<>(recipients.size());
    List<String> reasons = new ArrayList<>(recipients.size());
    for (Claimed c : recipients) {
      switch (answers.get(wanted(c))) {
        case MessageSource.NotSent n -> {
          states.add(RecipientState.FAILED);
          reasons.add(n.reason());
        }
        case MessageSource.Cancelled x -> {
          states.add(RecipientState.DELETED);
          reasons.add(x.reason());
        }
        case MessageSource.Held h -> {
          states.add(RecipientState.HELD);
          reasons.add("");
        }
        case Content sendable -> throw new IllegalStateException("not withdrawn: recipient " + c.id());
      }
    }
    return parts.queue().withdraw(recipients, states, reasons);
  }

  // ---- the session -------------------------------------------------------------------------------------------------

  /** Whether the next transaction may go now on the lane's session. */
  private sealed interface Sending {}

  private record Ready() implements Sending {}

  /** Not now: the recipient waits until then; {@code pause} when the whole destination waits (the rest of the batch too). */
  private record Wait(Instant until, boolean pause) implements Sending {}

  private record Failed(NoSession none) implements Sending {}

  /**
   * The lane's session for these servers, opened (or reopened once the last carried its share) under a permit of the
   * servers' site, and a grant of the site's shaping for one more message.
   */
  private Sending session(Servers servers, Egress egress) {
    if (open != null && !open.session().connection().canSend()) close();
    if (open != null && (!open.servers().equals(servers) || !open.egress().equals(egress))) release();
    for (int reopened = 0; reopened < 2; reopened++) {
      if (open == null) {
        Site site = parts.shaping().site(servers.servers().stream().map(Server::hostName).toList());
        if (parts.sites().size() > MAX_REMEMBERED_SITES) parts.sites().clear();
        parts.sites().put(domain, site);
        SessionCache.Key key = new SessionCache.Key(servers, egress);
        Optional<SessionCache.Parked> parked = parts.sessions().take(key);
        if (parked.isPresent()) {
          SessionCache.Parked p = parked.get();
          open = new Open(servers, egress, p.site(), p.session(), p.permit(), p.openedAt());
        } else {
          Optional<Destinations.Connection> permit = parts.destinations().open(site);
          // The site's connections all open, one of them parked for other servers or another egress: it closes, so
          // this lane does not wait for a connection nobody is using.
          if (permit.isEmpty() && parts.sessions().evict(site)) permit = parts.destinations().open(site);
          if (permit.isEmpty()) {
            Optional<Instant> suspended = parts.destinations().suspendedUntil(site);
            return new Wait(suspended.orElseGet(() -> parts.clock().instant().plus(PERMIT_WAIT)), true);
          }
          Opened opened = parts.attempt().connect(servers.servers(), egress);
          if (opened instanceof NoSession none) {
            permit.get().close();
            if (none.reply() != null) parts.destinations().report(site, ReplyClass.of(none.reply()));
            return new Failed(none);
          }
          parts.sessions().opened();
          open = new Open(servers, egress, site, (Session) opened, permit.get(), parts.clock().instant());
        }
      }
      switch (open.permit().next()) {
        case Destinations.Grant.Send s -> {
          return new Ready();
        }
        case Destinations.Grant.WaitUntil w -> {
          return new Wait(w.at(), false);
        }
        case Destinations.Grant.Suspended s -> {
          close();
          return new Wait(s.until(), true);
        }
        case Destinations.Grant.UsedUp u -> close(); // and open another
      }
    }
    throw new IllegalStateException("a fresh session refused its first message");
  }

  /**
   * The lane is done with its session (its domain has no more work for it now, or the next recipient goes elsewhere):
   * parked for another lane, unless the node stops ({@link SessionCache#park} closes what cannot carry more).
   */
  private void release() {
    if (open == null) return;
    if (stopping.getAsBoolean()) {
      close();
      return;
    }
    Open o = open;
    open = null;
    parts.sessions().park(new SessionCache.Key(o.servers(), o.egress()), o.site(), o.session(), o.permit(), o.openedAt());
  }

  private void close() {
    if (open == null) return;
    try {
      open.session().connection().close();
    } finally {
      open.permit().close();
      open = null;
    }
  }

  // ---- results -----------------------------------------------------------------------------------------------------

  /**
   * Mail whose sending domain is no longer verified, or has no key to sign with now, is held rather than sent
   * unsigned (receivers would reject it under the domain's DMARC policy, or it would hurt the domain's standing): it
   * is deferred like any temporary failure, tried again on the retry schedule, and expires at the give-up age if the
   * domain does not come back. The sandbox still captures it, and an unroutable one ends as it would (nothing leaves).
   */
  private Result unsigned(Claimed c, Instant at, String sendingDomain) {
    return result(c, at, System.nanoTime(), null, null, new RecipientResult.Deferred(c.address(), null, HELD_UNSIGNED.formatted(sendingDomain)));
  }

  static final String HELD_UNSIGNED =
      "Held by Herald: the sending domain %s is not verified or has no active DKIM key, and mail is not sent unsigned; it is tried again later";

  private Result noSession(Claimed c, Instant at, long started, NoSession none) {
    return result(c, at, started, null, null, none.permanent()
        ? new RecipientResult.Rejected(c.address(), none.reply(), none.reason())
        : new RecipientResult.Deferred(c.address(), none.reply(), none.reason()));
  }

  /** A recipient's result: delivered, bounced, or deferred until its next retry (expired past the give-up age). */
  private Result result(Claimed c, Instant at, long started, Session session, Egress egress, RecipientResult r) {
    int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(0, (System.nanoTime() - started) / 1_000_000));
    SmtpReply reply = r.reply();
    RecipientState state;
    Instant next = null;
    switch (r) {
      case RecipientResult.Accepted a -> state = RecipientState.DELIVERED;
      case RecipientResult.Rejected j -> state = RecipientState.BOUNCED;
      case RecipientResult.Deferred d -> {
        switch (parts.retry().next(c.queuedAt(), c.attempts() + 1, parts.clock().instant())) {
          case RetrySchedule.Next.RetryAt retry -> {
            state = RecipientState.DEFERRED;
            next = retry.at();
          }
          default -> state = RecipientState.EXPIRED;
        }
      }
    }
    return new Result(c, state, next, at,
        session == null ? null : session.server().hostName(),
        session == null ? null : session.address().getHostAddress(),
        egress == null || egress.source() == null ? null : egress.source().getHostAddress(),
        reply == null ? null : reply.code(), reply == null ? null : reply.enhancedCode(), r.reason(), millis);
  }

  /**
   * The DSN envelope id (RFC 3461 ENVID) that a delivery status notification quotes back: the Message-ID, when it is
   * printable ASCII and short enough for the SMTP client to send (else none; the VERP return path still identifies the
   * recipient).
   */
  static String envelopeId(String messageId) {
    if (messageId == null || messageId.isEmpty() || messageId.length() > 100) return null;
    for (int i = 0; i < messageId.length(); i++) {
      char ch = messageId.charAt(i);
      if (ch <= 0x20 || ch >= 0x7f) return null;
    }
    return messageId;
  }

  private static String ascii(String domain) {
    return IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED).toLowerCase(java.util.Locale.ROOT);
  }
}
