package dev.herald.tenancy;

import static dev.herald.tenancy.Permission.*;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * THE table: every route Herald serves and what it takes to use it (DESIGN.md, security rule 1).
 * A request that matches no row is never served, and a test fails if a controller maps a route that
 * is not here. (Someone who may know the path answers 404 or 405 for it: see {@link RouteAuthorization}.) {@code {org}} in a pattern is the organization's slug; the caller must belong to it.
 */
final class AccessRules {

  sealed interface Requirement permits Public, SignedIn, Operator, Member, Needs {}
  /** anyone, signed in or not */
  record Public() implements Requirement {}
  /** any signed-in person (sessions only; API keys are bound to an organization) */
  record SignedIn() implements Requirement {}
  /** the installation's operator */
  record Operator() implements Requirement {}
  /** any member of {org}, or an API key of {org} */
  record Member() implements Requirement {}
  /** a member of {org}, or an API key of {org}, holding this permission */
  record Needs(Permission permission) implements Requirement {}

  record Rule(HttpMethod method, PathPattern pattern, Requirement requirement) {
    boolean matches(HttpMethod m, PathContainer path) {
      return (method == null || method.equals(m)) && pattern.matches(path);
    }
  }

  private static final PathPatternParser PARSER = PathPatternParser.defaultInstance;
  private static final HttpMethod ANY = null;
  private static final HttpMethod GET = HttpMethod.GET, POST = HttpMethod.POST, DELETE = HttpMethod.DELETE,
      PUT = HttpMethod.PUT, PATCH = HttpMethod.PATCH;

  /** The closure page of an organization (see privacy's account closure): what its members still reach once it is closed. */
  static final String CLOSURE = "/o/{org}/closure";

  static final List<Rule> RULES = List.of(
      // public: sign-in and the flows that lead to it, static assets, health, API documents
      rule(GET, "/", new Public()),
      rule(ANY, "/login", new Public()),
      rule(ANY, "/login/2fa", new Public()),
      rule(POST, "/logout", new Public()),
      rule(ANY, "/setup", new Public()),
      rule(ANY, "/signup", new Public()),
      rule(ANY, "/signup/confirm", new Public()),
      rule(ANY, "/password/forgot", new Public()),
      rule(ANY, "/password/reset", new Public()),
      rule(ANY, "/invitations/accept", new Public()),
      rule(ANY, "/error", new Public()),
      rule(GET, "/webjars/**", new Public()),
      rule(GET, "/assets/**", new Public()),
      // the template editors' scripts and styles (content)
      rule(GET, "/content/**", new Public()),
      rule(GET, "/favicon.ico", new Public()),
      rule(GET, "/actuator/health", new Public()),
      rule(GET, "/actuator/health/**", new Public()),
      rule(GET, "/actuator/prometheus", new Public()),
      rule(GET, "/api/openapi.json", new Public()),
      rule(GET, "/api/openapi.json/**", new Public()),
      rule(GET, "/api/openapi.json.yaml", new Public()),
      // The API's documentation is for anyone: it describes Herald's code, the same on every installation, and
      // holds nothing of this one's data; a client generator can fetch it without a key. /api/docs redirects to
      // Swagger UI's own page and assets under /api/swagger-ui/.
      rule(GET, "/api/docs", new Public()),
      rule(GET, "/api/docs/**", new Public()),
      rule(GET, "/api/swagger-ui/**", new Public()),

      // any signed-in person: their own account
      rule(GET, "/dashboard", new SignedIn()),
      rule(POST, "/orgs", new SignedIn()),
      rule(GET, "/account", new SignedIn()),
      rule(POST, "/account/password", new SignedIn()),
      rule(POST, "/account/2fa/start", new SignedIn()),
      rule(POST, "/account/2fa/confirm", new SignedIn()),
      rule(POST, "/account/2fa/disable", new SignedIn()),
      rule(POST, "/account/sessions/revoke", new SignedIn()),
      rule(POST, "/account/delete", new SignedIn()),
      rule(ANY, "/account/terms", new SignedIn()),
      rule(GET, "/api/v1/me", new SignedIn()),

      // the operator
      rule(GET, "/operator", new Operator()),
      rule(POST, "/operator/settings", new Operator()),
      rule(POST, "/operator/policies", new Operator()),
      rule(GET, "/operator/audit", new Operator()),
      rule(GET, "/operator/sandbox-mailbox", new Operator()),
      rule(GET, "/operator/delivery", new Operator()),
      rule(POST, "/operator/delivery", new Operator()),
      rule(GET, "/api/v1/operator/delivery", new Operator()),
      rule(PUT, "/api/v1/operator/delivery", new Operator()),
      rule(GET, "/operator/domains/{id}", new Operator()),
      rule(POST, "/operator/domains/{id}/check", new Operator()),
      rule(POST, "/operator/domains/{id}/rotate", new Operator()),
      rule(POST, "/operator/domains/{id}/signatures", new Operator()),
      rule(POST, "/operator/domains/{id}/delete", new Operator()),
      rule(POST, "/operator/domains/{id}/keys/{keyId}/delete", new Operator()),
      rule(GET, "/operator/organizations", new Operator()),
      rule(POST, "/operator/organizations/{id}/suspend", new Operator()),
      rule(POST, "/operator/organizations/{id}/resume", new Operator()),
      rule(POST, "/operator/organizations/{id}/delete", new Operator()),
      rule(GET, "/operator/purges", new Operator()),
      rule(GET, "/operator/purges/{id}/certificate", new Operator()),
      rule(GET, "/operator/users", new Operator()),
      rule(POST, "/operator/users/{id}/lock", new Operator()),
      rule(POST, "/operator/users/{id}/unlock", new Operator()),
      rule(GET, "/api/v1/operator/users", new Operator()),
      rule(POST, "/api/v1/operator/users/{id}/lock", new Operator()),
      rule(POST, "/api/v1/operator/users/{id}/unlock", new Operator()),
      rule(GET, "/operator/suppressions", new Operator()),
      rule(POST, "/operator/suppressions", new Operator()),
      rule(GET, "/operator/suppressions/check", new Operator()),
      rule(POST, "/operator/suppressions/{id}/delete", new Operator()),
      rule(GET, "/operator/sender-alerts", new Operator()),
      rule(POST, "/operator/sender-alerts/{id}/lift", new Operator()),
      rule(GET, "/api/v1/operator/sender-alerts", new Operator()),
      rule(POST, "/api/v1/operator/sender-alerts/{id}/lift", new Operator()),
      rule(GET, "/operator/queue", new Operator()),
      rule(GET, "/operator/queue/live", new Operator()),
      rule(POST, "/operator/queue/pause", new Operator()),
      rule(POST, "/operator/queue/resume", new Operator()),
      rule(POST, "/operator/queue/destinations/pause", new Operator()),
      rule(POST, "/operator/queue/destinations/resume", new Operator()),
      rule(POST, "/operator/queue/destinations/retry", new Operator()),
      rule(POST, "/operator/queue/destinations/delete", new Operator()),
      rule(POST, "/operator/queue/messages/retry", new Operator()),
      rule(POST, "/operator/queue/messages/delete", new Operator()),
      rule(GET, "/api/v1/operator/queue", new Operator()),
      rule(POST, "/api/v1/operator/queue/pause", new Operator()),
      rule(POST, "/api/v1/operator/queue/resume", new Operator()),
      rule(POST, "/api/v1/operator/queue/destinations/{domain}/pause", new Operator()),
      rule(POST, "/api/v1/operator/queue/destinations/{domain}/resume", new Operator()),
      rule(POST, "/api/v1/operator/queue/destinations/{domain}/retry", new Operator()),
      rule(POST, "/api/v1/operator/queue/destinations/{domain}/delete", new Operator()),
      rule(POST, "/api/v1/operator/queue/messages/{id}/retry", new Operator()),
      rule(POST, "/api/v1/operator/queue/messages/{id}/delete", new Operator()),
      rule(GET, "/operator/ip-pools", new Operator()),
      rule(POST, "/operator/ip-pools", new Operator()),
      rule(POST, "/operator/ip-pools/assignments", new Operator()),
      rule(POST, "/operator/ip-pools/{id}/addresses", new Operator()),
      rule(POST, "/operator/ip-pools/{id}/addresses/{addressId}/delete", new Operator()),
      rule(POST, "/operator/ip-pools/{id}/delete", new Operator()),
      rule(GET, "/operator/delivery-servers", new Operator()),
      rule(POST, "/operator/delivery-servers", new Operator()),
      rule(GET, "/operator/delivery-servers/{id}", new Operator()),
      rule(POST, "/operator/delivery-servers/{id}", new Operator()),
      rule(POST, "/operator/delivery-servers/{id}/delete", new Operator()),
      rule(POST, "/operator/delivery-servers/{id}/assignments", new Operator()),
      rule(POST, "/operator/delivery-servers/{id}/assignments/{assignmentId}/delete", new Operator()),
      rule(GET, "/api/v1/operator/ip-pools", new Operator()),
      rule(POST, "/api/v1/operator/ip-pools", new Operator()),
      rule(DELETE, "/api/v1/operator/ip-pools/{id}", new Operator()),
      rule(POST, "/api/v1/operator/ip-pools/{id}/addresses", new Operator()),
      rule(DELETE, "/api/v1/operator/ip-pools/{id}/addresses/{addressId}", new Operator()),
      rule(POST, "/api/v1/operator/ip-pools/{id}/organizations", new Operator()),
      rule(GET, "/api/v1/operator/delivery-servers", new Operator()),
      rule(POST, "/api/v1/operator/delivery-servers", new Operator()),
      rule(GET, "/api/v1/operator/delivery-servers/{id}", new Operator()),
      rule(PUT, "/api/v1/operator/delivery-servers/{id}", new Operator()),
      rule(DELETE, "/api/v1/operator/delivery-servers/{id}", new Operator()),
      rule(POST, "/api/v1/operator/delivery-servers/{id}/assignments", new Operator()),
      rule(DELETE, "/api/v1/operator/delivery-servers/{id}/assignments/{assignmentId}", new Operator()),
      // privacy: the record of processing activities and retention schedules
      rule(GET, "/operator/processing-record", new Operator()),
      rule(GET, "/operator/processing-record.csv", new Operator()),
      rule(GET, "/operator/processing-record.json", new Operator()),
      rule(GET, "/operator/retention", new Operator()),
      rule(POST, "/operator/retention", new Operator()),
      rule(POST, "/operator/retention/run", new Operator()),
      rule(GET, "/api/v1/operator/processing-record", new Operator()),
      rule(GET, "/api/v1/operator/retention", new Operator()),
      rule(PUT, "/api/v1/operator/retention", new Operator()),
      rule(POST, "/api/v1/operator/retention/runs", new Operator()),

      // an organization's panel
      rule(GET, "/o/{org}", new Member()),
      rule(GET, "/o/{org}/members", new Needs(MEMBERS_READ)),
      rule(POST, "/o/{org}/members/invite", new Needs(MEMBERS_WRITE)),
      rule(POST, "/o/{org}/members/{userId}/role", new Needs(MEMBERS_WRITE)),
      rule(POST, "/o/{org}/members/{userId}/remove", new Needs(MEMBERS_WRITE)),
      rule(POST, "/o/{org}/invitations/{id}/revoke", new Needs(MEMBERS_WRITE)),
      rule(GET, "/o/{org}/groups", new Needs(MEMBERS_READ)),
      rule(POST, "/o/{org}/groups", new Needs(MEMBERS_WRITE)),
      rule(POST, "/o/{org}/groups/{id}", new Needs(MEMBERS_WRITE)),
      rule(POST, "/o/{org}/groups/{id}/delete", new Needs(MEMBERS_WRITE)),
      rule(GET, "/o/{org}/api-keys", new Needs(API_KEYS_READ)),
      rule(POST, "/o/{org}/api-keys", new Needs(API_KEYS_WRITE)),
      rule(POST, "/o/{org}/api-keys/{id}/revoke", new Needs(API_KEYS_WRITE)),
      rule(GET, "/o/{org}/audit", new Needs(AUDIT_READ)),
      rule(GET, "/o/{org}/privacy/retention", new Needs(PRIVACY_READ)),
      rule(POST, "/o/{org}/privacy/retention", new Needs(PRIVACY_WRITE)),

      // audiences: panel
      rule(GET, "/o/{org}/lists", new Needs(LISTS_READ)),
      rule(POST, "/o/{org}/lists", new Needs(LISTS_WRITE)),
      rule(GET, "/o/{org}/lists/{id}", new Needs(LISTS_READ)),
      rule(POST, "/o/{org}/lists/{id}", new Needs(LISTS_WRITE)),
      rule(POST, "/o/{org}/lists/{id}/delete", new Needs(LISTS_WRITE)),
      rule(GET, "/o/{org}/lists/{id}/export", new Needs(LISTS_EXPORT)),
      rule(GET, "/o/{org}/subscribers", new Needs(LISTS_READ)),
      rule(POST, "/o/{org}/subscribers", new Needs(LISTS_WRITE)),
      rule(POST, "/o/{org}/subscribers/bulk", new Needs(LISTS_WRITE)),
      rule(GET, "/o/{org}/subscribers/export", new Needs(LISTS_EXPORT)),
      rule(GET, "/o/{org}/subscribers/{id}", new Needs(LISTS_READ)),
      rule(POST, "/o/{org}/subscribers/{id}", new Needs(LISTS_WRITE)),
      rule(POST, "/o/{org}/subscribers/{id}/lists", new Needs(LISTS_WRITE)),
      rule(POST, "/o/{org}/subscribers/{id}/delete", new Needs(LISTS_WRITE)),
      rule(POST, "/o/{org}/subscribers/{id}/erase", new Needs(PRIVACY_WRITE)),
      rule(GET, "/o/{org}/fields", new Needs(LISTS_READ)),
      rule(POST, "/o/{org}/fields", new Needs(LISTS_WRITE)),
      rule(POST, "/o/{org}/fields/{id}", new Needs(LISTS_WRITE)),
      rule(POST, "/o/{org}/fields/{id}/delete", new Needs(LISTS_WRITE)),
      rule(GET, "/o/{org}/imports", new Needs(LISTS_READ)),
      rule(POST, "/o/{org}/imports", new Needs(LISTS_WRITE)),
      rule(GET, "/o/{org}/imports/{id}", new Needs(LISTS_READ)),
      rule(GET, "/o/{org}/imports/{id}/progress", new Needs(LISTS_READ)),
      rule(POST, "/o/{org}/imports/{id}/start", new Needs(LISTS_WRITE)),
      rule(GET, "/o/{org}/segments", new Needs(LISTS_READ)),
      rule(POST, "/o/{org}/segments", new Needs(LISTS_WRITE)),
      rule(GET, "/o/{org}/segments/{id}", new Needs(LISTS_READ)),
      rule(POST, "/o/{org}/segments/{id}", new Needs(LISTS_WRITE)),
      rule(POST, "/o/{org}/segments/{id}/preview", new Needs(LISTS_READ)),
      rule(GET, "/o/{org}/segments/{id}/count", new Needs(LISTS_READ)),
      rule(POST, "/o/{org}/segments/{id}/delete", new Needs(LISTS_WRITE)),

      // suppression: panel
      rule(GET, "/o/{org}/suppressions", new Needs(SUPPRESSIONS_READ)),
      rule(POST, "/o/{org}/suppressions", new Needs(SUPPRESSIONS_WRITE)),
      rule(GET, "/o/{org}/suppressions/check", new Needs(SUPPRESSIONS_READ)),
      rule(GET, "/o/{org}/suppressions/export", new Needs(SUPPRESSIONS_READ)),
      rule(POST, "/o/{org}/suppressions/{id}/delete", new Needs(SUPPRESSIONS_WRITE)),

      // feedback: recent bounces and complaints (they explain the suppression list) and the mailbox monitors (beside the
      // sending domains whose return paths they serve)
      rule(GET, "/o/{org}/feedback", new Needs(SUPPRESSIONS_READ)),
      rule(GET, "/o/{org}/feedback/mailboxes", new Needs(DOMAINS_READ)),
      rule(POST, "/o/{org}/feedback/mailboxes", new Needs(DOMAINS_WRITE)),
      rule(GET, "/o/{org}/feedback/mailboxes/{id}", new Needs(DOMAINS_READ)),
      rule(POST, "/o/{org}/feedback/mailboxes/{id}", new Needs(DOMAINS_WRITE)),
      rule(POST, "/o/{org}/feedback/mailboxes/{id}/delete", new Needs(DOMAINS_WRITE)),
      rule(POST, "/o/{org}/feedback/mailboxes/{id}/poll", new Needs(DOMAINS_WRITE)),
      rule(GET, "/api/v1/orgs/{org}/feedback-events", new Needs(SUPPRESSIONS_READ)),
      rule(GET, "/api/v1/orgs/{org}/feedback-mailboxes", new Needs(DOMAINS_READ)),
      rule(POST, "/api/v1/orgs/{org}/feedback-mailboxes", new Needs(DOMAINS_WRITE)),
      rule(GET, "/api/v1/orgs/{org}/feedback-mailboxes/{id}", new Needs(DOMAINS_READ)),
      rule(PUT, "/api/v1/orgs/{org}/feedback-mailboxes/{id}", new Needs(DOMAINS_WRITE)),
      rule(DELETE, "/api/v1/orgs/{org}/feedback-mailboxes/{id}", new Needs(DOMAINS_WRITE)),
      rule(POST, "/api/v1/orgs/{org}/feedback-mailboxes/{id}/poll", new Needs(DOMAINS_WRITE)),

      // privacy: data-subject requests (panel)
      rule(GET, "/o/{org}/privacy/requests", new Needs(PRIVACY_READ)),
      rule(POST, "/o/{org}/privacy/requests", new Needs(PRIVACY_WRITE)),
      rule(POST, "/o/{org}/privacy/settings", new Needs(PRIVACY_WRITE)),
      rule(GET, "/o/{org}/privacy/requests/{id}", new Needs(PRIVACY_READ)),
      rule(GET, "/o/{org}/privacy/requests/{id}/archive", new Needs(PRIVACY_READ)),
      rule(POST, "/o/{org}/privacy/requests/{id}/start", new Needs(PRIVACY_WRITE)),
      rule(POST, "/o/{org}/privacy/requests/{id}/extend", new Needs(PRIVACY_WRITE)),
      rule(POST, "/o/{org}/privacy/requests/{id}/reject", new Needs(PRIVACY_WRITE)),
      rule(POST, "/o/{org}/privacy/requests/{id}/complete", new Needs(PRIVACY_WRITE)),
      rule(POST, "/o/{org}/privacy/requests/{id}/lift", new Needs(PRIVACY_WRITE)),
      rule(POST, "/o/{org}/privacy/requests/{id}/note", new Needs(PRIVACY_WRITE)),
      // privacy: data-subject requests (REST API)
      rule(GET, "/api/v1/orgs/{org}/privacy/requests", new Needs(PRIVACY_READ)),
      rule(POST, "/api/v1/orgs/{org}/privacy/requests", new Needs(PRIVACY_WRITE)),
      rule(GET, "/api/v1/orgs/{org}/privacy/requests/{id}", new Needs(PRIVACY_READ)),
      rule(GET, "/api/v1/orgs/{org}/privacy/requests/{id}/archive", new Needs(PRIVACY_READ)),
      rule(POST, "/api/v1/orgs/{org}/privacy/requests/{id}/start", new Needs(PRIVACY_WRITE)),
      rule(POST, "/api/v1/orgs/{org}/privacy/requests/{id}/extension", new Needs(PRIVACY_WRITE)),
      rule(POST, "/api/v1/orgs/{org}/privacy/requests/{id}/rejection", new Needs(PRIVACY_WRITE)),
      rule(POST, "/api/v1/orgs/{org}/privacy/requests/{id}/completion", new Needs(PRIVACY_WRITE)),
      rule(POST, "/api/v1/orgs/{org}/privacy/requests/{id}/lift", new Needs(PRIVACY_WRITE)),
      rule(POST, "/api/v1/orgs/{org}/privacy/requests/{id}/notes", new Needs(PRIVACY_WRITE)),
      rule(GET, "/api/v1/orgs/{org}/privacy/settings", new Needs(PRIVACY_READ)),
      rule(PUT, "/api/v1/orgs/{org}/privacy/settings", new Needs(PRIVACY_WRITE)),

      // domains: panel
      rule(GET, "/o/{org}/domains", new Needs(DOMAINS_READ)),
      rule(POST, "/o/{org}/domains", new Needs(DOMAINS_WRITE)),
      rule(GET, "/o/{org}/domains/{id}", new Needs(DOMAINS_READ)),
      rule(POST, "/o/{org}/domains/{id}/check", new Needs(DOMAINS_WRITE)),
      rule(POST, "/o/{org}/domains/{id}/rotate", new Needs(DOMAINS_WRITE)),
      rule(POST, "/o/{org}/domains/{id}/signatures", new Needs(DOMAINS_WRITE)),
      rule(POST, "/o/{org}/domains/{id}/delete", new Needs(DOMAINS_WRITE)),
      rule(POST, "/o/{org}/domains/{id}/keys/{keyId}/delete", new Needs(DOMAINS_WRITE)),
      rule(GET, "/o/{org}/sending", new Needs(DOMAINS_READ)),

      // delivery: the organization's sent messages (the test form's literal path before {id})
      rule(GET, "/o/{org}/messages", new Needs(MESSAGES_READ)),
      rule(GET, "/o/{org}/messages/test", new Needs(SEND)),
      rule(POST, "/o/{org}/messages/test", new Needs(SEND)),
      rule(GET, "/o/{org}/messages/{id}", new Needs(MESSAGES_READ)),
      rule(GET, "/o/{org}/messages/{id}/source", new Needs(MESSAGES_CONTENT)),
      rule(GET, "/o/{org}/messages/{id}/source/download", new Needs(MESSAGES_CONTENT)),

      // content: the media library's panel
      rule(GET, "/o/{org}/media", new Needs(CAMPAIGNS_READ)),
      rule(POST, "/o/{org}/media", new Needs(CAMPAIGNS_WRITE)),
      rule(POST, "/o/{org}/media/{id}/delete", new Needs(CAMPAIGNS_WRITE)),

      // an organization's REST API
      rule(GET, "/api/v1/orgs/{org}", new Member()),
      rule(GET, "/api/v1/orgs/{org}/members", new Needs(MEMBERS_READ)),
      rule(POST, "/api/v1/orgs/{org}/invitations", new Needs(MEMBERS_WRITE)),
      rule(GET, "/api/v1/orgs/{org}/groups", new Needs(MEMBERS_READ)),
      rule(GET, "/api/v1/orgs/{org}/api-keys", new Needs(API_KEYS_READ)),
      rule(POST, "/api/v1/orgs/{org}/api-keys", new Needs(API_KEYS_WRITE)),
      rule(DELETE, "/api/v1/orgs/{org}/api-keys/{id}", new Needs(API_KEYS_WRITE)),
      rule(GET, "/api/v1/orgs/{org}/audit-events", new Needs(AUDIT_READ)),
      rule(GET, "/api/v1/orgs/{org}/privacy/retention", new Needs(PRIVACY_READ)),
      rule(PUT, "/api/v1/orgs/{org}/privacy/retention", new Needs(PRIVACY_WRITE)),

      // audiences: REST API
      rule(GET, "/api/v1/orgs/{org}/audience/summary", new Needs(LISTS_READ)),
      rule(GET, "/api/v1/orgs/{org}/lists", new Needs(LISTS_READ)),
      rule(POST, "/api/v1/orgs/{org}/lists", new Needs(LISTS_WRITE)),
      rule(GET, "/api/v1/orgs/{org}/lists/{id}", new Needs(LISTS_READ)),
      rule(PUT, "/api/v1/orgs/{org}/lists/{id}", new Needs(LISTS_WRITE)),
      rule(DELETE, "/api/v1/orgs/{org}/lists/{id}", new Needs(LISTS_WRITE)),
      rule(GET, "/api/v1/orgs/{org}/fields", new Needs(LISTS_READ)),
      rule(POST, "/api/v1/orgs/{org}/fields", new Needs(LISTS_WRITE)),
      rule(PUT, "/api/v1/orgs/{org}/fields/{id}", new Needs(LISTS_WRITE)),
      rule(DELETE, "/api/v1/orgs/{org}/fields/{id}", new Needs(LISTS_WRITE)),
      rule(GET, "/api/v1/orgs/{org}/subscribers", new Needs(LISTS_READ)),
      rule(POST, "/api/v1/orgs/{org}/subscribers", new Needs(LISTS_WRITE)),
      rule(POST, "/api/v1/orgs/{org}/subscribers/bulk", new Needs(LISTS_WRITE)),
      rule(POST, "/api/v1/orgs/{org}/subscribers/bulk-actions", new Needs(LISTS_WRITE)),
      rule(GET, "/api/v1/orgs/{org}/subscribers/{id}", new Needs(LISTS_READ)),
      rule(PATCH, "/api/v1/orgs/{org}/subscribers/{id}", new Needs(LISTS_WRITE)),
      rule(DELETE, "/api/v1/orgs/{org}/subscribers/{id}", new Needs(LISTS_WRITE)),
      rule(GET, "/api/v1/orgs/{org}/subscribers/{id}/consent", new Needs(LISTS_READ)),
      rule(POST, "/api/v1/orgs/{org}/subscribers/{id}/erasure", new Needs(PRIVACY_WRITE)),
      rule(PUT, "/api/v1/orgs/{org}/subscribers/{id}/lists/{listId}", new Needs(LISTS_WRITE)),
      rule(DELETE, "/api/v1/orgs/{org}/subscribers/{id}/lists/{listId}", new Needs(LISTS_WRITE)),
      rule(POST, "/api/v1/orgs/{org}/subscribers/{id}/lists/{listId}/confirmation", new Needs(LISTS_WRITE)),
      rule(GET, "/api/v1/orgs/{org}/imports", new Needs(LISTS_READ)),
      rule(POST, "/api/v1/orgs/{org}/imports", new Needs(LISTS_WRITE)),
      rule(GET, "/api/v1/orgs/{org}/imports/{id}", new Needs(LISTS_READ)),
      rule(GET, "/api/v1/orgs/{org}/imports/{id}/errors", new Needs(LISTS_READ)),
      rule(GET, "/api/v1/orgs/{org}/segments", new Needs(LISTS_READ)),
      rule(POST, "/api/v1/orgs/{org}/segments", new Needs(LISTS_WRITE)),
      rule(POST, "/api/v1/orgs/{org}/segments/count", new Needs(LISTS_READ)),
      rule(GET, "/api/v1/orgs/{org}/segments/{id}", new Needs(LISTS_READ)),
      rule(PUT, "/api/v1/orgs/{org}/segments/{id}", new Needs(LISTS_WRITE)),
      rule(DELETE, "/api/v1/orgs/{org}/segments/{id}", new Needs(LISTS_WRITE)),
      rule(GET, "/api/v1/orgs/{org}/segments/{id}/count", new Needs(LISTS_READ)),
      rule(GET, "/api/v1/orgs/{org}/segments/{id}/subscribers", new Needs(LISTS_READ)),
      rule(GET, "/api/v1/orgs/{org}/exports/subscribers", new Needs(LISTS_EXPORT)),

      // suppression: REST API
      rule(GET, "/api/v1/orgs/{org}/suppressions", new Needs(SUPPRESSIONS_READ)),
      rule(POST, "/api/v1/orgs/{org}/suppressions", new Needs(SUPPRESSIONS_WRITE)),
      rule(GET, "/api/v1/orgs/{org}/suppressions/check", new Needs(SUPPRESSIONS_READ)),
      rule(GET, "/api/v1/orgs/{org}/suppressions/{id}", new Needs(SUPPRESSIONS_READ)),
      rule(DELETE, "/api/v1/orgs/{org}/suppressions/{id}", new Needs(SUPPRESSIONS_WRITE)),

      // domains: REST API
      rule(GET, "/api/v1/orgs/{org}/domains", new Needs(DOMAINS_READ)),
      rule(POST, "/api/v1/orgs/{org}/domains", new Needs(DOMAINS_WRITE)),
      rule(GET, "/api/v1/orgs/{org}/domains/{id}", new Needs(DOMAINS_READ)),
      rule(PATCH, "/api/v1/orgs/{org}/domains/{id}", new Needs(DOMAINS_WRITE)),
      rule(DELETE, "/api/v1/orgs/{org}/domains/{id}", new Needs(DOMAINS_WRITE)),
      rule(POST, "/api/v1/orgs/{org}/domains/{id}/check", new Needs(DOMAINS_WRITE)),
      rule(POST, "/api/v1/orgs/{org}/domains/{id}/rotation", new Needs(DOMAINS_WRITE)),
      rule(DELETE, "/api/v1/orgs/{org}/domains/{id}/keys/{keyId}", new Needs(DOMAINS_WRITE)),
      rule(GET, "/api/v1/orgs/{org}/sending", new Needs(DOMAINS_READ)),

      // delivery: the send API
      rule(POST, "/api/v1/orgs/{org}/messages", new Needs(SEND)),
      rule(POST, "/api/v1/orgs/{org}/messages/batch", new Needs(SEND)),
      rule(GET, "/api/v1/orgs/{org}/messages", new Needs(SEND)),
      rule(GET, "/api/v1/orgs/{org}/messages/{id}", new Needs(SEND)),

      // content: templates and their categories (pages and REST API); the API's campaigns scopes grant these too
      rule(GET, "/o/{org}/templates", new Needs(TEMPLATES_READ)),
      rule(POST, "/o/{org}/templates", new Needs(TEMPLATES_WRITE)),
      rule(GET, "/o/{org}/templates/new", new Needs(TEMPLATES_WRITE)),
      rule(GET, "/o/{org}/templates/{id}", new Needs(TEMPLATES_READ)),
      rule(POST, "/o/{org}/templates/{id}", new Needs(TEMPLATES_WRITE)),
      rule(POST, "/o/{org}/templates/{id}/delete", new Needs(TEMPLATES_WRITE)),
      rule(GET, "/o/{org}/template-categories", new Needs(TEMPLATES_READ)),
      rule(POST, "/o/{org}/template-categories", new Needs(TEMPLATES_WRITE)),
      rule(POST, "/o/{org}/template-categories/{id}", new Needs(TEMPLATES_WRITE)),
      rule(POST, "/o/{org}/template-categories/{id}/delete", new Needs(TEMPLATES_WRITE)),
      rule(GET, "/api/v1/orgs/{org}/templates", new Needs(TEMPLATES_READ)),
      rule(POST, "/api/v1/orgs/{org}/templates", new Needs(TEMPLATES_WRITE)),
      rule(POST, "/api/v1/orgs/{org}/templates/convert", new Needs(TEMPLATES_READ)),
      rule(GET, "/api/v1/orgs/{org}/templates/{id}", new Needs(TEMPLATES_READ)),
      rule(PUT, "/api/v1/orgs/{org}/templates/{id}", new Needs(TEMPLATES_WRITE)),
      rule(DELETE, "/api/v1/orgs/{org}/templates/{id}", new Needs(TEMPLATES_WRITE)),
      rule(GET, "/api/v1/orgs/{org}/template-categories", new Needs(TEMPLATES_READ)),
      rule(POST, "/api/v1/orgs/{org}/template-categories", new Needs(TEMPLATES_WRITE)),
      rule(GET, "/api/v1/orgs/{org}/template-categories/{id}", new Needs(TEMPLATES_READ)),
      rule(PUT, "/api/v1/orgs/{org}/template-categories/{id}", new Needs(TEMPLATES_WRITE)),
      rule(DELETE, "/api/v1/orgs/{org}/template-categories/{id}", new Needs(TEMPLATES_WRITE)),

      // content: the media library's REST API
      rule(GET, "/api/v1/orgs/{org}/media", new Needs(CAMPAIGNS_READ)),
      rule(POST, "/api/v1/orgs/{org}/media", new Needs(CAMPAIGNS_WRITE)),
      rule(GET, "/api/v1/orgs/{org}/media/{id}", new Needs(CAMPAIGNS_READ)),
      rule(DELETE, "/api/v1/orgs/{org}/media/{id}", new Needs(CAMPAIGNS_WRITE)),

      // content: media library images, for mail readers (public origin)
      rule(GET, "/m/{file}", new Public()),

      // campaigns: the pages (literal paths before {id}), previews and test sends
      rule(GET, "/o/{org}/campaigns", new Needs(CAMPAIGNS_READ)),
      rule(POST, "/o/{org}/campaigns", new Needs(CAMPAIGNS_WRITE)),
      rule(GET, "/o/{org}/campaigns/new", new Needs(CAMPAIGNS_WRITE)),
      rule(GET, "/o/{org}/campaigns/audience-estimate", new Needs(CAMPAIGNS_WRITE)),
      rule(GET, "/o/{org}/campaigns/{id}", new Needs(CAMPAIGNS_READ)),
      rule(POST, "/o/{org}/campaigns/{id}", new Needs(CAMPAIGNS_WRITE)),
      rule(GET, "/o/{org}/campaigns/{id}/edit", new Needs(CAMPAIGNS_WRITE)),
      rule(GET, "/o/{org}/campaigns/{id}/live", new Needs(CAMPAIGNS_READ)),
      rule(GET, "/o/{org}/campaigns/{id}/preview", new Needs(CAMPAIGNS_READ)),
      rule(POST, "/o/{org}/campaigns/{id}/test", new Needs(CAMPAIGNS_WRITE)),
      rule(POST, "/o/{org}/campaigns/{id}/schedule", new Needs(CAMPAIGNS_WRITE)),
      rule(POST, "/o/{org}/campaigns/{id}/unschedule", new Needs(CAMPAIGNS_WRITE)),
      rule(POST, "/o/{org}/campaigns/{id}/pause", new Needs(CAMPAIGNS_WRITE)),
      rule(POST, "/o/{org}/campaigns/{id}/resume", new Needs(CAMPAIGNS_WRITE)),
      rule(POST, "/o/{org}/campaigns/{id}/cancel", new Needs(CAMPAIGNS_WRITE)),
      rule(POST, "/o/{org}/campaigns/{id}/duplicate", new Needs(CAMPAIGNS_WRITE)),
      rule(POST, "/o/{org}/campaigns/{id}/delete", new Needs(CAMPAIGNS_WRITE)),
      rule(POST, "/o/{org}/campaigns/{id}/throttle", new Needs(CAMPAIGNS_WRITE)),

      // content: a template's preview
      rule(GET, "/o/{org}/templates/{id}/preview", new Needs(TEMPLATES_READ)),

      // content and campaigns: user HTML under a sandbox policy, named by signed links (public origin)
      rule(GET, "/p/preview/template", new Public()),
      rule(GET, "/p/preview/campaign", new Public()),
      rule(GET, "/p/web", new Public()),

      // campaigns: REST API
      rule(GET, "/api/v1/orgs/{org}/campaigns", new Needs(CAMPAIGNS_READ)),
      rule(POST, "/api/v1/orgs/{org}/campaigns", new Needs(CAMPAIGNS_WRITE)),
      rule(GET, "/api/v1/orgs/{org}/campaigns/{id}", new Needs(CAMPAIGNS_READ)),
      rule(PUT, "/api/v1/orgs/{org}/campaigns/{id}", new Needs(CAMPAIGNS_WRITE)),
      rule(DELETE, "/api/v1/orgs/{org}/campaigns/{id}", new Needs(CAMPAIGNS_WRITE)),
      rule(POST, "/api/v1/orgs/{org}/campaigns/{id}/schedule", new Needs(CAMPAIGNS_WRITE)),
      rule(POST, "/api/v1/orgs/{org}/campaigns/{id}/unschedule", new Needs(CAMPAIGNS_WRITE)),
      rule(POST, "/api/v1/orgs/{org}/campaigns/{id}/pause", new Needs(CAMPAIGNS_WRITE)),
      rule(POST, "/api/v1/orgs/{org}/campaigns/{id}/resume", new Needs(CAMPAIGNS_WRITE)),
      rule(POST, "/api/v1/orgs/{org}/campaigns/{id}/cancel", new Needs(CAMPAIGNS_WRITE)),
      rule(POST, "/api/v1/orgs/{org}/campaigns/{id}/duplicate", new Needs(CAMPAIGNS_WRITE)),
      rule(PUT, "/api/v1/orgs/{org}/campaigns/{id}/throttle", new Needs(CAMPAIGNS_WRITE)),
      rule(GET, "/api/v1/orgs/{org}/campaigns/{id}/stats", new Needs(CAMPAIGNS_READ)),
      rule(GET, "/api/v1/orgs/{org}/campaigns/{id}/audience-estimate", new Needs(CAMPAIGNS_READ)),

      // reports: a campaign's report (page, API, CSV of its figures); the per-recipient CSV lists addresses and delivery
      // states, which the campaign's own page shows with campaigns:read
      rule(GET, "/o/{org}/campaigns/{id}/report", new Needs(REPORTS_READ)),
      rule(GET, "/o/{org}/campaigns/{id}/report/figures.csv", new Needs(REPORTS_READ)),
      rule(GET, "/o/{org}/campaigns/{id}/report/recipients.csv", new Needs(CAMPAIGNS_READ)),
      rule(GET, "/api/v1/orgs/{org}/campaigns/{id}/report", new Needs(REPORTS_READ)),
      rule(GET, "/api/v1/orgs/{org}/campaigns/{id}/report/figures.csv", new Needs(REPORTS_READ)),
      rule(GET, "/api/v1/orgs/{org}/campaigns/{id}/report/recipients.csv", new Needs(CAMPAIGNS_READ)),

      // audiences: hosted pages for subscribers (public origin)
      rule(ANY, "/p/subscribe/{publicId}", new Public()),
      rule(ANY, "/p/confirm", new Public()),
      // privacy: a person's own request for a copy of their data or its erasure, proven by a mailed signed link
      rule(ANY, "/p/privacy/o/{slug}", new Public()),
      rule(ANY, "/p/privacy/confirm", new Public()),
      rule(GET, "/p/privacy/archive", new Public()),
      rule(ANY, "/p/preferences", new Public()),
      rule(ANY, "/p/unsubscribe", new Public()),
      // campaigns: forward-to-a-friend (public origin; the signed link and the page's form token guard it)
      rule(ANY, "/p/forward", new Public()),

      // reports: the organization's report and deliverability panel (reports.OrganizationReportApi)
      rule(GET, "/api/v1/orgs/{org}/reports/overview", new Needs(REPORTS_READ)),
      rule(GET, "/api/v1/orgs/{org}/reports/deliverability", new Needs(REPORTS_READ)),

      // privacy: breach notification (the operator's incidents with their 72-hour clock; each affected organization's
      // notices, acknowledged by each member, and the draft campaign that tells its own subscribers)
      rule(GET, "/operator/breaches", new Operator()),
      rule(POST, "/operator/breaches", new Operator()),
      rule(GET, "/operator/breaches/{id}", new Operator()),
      rule(POST, "/operator/breaches/{id}/authority", new Operator()),
      rule(GET, "/api/v1/operator/breaches", new Operator()),
      rule(POST, "/api/v1/operator/breaches", new Operator()),
      rule(GET, "/api/v1/operator/breaches/{id}", new Operator()),
      rule(PUT, "/api/v1/operator/breaches/{id}/authority-notification", new Operator()),
      rule(GET, "/o/{org}/breach-notices", new Member()),
      rule(POST, "/o/{org}/breach-notices/{id}/acknowledge", new Member()),
      rule(POST, "/o/{org}/breach-notices/{id}/campaign", new Needs(CAMPAIGNS_WRITE)),
      rule(GET, "/api/v1/orgs/{org}/breach-notices", new Member()),
      rule(POST, "/api/v1/orgs/{org}/breach-notices/{id}/acknowledgement", new Member()),
      rule(POST, "/api/v1/orgs/{org}/breach-notices/{id}/campaign", new Needs(CAMPAIGNS_WRITE)),
      // privacy: transparency (the operator's sub-processors, region and contact; the public privacy page drawn from them)
      rule(GET, "/operator/privacy", new Operator()),
      rule(POST, "/operator/privacy", new Operator()),
      rule(POST, "/operator/privacy/sub-processors", new Operator()),
      rule(POST, "/operator/privacy/sub-processors/{id}/delete", new Operator()),
      rule(GET, "/api/v1/operator/sub-processors", new Operator()),
      rule(POST, "/api/v1/operator/sub-processors", new Operator()),
      rule(DELETE, "/api/v1/operator/sub-processors/{id}", new Operator()),
      rule(GET, "/p/privacy", new Public()),
      // privacy: the operator's requests under the organization, logged (the audit log's permission reads them)
      rule(GET, "/o/{org}/staff-access", new Needs(AUDIT_READ)),
      rule(GET, "/api/v1/orgs/{org}/staff-access", new Needs(AUDIT_READ)),

      // tracking: the organization's privacy settings
      rule(GET, "/o/{org}/tracking", new Needs(CAMPAIGNS_READ)),
      rule(POST, "/o/{org}/tracking", new Needs(CAMPAIGNS_WRITE)),
      rule(POST, "/o/{org}/tracking/campaigns", new Needs(CAMPAIGNS_WRITE)),
      rule(POST, "/o/{org}/tracking/campaigns/{id}/delete", new Needs(CAMPAIGNS_WRITE)),
      // privacy: the organization's closure page (export all its data, close, reopen); billing:write is the owners' (see
      // openWhileClosed: the only pages a closed organization's members still reach, with a session)
      rule(GET, CLOSURE, new Needs(BILLING_WRITE)),
      rule(POST, CLOSURE + "/exports", new Needs(BILLING_WRITE)),
      rule(GET, CLOSURE + "/exports/{id}/progress", new Needs(BILLING_WRITE)),
      rule(GET, CLOSURE + "/exports/{id}/download", new Needs(BILLING_WRITE)),
      rule(POST, CLOSURE + "/close", new Needs(BILLING_WRITE)),
      rule(POST, CLOSURE + "/reopen", new Needs(BILLING_WRITE)),
      // privacy: account exports through the REST API (an owner, or an API key an owner gave the scope account:export;
      // the privacy scope handles one person's requests, not the whole organization)
      rule(POST, "/api/v1/orgs/{org}/account-exports", new Needs(ACCOUNT_EXPORT)),
      rule(GET, "/api/v1/orgs/{org}/account-exports/{id}", new Needs(ACCOUNT_EXPORT)),
      rule(GET, "/api/v1/orgs/{org}/account-exports/{id}/download", new Needs(ACCOUNT_EXPORT)),

      // tracking: the privacy settings through the REST API (the page's permissions: campaigns:read, campaigns:write)
      rule(GET, "/api/v1/orgs/{org}/tracking/privacy", new Needs(CAMPAIGNS_READ)),
      rule(PUT, "/api/v1/orgs/{org}/tracking/privacy", new Needs(CAMPAIGNS_WRITE)),
      rule(GET, "/api/v1/orgs/{org}/tracking/privacy/campaigns/{id}", new Needs(CAMPAIGNS_READ)),
      rule(PUT, "/api/v1/orgs/{org}/tracking/privacy/campaigns/{id}", new Needs(CAMPAIGNS_WRITE)),
      rule(DELETE, "/api/v1/orgs/{org}/tracking/privacy/campaigns/{id}", new Needs(CAMPAIGNS_WRITE)),

      // tracking: the open pixel and the click redirect, named by signed tokens (public origin and tracking hosts)
      rule(GET, "/t/o/{token}", new Public()),
      rule(GET, "/t/c/{token}", new Public()),
      // any other path there is a 404 for everyone, not a sign-in page on the public origin
      rule(GET, "/t/**", new Public()));

  private AccessRules() {}

  private static Rule rule(HttpMethod method, String pattern, Requirement requirement) {
    return new Rule(method, PARSER.parse(pattern), requirement);
  }

  static boolean openWhileClosed(Rule rule) {
    String pattern = rule.pattern().getPatternString();
    return pattern.equals(CLOSURE) || pattern.startsWith(CLOSURE + "/");
  }

  static Optional<Rule> find(HttpMethod method, String path) {
    PathContainer container = PathContainer.parsePath(path);
    // HEAD is served by GET handlers, so it needs what GET needs.
    HttpMethod effective = HttpMethod.HEAD.equals(method) ? GET : method;
    return RULES.stream().filter(r -> r.matches(effective, container)).findFirst();
  }

  private static final List<PathPattern> ORGANIZATION_PATHS = List.of(PARSER.parse("/o/{org}/**"), PARSER.parse("/api/v1/orgs/{org}/**"));

  /** The organization a path is under, whether or not any route matches it. */
  static Optional<String> orgSlug(String path) {
    PathContainer container = PathContainer.parsePath(path);
    return ORGANIZATION_PATHS.stream().map(p -> p.matchAndExtract(container)).filter(java.util.Objects::nonNull)
        .map(info -> info.getUriVariables().get("org")).findFirst();
  }

  /** The methods some route accepts at this path (HEAD beside GET): empty when no route has this path at all. */
  static Set<HttpMethod> methodsAt(String path) {
    PathContainer container = PathContainer.parsePath(path);
    Set<HttpMethod> methods = new LinkedHashSet<>();
    for (Rule r : RULES) {
      if (r.method() != null && r.pattern().matches(container)) {
        methods.add(r.method());
        if (r.method().equals(GET)) methods.add(HttpMethod.HEAD);
      }
    }
    return methods;
  }

  static Optional<String> orgSlug(Rule rule, String path) {
    PathPattern.PathMatchInfo info = rule.pattern().matchAndExtract(PathContainer.parsePath(path));
    return Optional.ofNullable(info == null ? null : info.getUriVariables().get("org"));
  }
}
