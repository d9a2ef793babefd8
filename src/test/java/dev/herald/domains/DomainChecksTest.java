package dev.herald.domains;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testsupport.TestDns;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each record's check against a real DNS server on loopback: missing, wrong (with what DNS has) and ok; the DMARC tree walk; SPF lookup counting. */
class DomainChecksTest {
  static final String INCLUDE = "_spf.herald.example";
  static TestDns dns;
  static DomainChecks checks;

  @BeforeAll
  static void start() throws Exception {
    dns = TestDns.start();
    checks = new DomainChecks(new Dns(List.of(dns.address()), Duration.ofSeconds(2)),
        new DnsPlan(INCLUDE, "bounce.herald.example", "track.herald.example"));
  }

  @AfterAll
  static void stop() {
    dns.close();
  }

  @BeforeEach
  void empty() {
    dns.clear();
    dns.txt(INCLUDE, "v=spf1 ip4:127.0.0.1 -all");
  }

  static SendingDomains.Key key(DkimAlgorithm algorithm, String selector) {
    DkimKeys.Generated g = DkimKeys.generate(algorithm);
    return new SendingDomains.Key(1, selector, algorithm, g.publicKey(), KeyStatus.ACTIVE, Instant.now(), null, null);
  }

  @Test
  void dkim_record_is_missing_then_wrong_showing_what_dns_has_then_ok() {
    SendingDomains.Key rsa = key(DkimAlgorithm.RSA, "hr202612r");
    String host = "hr202612r._domainkey.acme.example";
    assertThat(checks.dkim("acme.example", rsa).state()).isEqualTo(RecordState.MISSING);

    String other = DkimKeys.record(DkimAlgorithm.RSA, DkimKeys.generate(DkimAlgorithm.RSA).publicKey());
    dns.txt(host, other);
    DomainChecks.Outcome wrong = checks.dkim("acme.example", rsa);
    assertThat(wrong.state()).isEqualTo(RecordState.WRONG);
    assertThat(wrong.found()).isEqualTo(other);

    // A 2048-bit key is longer than one TXT string: published in 255-octet strings, read back joined.
    String ours = DkimKeys.record(DkimAlgorithm.RSA, rsa.publicKey());
    assertThat(ours.length()).isGreaterThan(255);
    dns.replaceTxt(host, ours);
    assertThat(checks.dkim("acme.example", rsa).state()).isEqualTo(RecordState.OK);

    SendingDomains.Key ed = key(DkimAlgorithm.ED25519, "hr202612e");
    dns.txt("hr202612e._domainkey.acme.example", "v=DKIM1; k=rsa; p=" + ed.publicKey());
    assertThat(checks.dkim("acme.example", ed).state()).as("the right key under the wrong k=").isEqualTo(RecordState.WRONG);
    dns.replaceTxt("hr202612e._domainkey.acme.example", DkimKeys.record(DkimAlgorithm.ED25519, ed.publicKey()));
    assertThat(checks.dkim("acme.example", ed).state()).isEqualTo(RecordState.OK);
  }

  @Test
  void return_path_mx_is_missing_wrong_or_ok() {
    assertThat(checks.mx("bounces.acme.example").state()).isEqualTo(RecordState.MISSING);
    dns.mx("bounces.acme.example", 10, "mail.elsewhere.example");
    DomainChecks.Outcome wrong = checks.mx("bounces.acme.example");
    assertThat(wrong.state()).isEqualTo(RecordState.WRONG);
    assertThat(wrong.found()).isEqualTo("10 mail.elsewhere.example");
    dns.remove("bounces.acme.example").mx("bounces.acme.example", 10, "bounce.herald.example");
    assertThat(checks.mx("bounces.acme.example").state()).isEqualTo(RecordState.OK);
  }

  @Test
  void a_return_path_published_as_a_cname_to_the_bounce_host_checks_ok_through_it() {
    // The installation publishes MX and SPF at its bounce host; a domain may then delegate its return path by CNAME.
    dns.mx("bounce.herald.example", 10, "bounce.herald.example").txt("bounce.herald.example", "v=spf1 include:" + INCLUDE + " -all");
    dns.cname("bounces.acme.example", "bounce.herald.example");
    assertThat(checks.mx("bounces.acme.example").state()).isEqualTo(RecordState.OK);
    assertThat(checks.spf("bounces.acme.example").state()).isEqualTo(RecordState.OK);
  }

  @Test
  void spf_must_reach_the_include_within_ten_lookups() {
    assertThat(checks.spf("acme.example").state()).isEqualTo(RecordState.MISSING);

    dns.txt("acme.example", "v=spf1 mx -all");
    DomainChecks.Outcome without = checks.spf("acme.example");
    assertThat(without.state()).isEqualTo(RecordState.WRONG);
    assertThat(without.found()).isEqualTo("v=spf1 mx -all");
    assertThat(without.detail()).contains("does not include " + INCLUDE);

    // Reached through a nested include counts; each include, a and mx is one lookup.
    dns.replaceTxt("acme.example", "v=spf1 a mx include:_spf.acme.example ~all");
    dns.txt("_spf.acme.example", "v=spf1 include:" + INCLUDE + " ~all");
    DomainChecks.Outcome ok = checks.spf("acme.example");
    assertThat(ok.state()).isEqualTo(RecordState.OK);
    assertThat(ok.detail()).isEqualTo("4 of 10 DNS lookups");

    dns.txt("acme.example", "v=spf1 -all");
    assertThat(checks.spf("acme.example").detail()).contains("2 SPF records");
  }

  @Test
  void spf_past_ten_lookups_is_wrong_and_says_how_many() {
    // include:INCLUDE, then a chain of includes each adding a and mx: 1 + 4 * 3 = 13 lookups.
    dns.txt("big.example", "v=spf1 include:" + INCLUDE + " include:c1.big.example -all");
    for (int i = 1; i <= 4; i++) {
      dns.txt("c" + i + ".big.example", "v=spf1 a mx" + (i < 4 ? " include:c" + (i + 1) + ".big.example" : "") + " -all");
    }
    DomainChecks.Outcome outcome = checks.spf("big.example");
    assertThat(outcome.state()).isEqualTo(RecordState.WRONG);
    assertThat(outcome.detail()).contains("needs 11 DNS lookups").contains("stop at 10");

    // redirect= counts and is followed, unless the record has an all.
    dns.txt("redirected.example", "v=spf1 redirect=_spf.redirected.example");
    dns.txt("_spf.redirected.example", "v=spf1 include:" + INCLUDE + " -all");
    assertThat(checks.spf("redirected.example").detail()).isEqualTo("2 of 10 DNS lookups");
  }

  @Test
  void tracking_cname_is_missing_wrong_or_ok() {
    assertThat(checks.cname("track.acme.example", "track.herald.example").state()).isEqualTo(RecordState.MISSING);
    dns.cname("track.acme.example", "other.example");
    assertThat(checks.cname("track.acme.example", "track.herald.example"))
        .extracting(DomainChecks.Outcome::state, DomainChecks.Outcome::found).containsExactly(RecordState.WRONG, "other.example");
    dns.remove("track.acme.example").cname("track.acme.example", "track.herald.example");
    assertThat(checks.cname("track.acme.example", "track.herald.example").state()).isEqualTo(RecordState.OK);
  }

  @Test
  void the_dmarc_tree_walk_goes_up_one_label_at_a_time_and_jumps_to_seven_labels_from_eight_or_more() {
    assertThat(Dmarc.walk("news.acme.example")).containsExactly("news.acme.example", "acme.example", "example");
    assertThat(Dmarc.walk("a.b.c.d.e.f.g.h.example")).containsExactly("a.b.c.d.e.f.g.h.example", "c.d.e.f.g.h.example",
        "d.e.f.g.h.example", "e.f.g.h.example", "f.g.h.example", "g.h.example", "h.example", "example");
    assertThat(Dmarc.walk("a.b.c.d.e.f.g.h.example")).hasSize(Dmarc.MAX_QUERIES);

    dns.clearQueries();
    DomainChecks.Outcome none = checks.dmarc("a.b.c.d.e.f.g.h.example");
    assertThat(none.state()).isEqualTo(RecordState.MISSING);
    assertThat(dns.queries()).as("at most 8 queries").hasSize(8).allMatch(q -> q.startsWith("_dmarc.") && q.endsWith(" TXT"));
  }

  @Test
  void dmarc_at_the_domain_is_ok_and_reports_alignment() {
    dns.txt("_dmarc.acme.example", "v=DMARC1; p=quarantine; rua=mailto:d@acme.example");
    DomainChecks.Outcome ok = checks.dmarc("acme.example");
    assertThat(ok.state()).isEqualTo(RecordState.OK);
    assertThat(ok.found()).isEmpty();
    assertThat(ok.detail()).contains("p=quarantine", "organizational domain acme.example", "adkim=r (relaxed)", "aspf=r (relaxed)",
        "DKIM aligned", "SPF aligned");

    dns.replaceTxt("_dmarc.acme.example", "v=DMARC1; p=reject; adkim=s; aspf=s");
    assertThat(checks.dmarc("acme.example").detail()).contains("adkim=s (strict)", "aspf=s (strict)", "DKIM aligned",
        "SPF not aligned (the return path bounces.acme.example differs from the From domain under strict alignment)");
  }

  @Test
  void dmarc_of_a_subdomain_comes_from_its_organizational_domain_found_by_the_walk() {
    dns.txt("_dmarc.acme.example", "v=DMARC1; p=none");
    dns.clearQueries();
    DomainChecks.Outcome ok = checks.dmarc("news.acme.example");
    assertThat(ok.state()).isEqualTo(RecordState.OK);
    assertThat(ok.found()).isEqualTo("v=DMARC1; p=none");
    assertThat(ok.detail()).contains("policy from _dmarc.acme.example", "organizational domain acme.example", "SPF aligned");
    assertThat(dns.queries()).contains("_dmarc.news.acme.example TXT", "_dmarc.acme.example TXT", "_dmarc.example TXT");
  }

  @Test
  void psd_tags_set_the_organizational_domain_and_stop_the_walk() {
    // A public suffix operator's record at the TLD: the organizational domain is the name one label below it.
    dns.txt("_dmarc.example", "v=DMARC1; p=reject; psd=y");
    Dmarc.Discovery underSuffix = Dmarc.discover(new DnsFor(dns).dns, "mail.news.acme.example");
    assertThat(underSuffix.organizationalDomain()).isEqualTo("acme.example");
    assertThat(underSuffix.policy().domain()).isEqualTo("example");

    // psd=n marks the organizational domain itself; the walk stops there.
    dns.txt("_dmarc.acme.example", "v=DMARC1; p=none; psd=n");
    dns.clearQueries();
    Dmarc.Discovery own = Dmarc.discover(new DnsFor(dns).dns, "mail.news.acme.example");
    assertThat(own.organizationalDomain()).isEqualTo("acme.example");
    assertThat(own.policy().domain()).isEqualTo("acme.example");
    assertThat(dns.queries()).doesNotContain("_dmarc.example TXT");

    // Without psd the record with the fewest labels found is the organizational domain.
    dns.remove("_dmarc.acme.example").remove("_dmarc.example");
    dns.txt("_dmarc.news.acme.example", "v=DMARC1; p=none");
    dns.txt("_dmarc.acme.example", "v=DMARC1; p=reject");
    Dmarc.Discovery plain = Dmarc.discover(new DnsFor(dns).dns, "mail.news.acme.example");
    assertThat(plain.policy().domain()).isEqualTo("news.acme.example");
    assertThat(plain.organizationalDomain()).isEqualTo("acme.example");
  }

  @Test
  void dmarc_missing_invalid_or_doubled_is_said_so() {
    assertThat(checks.dmarc("acme.example").state()).isEqualTo(RecordState.MISSING);
    dns.txt("_dmarc.acme.example", "v=DMARC1; p=maybe");
    assertThat(checks.dmarc("acme.example")).extracting(DomainChecks.Outcome::state, DomainChecks.Outcome::found)
        .containsExactly(RecordState.WRONG, "v=DMARC1; p=maybe");
    dns.txt("_dmarc.acme.example", "v=DMARC1; p=none");
    DomainChecks.Outcome doubled = checks.dmarc("acme.example");
    assertThat(doubled.state()).isEqualTo(RecordState.MISSING);
    assertThat(doubled.detail()).contains("has 2 DMARC records");
    dns.remove("_dmarc.acme.example").txt("_dmarc.acme.example", "v=spf1 -all");
    assertThat(checks.dmarc("acme.example").state()).as("a TXT record that is not DMARC").isEqualTo(RecordState.MISSING);
  }

  @Test
  void a_resolver_that_does_not_answer_is_reported_not_taken_for_a_missing_record() throws Exception {
    try (var silent = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
      DomainChecks offline = new DomainChecks(new Dns(List.of("127.0.0.1:" + silent.getLocalPort()), Duration.ofMillis(300)),
          new DnsPlan(INCLUDE, "bounce.herald.example", "track.herald.example"));
      assertThat(offline.mx("bounces.acme.example").detail()).startsWith("DNS gave no answer for bounces.acme.example");
    }
  }

  /** A second client on the same server (the walk is tested apart from the checks). */
  static final class DnsFor {
    final Dns dns;

    DnsFor(TestDns server) {
      try {
        this.dns = new Dns(List.of(server.address()), Duration.ofSeconds(2));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
