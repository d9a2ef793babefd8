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

  /** Adds the domain, unverified; its id. {@code organizationId} null: one of the installation's own (the system sender's). */
  public long added(Long organizationId, String name) {
    return domains.add(organizationId, name).id();
  }

  /**
   * Adds the domain and marks it verified, with its active keys' DKIM records checked ok, so its mail is signed (the
   * worker holds mail it cannot sign); its id.
   */
  public long verified(Long organizationId, String name) {
    long id = added(organizationId, name);
    jdbc.sql("update sending_domain set verified = true, verified_at = now() where id = ?").param(id).update();
    dkimChecked(id, name);
    return id;
  }

  /** Adds the domain as {@link #verified}; the TXT records to publish, name → value, for a DKIM verifier's DNS. */
  public java.util.Map<String, String> verifiedSigning(Long organizationId, String name) {
    return dkimChecked(verified(organizationId, name), name);
  }

  private java.util.Map<String, String> dkimChecked(long id, String name) {
    java.util.Map<String, String> records = new java.util.LinkedHashMap<>();
    jdbc.sql("select selector, algorithm, public_key from dkim_key where domain_id = ? and status = 'active'").param(id)
        .query(rs -> {
          jdbc.sql("insert into domain_record_check (domain_id, record, state, found, detail, checked_at) values (?, ?, 'ok', '', '', now())"
              + " on conflict (domain_id, record) do update set state = 'ok'")
              .params(id, "dkim:" + rs.getString(1)).update();
          records.put(rs.getString(1) + "._domainkey." + name, "v=DKIM1; k=" + rs.getString(2) + "; p=" + rs.getString(3));
        });
    return records;
  }
}
