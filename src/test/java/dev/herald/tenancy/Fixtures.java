package dev.herald.tenancy;

import java.util.List;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.boot.test.context.TestComponent;
import org.springframework.test.web.servlet.request.RequestPostProcessor;

import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.authentication;

/** Builds people, organizations and keys through the same services the panel uses. */
@TestComponent
class Fixtures {
  static final String PASSWORD = "correct horse battery";
  private final Accounts accounts;
  private final Organizations organizations;
  private final ApiKeys apiKeys;
  private final Users users;
  private final org.springframework.jdbc.core.simple.JdbcClient jdbc;

  Fixtures(Accounts accounts, Organizations organizations, ApiKeys apiKeys, Users users,
      org.springframework.jdbc.core.simple.JdbcClient jdbc) {
    this.jdbc = jdbc;
    this.accounts = accounts;
    this.organizations = organizations;
    this.apiKeys = apiKeys;
    this.users = users;
  }

  HeraldUser person(String email) {
    return accounts.createPerson(new Accounts.NewPerson(email, "Person " + email, PASSWORD, true, true), "127.0.0.1").principal();
  }

  /** An operator who can sign in with {@link #PASSWORD}. */
  HeraldUser operator(String email) {
    HeraldUser person = person(email);
    jdbc.sql("update app_user set operator = true where id = ?").param(person.id()).update();
    return users.byId(person.id()).orElseThrow().principal();
  }

  Organizations.Organization organization(String name, HeraldUser owner) {
    long id = accounts.createOrganization(owner.id(), name);
    return organizations.byId(id).orElseThrow();
  }

  HeraldUser member(Organizations.Organization org, String email, Role role) {
    HeraldUser user = person(email);
    organizations.addMember(org.id(), user.id(), role);
    return user;
  }

  ApiKeys.Created apiKey(Organizations.Organization org, String... scopes) {
    return apiKeys.create(org.id(), null, java.util.EnumSet.allOf(Permission.class), "test key", List.of(scopes), List.of());
  }

  static RequestPostProcessor signedIn(HeraldUser user) {
    return authentication(UsernamePasswordAuthenticationToken.authenticated(user, null, AuthorityUtils.NO_AUTHORITIES));
  }
}
