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
  /** The password of every owner this makes. */
  public static final String PASSWORD = Fixtures.PASSWORD;
  private final Accounts accounts;
  private final Organizations organizations;
  private final ApiKeys apiKeys;
  private final Users users;
  private final org.springframework.jdbc.core.simple.JdbcClient jdbc;

  TestOrganizations(Accounts accounts, Organizations organizations, ApiKeys apiKeys, Users users,
      org.springframework.jdbc.core.simple.JdbcClient jdbc) {
    this.users = users;
    this.jdbc = jdbc;
    this.accounts = accounts;
    this.organizations = organizations;
    this.apiKeys = apiKeys;
  }

  public record Created(long id, String slug, String ownerEmail, String apiKey) {}

  /** Signs a MockMvc request in as the organization's owner. */
  public org.springframework.test.web.servlet.request.RequestPostProcessor asOwner(Created org) {
    return Fixtures.signedIn(users.byEmail(org.ownerEmail()).orElseThrow().principal());
  }

  /** Adds a new person (password {@link Fixtures#PASSWORD}) with this role and signs a MockMvc request in as them. */
  public org.springframework.test.web.servlet.request.RequestPostProcessor asNewMember(Created org, String email, Role role) {
    HeraldUser user = accounts.createPerson(new Accounts.NewPerson(email, "Member", Fixtures.PASSWORD, true, true), "127.0.0.1").principal();
    organizations.addMember(org.id(), user.id(), role);
    return Fixtures.signedIn(user);
  }

  /** A new operator of the installation (a member of no organization), signed in for a MockMvc request. */
  public org.springframework.test.web.servlet.request.RequestPostProcessor asNewOperator(String email) {
    HeraldUser person = accounts.createPerson(new Accounts.NewPerson(email, "Operator", Fixtures.PASSWORD, true, true), "127.0.0.1")
        .principal();
    jdbc.sql("update app_user set operator = true where id = ?").param(person.id()).update();
    return Fixtures.signedIn(users.byId(person.id()).orElseThrow().principal());
  }

  /** A new operator of the installation who is also a member of the organization with this role, signed in. */
  public org.springframework.test.web.servlet.request.RequestPostProcessor asNewOperatorMember(Created org, String email, Role role) {
    HeraldUser person = accounts.createPerson(new Accounts.NewPerson(email, "Operator", Fixtures.PASSWORD, true, true), "127.0.0.1")
        .principal();
    jdbc.sql("update app_user set operator = true where id = ?").param(person.id()).update();
    organizations.addMember(org.id(), person.id(), role);
    return Fixtures.signedIn(users.byId(person.id()).orElseThrow().principal());
  }

  public Created create(String name, String... scopes) {
    String email = "owner@" + Accounts.slugOf(name).toLowerCase(Locale.ROOT) + ".test";
    HeraldUser owner = accounts.createPerson(new Accounts.NewPerson(email, "Owner", Fixtures.PASSWORD, true, true), "127.0.0.1").principal();
    long id = accounts.createOrganization(owner.id(), name);
    String key = apiKeys.create(id, owner.id(), java.util.EnumSet.allOf(Permission.class), "tests", List.of(scopes), List.of()).secret();
    return new Created(id, organizations.byId(id).orElseThrow().slug(), email, key);
  }
}
