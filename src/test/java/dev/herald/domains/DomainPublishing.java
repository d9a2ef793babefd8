package dev.herald.domains;

import dev.herald.testsupport.TestDns;

/**
 * For tests of other capabilities that need a verified domain: publishes every record a domain asks for on the
 * test DNS server and checks it, as its owner would. The DNS server must also serve the SPF include that
 * {@code herald.sending.spf-include} names (see {@code SendingDomainsTest}).
 */
public final class DomainPublishing {
  private DomainPublishing() {}

  /** Publishes and checks the domain of the organization ({@code organizationId} null: of the installation); whether it is verified. */
  public static boolean publishAndCheck(SendingDomains domains, TestDns dns, Long organizationId, long id) {
    SendingDomains.Domain domain = domains.find(organizationId, id).orElseThrow();
    for (SendingDomains.DnsRecord r : domain.records()) {
      switch (r.type()) {
        case "TXT" -> dns.replaceTxt(r.host(), r.value());
        case "MX" -> dns.remove(r.host(), org.xbill.DNS.Type.MX).mx(r.host(), Integer.parseInt(r.value().split(" ")[0]), r.value().split(" ")[1]);
        case "CNAME" -> dns.remove(r.host()).cname(r.host(), r.value());
        default -> throw new AssertionError(r.toString());
      }
    }
    return domains.check(organizationId, id).verified();
  }

  /** The DKIM records the domain asks for (the keys it signs with), name → value: for python3-dkim, as published. */
  public static java.util.Map<String, String> dkimRecords(SendingDomains domains, Long organizationId, long id) {
    java.util.Map<String, String> records = new java.util.LinkedHashMap<>();
    for (SendingDomains.DnsRecord r : domains.find(organizationId, id).orElseThrow().records()) {
      if (r.record().startsWith("dkim:") && r.type().equals("TXT")) records.put(r.host(), r.value());
    }
    return records;
  }
}
