package dev.herald.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.tenancy.TestOrganizations;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;

/**
 * A verified sender, for tests whose mail must leave Herald (the queue holds mail from a domain it cannot sign for):
 * an organization's From address on a sending domain added with its keys and marked verified, or the installation's
 * system sender, set by an operator on the Delivery page, for Herald's own mail to people (without one it stays in
 * the sandbox mailbox). The domain checks themselves are {@code SendingDomainsTest}'s.
 */
public final class VerifiedSenders {
  /** An organization's verified From address; its domain's id; the DKIM TXT records, name → value, for a verifier. */
  public record Sender(String from, long domainId, Map<String, String> dkimRecords) {}

  private final SendingDomains domains;
  private final TestSendingDomains testDomains;

  public VerifiedSenders(SendingDomains domains, JdbcClient jdbc) {
    this.domains = domains;
    this.testDomains = new TestSendingDomains(domains, jdbc);
  }

  /** {@code news@domain}, the domain added to the organization (a name it does not have yet) and verified, signing. */
  public Sender organization(long organizationId, String domain) {
    Map<String, String> records = testDomains.verifiedSigning(organizationId, domain);
    String from = "news@" + domain;
    return new Sender(from, domains.verifiedDomainFor(organizationId, from).orElseThrow().id(), records);
  }

  /**
   * {@code herald@domain} as the installation's system sender, on a verified installation domain; its address. Set
   * once for the domain (the database outlives a test class's instances, so a class calls it before each test): when
   * the domain is already the installation's, nothing is done. Each class uses a domain of its own.
   */
  public String system(MockMvc mvc, TestOrganizations organizations, String domain) throws Exception {
    String from = "herald@" + domain;
    if (domains.verifiedInstallationDomainFor(from).isPresent()) return from;
    testDomains.verifiedSigning(null, domain);
    MockHttpServletResponse saved = mvc.perform(post("/operator/delivery").param("systemSender", from).with(csrf())
        .with(organizations.asNewOperator("ops@" + domain + ".test"))).andReturn().getResponse();
    assertThat(saved.getStatus()).as(saved.getContentAsString()).isEqualTo(302);
    return from;
  }
}
