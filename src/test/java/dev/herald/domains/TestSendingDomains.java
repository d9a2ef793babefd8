package dev.herald.domains;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * For other capabilities' tests: a sending domain of an organization, added through {@link SendingDomains} (with its
 * keys) and marked verified without publishing its records, for tests about what happens after verification (the
 * DNS checks themselves are {@code SendingDomainsTest}'s).
 */
public class TestSendingDomains {
  private final SendingDomains domains;
  private final JdbcClient jdbc;

  public TestSendingDomains(SendingDomains domains, JdbcClient jdbc) {
    this.domains = domains;
    this.jdbc = jdbc;
  }

  /** Adds the domain, unverified; its id. */
  public long added(long organizationId, String name) {
    return domains.add(organizationId, name).id();
  }

  /** Adds the domain and marks it verified; its id. */
  public long verified(long organizationId, String name) {
    long id = added(organizationId, name);
    jdbc.sql("update sending_domain set verified = true, verified_at = now() where id = ?").param(id).update();
    return id;
  }
}
