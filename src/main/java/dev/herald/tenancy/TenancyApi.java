package dev.herald.tenancy;

import dev.herald.platform.Refused;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.LocalDate;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** REST API for organizations, members, groups, API keys and the audit log. {org} is the organization's slug. */
@RestController
@Tag(name = "Organizations", description = "Members, groups, API keys and audit log of an organization")
class TenancyApi {
  private final Organizations organizations;
  private final Invitations invitations;
  private final Groups groups;
  private final ApiKeys apiKeys;
  private final AuditLog audit;

  TenancyApi(Organizations organizations, Invitations invitations, Groups groups, ApiKeys apiKeys, AuditLog audit) {
    this.organizations = organizations;
    this.invitations = invitations;
    this.groups = groups;
    this.apiKeys = apiKeys;
    this.audit = audit;
  }

  record Me(long id, String email, String displayName, boolean operator, List<Organizations.MembershipView> organizations) {}

  @GetMapping("/api/v1/me")
  @Operation(summary = "The signed-in person and their organizations (session only)")
  Me me(@AuthenticationPrincipal HeraldUser me) {
    return new Me(me.id(), me.email(), me.displayName(), me.operator(), organizations.membershipsOf(me.id()));
  }

  record OrganizationView(long id, String slug, String name, List<String> permissions) {}

  @GetMapping("/api/v1/orgs/{org}")
  @Operation(summary = "The organization and what the caller may do in it")
  OrganizationView organization(OrganizationContext org) {
    return new OrganizationView(org.id(), org.slug(), org.name(), org.permissions().stream().map(Permission::code).sorted().toList());
  }

  @GetMapping("/api/v1/orgs/{org}/members")
  @Operation(summary = "List the organization's members and their roles")
  List<Organizations.Member> members(OrganizationContext org) {
    return organizations.members(org.id());
  }

  record InvitationRequest(String email, String role) {}

  @PostMapping("/api/v1/orgs/{org}/invitations")
  @Operation(summary = "Invite someone by email to join the organization with a role")
  @ResponseStatus(HttpStatus.CREATED)
  Invitations.Invitation invite(OrganizationContext org, @AuthenticationPrincipal Object principal,
      @RequestBody InvitationRequest request) {
    return invitations.invite(org, principal instanceof HeraldUser u ? u : null, request.email(),
        request.role() == null ? "member" : request.role());
  }

  @GetMapping("/api/v1/orgs/{org}/groups")
  @Operation(summary = "List the organization's groups and their permissions")
  List<Groups.Group> groups(OrganizationContext org) {
    return groups.list(org.id());
  }

  @GetMapping("/api/v1/orgs/{org}/api-keys")
  @Operation(summary = "List the organization's API keys (never their secrets)")
  List<ApiKeys.ApiKey> apiKeys(OrganizationContext org) {
    return apiKeys.list(org.id());
  }

  record ApiKeyRequest(String name, List<String> scopes, List<String> ipAllowlist) {}

  record CreatedApiKey(ApiKeys.ApiKey key, String secret, String note) {}

  @PostMapping("/api/v1/orgs/{org}/api-keys")
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(summary = "Create an API key; the secret is in this response only")
  CreatedApiKey createApiKey(OrganizationContext org, @AuthenticationPrincipal Object principal,
      @RequestBody ApiKeyRequest request) {
    ApiKeys.Created c = apiKeys.create(org.id(), principal instanceof HeraldUser u ? u.id() : null, org.permissions(), request.name(), request.scopes(),
        request.ipAllowlist());
    return new CreatedApiKey(c.key(), c.secret(), "Store the secret now: Herald keeps only its hash and cannot show it again.");
  }

  @DeleteMapping("/api/v1/orgs/{org}/api-keys/{id}")
  @Operation(summary = "Revoke an API key")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void revokeApiKey(OrganizationContext org, @PathVariable long id) {
    if (!apiKeys.revoke(org.id(), id)) throw Refused.notFound("API key " + id);
  }

  @GetMapping("/api/v1/orgs/{org}/audit-events")
  @Operation(summary = "The organization's audit log, newest first, filterable")
  List<AuditLog.Entry> auditEvents(OrganizationContext org, @RequestParam(defaultValue = "") String actor,
      @RequestParam(defaultValue = "") String action, @RequestParam(required = false) LocalDate from,
      @RequestParam(required = false) LocalDate to, @RequestParam(defaultValue = "100") int limit) {
    if (limit < 1 || limit > 1000) throw Refused.invalid("limit", "limit must be between 1 and 1000");
    return audit.search(org.id(), OrganizationController.filter(actor, action, from, to), limit);
  }
}
