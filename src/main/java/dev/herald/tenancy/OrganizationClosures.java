package dev.herald.tenancy;

import dev.herald.platform.Refused;
import dev.herald.platform.Settings;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Tenancy's part of an account closure (privacy's {@code AccountClosure} drives it): the organization's closed state,
 * which holds its sending, API keys and hosted pages at once through the same checks as a suspension
 * ({@link Organizations#suspendedIds}, {@link Organizations#isSuspended}, {@link RouteAuthorization}), reopening it
 * within the grace period, and its deletion once the period is over.
 */
@Service
public class OrganizationClosures {
  private final Organizations organizations;
  private final OrganizationLifecycle lifecycle;
  private final Settings settings;
  private final AuditLog audit;
  private final Clock clock;

  OrganizationClosures(Organizations organizations, OrganizationLifecycle lifecycle, Settings settings, AuditLog audit, Clock clock) {
    this.organizations = organizations;
    this.lifecycle = lifecycle;
    this.settings = settings;
    this.audit = audit;
    this.clock = clock;
  }

  /** An organization as its closure page and purge see it; {@code closedAt} and {@code purgeAfter} null while open. */
  public record Closure(long organizationId, String slug, String name, Instant closedAt, Instant purgeAfter, List<String> ownerEmails) {
    public boolean closed() {
      return closedAt != null;
    }
  }

  public Optional<Closure> of(long organizationId) {
    return organizations.byId(organizationId).map(this::closure);
  }

  private Closure closure(Organizations.Organization o) {
    return new Closure(o.id(), o.slug(), o.name(), o.closedAt(), o.purgeAfter(), organizations.ownerEmails(o.id()));
  }

  /**
   * Closes the organization: from this commit its mail is held and its API keys refused. {@code confirmation} is
   * what the owner typed and must be the organization's slug.
   */
  @Transactional
  public Closure close(long organizationId, String confirmation) {
    Organizations.Organization org = organizations.byId(organizationId).orElseThrow(() -> Refused.notFound("Organization " + organizationId));
    if (confirmation == null || !confirmation.strip().equals(org.slug())) {
      throw Refused.invalid("confirm", "Type the organization's slug " + org.slug() + " exactly to close it; nothing changed.");
    }
    if (org.closed()) throw Refused.conflict("confirm", "The organization is closed already.");
    Instant now = clock.instant();
    Instant purgeAfter = now.plus(settings.closureGrace());
    organizations.close(organizationId, now, purgeAfter);
    String detail = "purge after " + purgeAfter;
    audit.record(organizationId, "organization.closed", "organization", organizationId, detail);
    audit.record(null, "organization.closed", "organization", organizationId, org.slug() + ": " + detail);
    return of(organizationId).orElseThrow();
  }

  /** Reopens a closed organization whose grace period has not ended; its held mail and jobs go on. */
  @Transactional
  public Closure reopen(long organizationId) {
    Organizations.Organization org = organizations.byId(organizationId).orElseThrow(() -> Refused.notFound("Organization " + organizationId));
    if (!org.closed()) throw Refused.conflict("organization", "The organization is open; there is nothing to reopen.");
    if (!clock.instant().isBefore(org.purgeAfter())) {
      throw Refused.conflict("organization", "The grace period ended on " + org.purgeAfter() + "; the organization is being deleted.");
    }
    organizations.reopen(organizationId);
    audit.record(organizationId, "organization.reopened", "organization", organizationId, "closed since " + org.closedAt());
    audit.record(null, "organization.reopened", "organization", organizationId, org.slug() + " closed since " + org.closedAt());
    return of(organizationId).orElseThrow();
  }

  /** Closed organizations whose grace period ended by now, oldest first. */
  public List<Closure> purgeDue(int limit) {
    return organizations.purgeDue(clock.instant(), limit).stream().map(this::closure).toList();
  }

  /**
   * Deletes a closed organization whose grace period ended, in the caller's transaction (the purge job's, fenced by its
   * lease): every {@link OrganizationPurge} first, then the organization's row, which cascades to every table that
   * belongs to it. False, deleting nothing, when it was reopened or is gone already.
   */
  @Transactional
  public boolean purge(long organizationId) {
    Optional<Organizations.Organization> org = organizations.byId(organizationId);
    if (org.isEmpty() || !org.get().closed() || clock.instant().isBefore(org.get().purgeAfter())) return false;
    organizations.lock(organizationId);
    lifecycle.purge(organizationId, "closed by its owner on " + org.get().closedAt());
    return true;
  }
}
