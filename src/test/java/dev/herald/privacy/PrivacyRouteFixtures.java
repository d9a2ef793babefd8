package dev.herald.privacy;

import dev.herald.testsupport.RouteFixtures;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
/**
 * For the route walk: a finished account export of the organization, and a purge certificate naming it; a breach
 * incident that affected the organization (its members notified), and a sub-processor named after it for the operator's
 * routes; a data-subject request (its note carries the organization's name), and the slug for its self-service page.
 */
class PrivacyRouteFixtures implements RouteFixtures {
  private final JdbcClient jdbc;
  private final BreachIncidents incidents;
  private final SubProcessors subProcessors;
  private final DataSubjectRequests requests;

  PrivacyRouteFixtures(JdbcClient jdbc, BreachIncidents incidents, SubProcessors subProcessors, DataSubjectRequests requests) {
    this.jdbc = jdbc;
    this.incidents = incidents;
    this.subProcessors = subProcessors;
    this.requests = requests;
  }

  @Override
  public Map<String, ?> create(Organization org) {
    long export = jdbc.sql("""
        insert into organization_export (organization_id, status, parts_total, parts_done, finished_at, expires_at)
        values (?, 'finished', 1, 1, now(), now() + interval '7 days') returning id""").param(org.id()).query(Long.class).single();
    jdbc.sql("insert into organization_export_chunk (export_id, seq, bytes) values (?, 0, ?)").params(export, new byte[] {'P', 'K'}).update();
    // A purge of an organization that no longer exists (the purged one's id is never reused: a sequence), named after this one.
    long purge = jdbc.sql("""
        insert into organization_purge (organization_id, organization_name, organization_slug, closed_at, purge_after, status, purged_at,
          certificate) values (-?, ?, ?, now(), now(), 'finished', now(), '{"deleted": {}}') returning id""")
        .params(org.id(), org.name(), org.slug()).query(Long.class).single();
    long incident = incidents.record(new BreachIncidents.NewIncident(org.name() + " incident", "Route walk.", Instant.now(), false,
        List.of(org.id()), List.of("contact")), "route-walk").id();
    long subProcessor = subProcessors.add(org.name() + " hosting", "hosting", "EU", "").id();
    String address = "asker@" + org.slug().toLowerCase(Locale.ROOT) + ".example.com";
    long request = requests.open(org.id(), RequestType.ACCESS, address, RequestChannel.PANEL, "test", org.name() + " request").id();
    return Map.of("exports/{id}", export, "account-exports/{id}", export, "/operator/purges/{id}", purge, "breaches/{id}", incident,
        "breach-notices/{id}", incident, "sub-processors/{id}", subProcessor, "privacy/requests/{id}", request,
        "privacy/o/{slug}", org.slug());
  }
}
