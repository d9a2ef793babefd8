package dev.herald.audiences;

import dev.herald.tenancy.TestOrganizations;
import org.springframework.boot.test.context.TestComponent;

/** An organization with an owner and an API key holding every audiences scope, for audiences tests. */
@TestComponent
class AudienceFixtures {
  private final TestOrganizations organizations;

  AudienceFixtures(TestOrganizations organizations) {
    this.organizations = organizations;
  }

  TestOrganizations.Created organization(String name) {
    return organizations.create(name, "lists:read", "lists:write", "lists:export");
  }
}
