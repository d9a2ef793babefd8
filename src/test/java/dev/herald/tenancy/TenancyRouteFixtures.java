package dev.herald.tenancy;

import dev.herald.testsupport.RouteFixtures;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A teammate, an invitation, a group and an API key, for the route walk; and the organization itself for the operator's routes. */
class TenancyRouteFixtures implements RouteFixtures {
  private final Accounts accounts;
  private final Organizations organizations;
  private final Invitations invitations;
  private final Groups groups;
  private final ApiKeys apiKeys;

  TenancyRouteFixtures(Accounts accounts, Organizations organizations, Invitations invitations, Groups groups, ApiKeys apiKeys) {
    this.accounts = accounts;
    this.organizations = organizations;
    this.invitations = invitations;
    this.groups = groups;
    this.apiKeys = apiKeys;
  }

  @Override
  public Map<String, Long> create(Organization org) {
    String domain = org.slug().toLowerCase(Locale.ROOT) + ".test";
    long teammate = accounts.createPerson(new Accounts.NewPerson("teammate@" + domain, "Teammate of " + org.name(), Fixtures.PASSWORD,
        true, true), "127.0.0.1").principal().id();
    organizations.addMember(org.id(), teammate, Role.viewer);
    OrganizationContext context = new OrganizationContext(org.id(), org.slug(), org.name(), Role.owner.permissions());
    return Map.of(
        "members/{userId}", teammate,
        "invitations/{id}", invitations.invite(context, null, "invitee@" + domain, "viewer").id(),
        "groups/{id}", groups.create(org.id(), teammate, org.name() + " reporting", List.of("reports:read")),
        "api-keys/{id}", apiKeys.create(org.id(), null, Role.owner.permissions(), org.name() + " key", List.of("lists:read"), List.of()).key().id(),
        "/operator/organizations/{id}", org.id(),
        "operator/users/{id}", teammate);
  }
}
