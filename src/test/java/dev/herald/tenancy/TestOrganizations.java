package dev.herald.tenancy;

import java.util.List;
import java.util.Locale;
import org.springframework.boot.test.context.TestComponent;

/**
 * For other capabilities' tests: an organization with an owner (password {@link Fixtures#PASSWORD})
 * and an API key with the given scopes, made through tenancy's own services.
 */
@TestComponent
public class TestOrganizations {
  private final Accounts accounts;
  private final Organizations organizations;
  private final ApiKeys apiKeys;
  private final Users users;

  TestOrganizations(Accounts accounts, Organizations organizations, ApiKeys apiKeys, Users users) {
    this.users = users;
    this.accounts = accounts;
    this.organizations = organizations;
    this.apiKeys = apiKeys;
  }

  public record Created(long id, String slug, String ownerEmail, String apiKey) {}

  /** Signs a MockMvc request in as the organization's owner. */
  public org.springframework.test.web.servlet.request.RequestPostProcessor asOwner(Created org) {
    return Fixtures.signedIn(users.byEmail(org.ownerEmail()).orElseThrow().principal());
  }

  public Created create(String name, String... scopes) {
    String email = "owner@" + Accounts.slugOf(name).toLowerCase(Locale.ROOT) + ".test";
    HeraldUser owner = accounts.createPerson(new Accounts.NewPerson(email, "Owner", Fixtures.PASSWORD, true, true), "127.0.0.1").principal();
    long id = accounts.createOrganization(owner.id(), name);
    String key = apiKeys.create(id, owner.id(), "tests", List.of(scopes), List.of()).secret();
    return new Created(id, organizations.byId(id).orElseThrow().slug(), email, key);
  }
}
