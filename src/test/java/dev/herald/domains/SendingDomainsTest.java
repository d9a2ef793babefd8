package dev.herald.domains;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.patch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.herald.platform.Secrets;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.TestDns;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** Sending domains through the API against a DNS server on loopback: keys, records, checks, the verified gate and rotation. */
@SpringBootTest
@AutoConfigureMockMvc
@Import(TestOrganizations.class)
class SendingDomainsTest {
  static final TestDns dns = TestDns.start();
  static final String INCLUDE = "_spf.herald.example";
  static final String BOUNCE = "bounce.herald.example";

  @DynamicPropertySource
  static void settings(DynamicPropertyRegistry registry) {
    registry.add("herald.dns.resolvers", dns::address);
    registry.add("herald.dns.timeout", () -> "PT2S");
    registry.add("herald.sending.spf-include", () -> INCLUDE);
    registry.add("herald.sending.bounce-host", () -> BOUNCE);
    registry.add("herald.sending.tracking-host", () -> "track.herald.example");
  }

  @AfterAll
  static void stop() {
    dns.close();
  }

  @Autowired MockMvc mvc;
  @Autowired TestOrganizations organizations;
  @Autowired SendingDomains domains;
  @Autowired DomainRecheck recheck;
  @Autowired DomainChecks checks;
  @Autowired Secrets secrets;
  @Autowired JdbcClient jdbc;
  @Autowired ObjectMapper json;

  TestOrganizations.Created acme;
  static int counter;

  @BeforeEach
  void organization() {
    dns.clear();
    dns.txt(INCLUDE, "v=spf1 ip4:127.0.0.1 -all");
    acme = organizations.create("Domains Api " + (++counter), "domains:read", "domains:write");
  }

  JsonNode send(TestOrganizations.Created org, MockHttpServletRequestBuilder r, String body, int expectedStatus) throws Exception {
    MockHttpServletResponse response = mvc.perform(r.header("Authorization", "Bearer " + org.apiKey())
        .contentType("application/json").content(body)).andReturn().getResponse();
    assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(expectedStatus);
    return response.getContentAsString().isEmpty() ? null : json.readTree(response.getContentAsString());
  }

  String api(TestOrganizations.Created org, String path) {
    return "/api/v1/orgs/" + org.slug() + path;
  }

  JsonNode add(TestOrganizations.Created org, String name) throws Exception {
    return send(org, post(api(org, "/domains")), "{\"name\": \"" + name + "\"}", 201);
  }

  JsonNode check(TestOrganizations.Created org, JsonNode domain) throws Exception {
    return send(org, post(api(org, "/domains/" + domain.get("id").asLong() + "/check")), "", 200);
  }

  JsonNode record(JsonNode domain, String name) {
    for (JsonNode r : domain.get("records")) if (r.get("record").asString().equals(name)) return r;
    throw new AssertionError("no record " + name + " in " + domain);
  }

  /** Publishes a record exactly as the API shows it. */
  void publish(JsonNode record) {
    String host = record.get("host").asString();
    String value = record.get("value").asString();
    switch (record.get("type").asString()) {
      case "TXT" -> dns.replaceTxt(host, value);
      case "MX" -> dns.remove(host, org.xbill.DNS.Type.MX).mx(host, Integer.parseInt(value.split(" ")[0]), value.split(" ")[1]);
      case "CNAME" -> dns.remove(host).cname(host, value);
      default -> throw new AssertionError(record.toString());
    }
  }

  void publishAll(JsonNode domain) {
    for (JsonNode r : domain.get("records")) publish(r);
  }

  List<String> selectors(JsonNode domain, String status) {
    List<String> out = new ArrayList<>();
    for (JsonNode k : domain.get("keys")) if (k.get("status").asString().equals(status)) out.add(k.get("selector").asString());
    return out;
  }

  @Test
  void adding_a_domain_makes_an_rsa_and_an_ed25519_key_whose_private_halves_are_only_in_secrets() throws Exception {
    JsonNode domain = add(acme, "Acme-" + counter + ".example");
    String name = "acme-" + counter + ".example";
    assertThat(domain.get("name").asString()).isEqualTo(name);
    assertThat(domain.get("verified").asBoolean()).isFalse();
    assertThat(domain.get("keys")).hasSize(2);
    String month = java.time.YearMonth.now(java.time.ZoneOffset.UTC).toString().replace("-", "");
    assertThat(selectors(domain, "active")).containsExactlyInAnyOrder("hr" + month + "r", "hr" + month + "e");

    JsonNode dkim = record(domain, "dkim:hr" + month + "r");
    assertThat(dkim.get("host").asString()).isEqualTo("hr" + month + "r._domainkey." + name);
    assertThat(dkim.get("value").asString()).startsWith("v=DKIM1; k=rsa; p=MII");
    assertThat(dkim.get("zoneValue").asString()).startsWith("\"v=DKIM1; k=rsa; p=MII").contains("\" \"");
    assertThat(record(domain, "dkim:hr" + month + "e").get("value").asString()).matches("v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}=");
    JsonNode returnPath = record(domain, "return_path_mx");
    assertThat(returnPath.get("host").asString()).isEqualTo("bounces." + name);
    assertThat(returnPath.get("value").asString()).isEqualTo("10 " + BOUNCE + ".");
    assertThat(record(domain, "return_path_spf").get("value").asString()).isEqualTo("v=spf1 include:" + INCLUDE + " -all");
    assertThat(record(domain, "dmarc").get("value").asString()).isEqualTo("v=DMARC1; p=none; adkim=r; aspf=r");
    assertThat(record(domain, "tracking").get("value").asString()).isEqualTo("track.herald.example.");
    assertThat(record(domain, "spf").get("state").isNull()).as("not checked yet").isTrue();

    // Each private key is PKCS#8 in Secrets (encrypted), pairs with the published key, and appears in no answer.
    for (JsonNode key : domain.get("keys")) {
      long id = key.get("id").asLong();
      byte[] pkcs8 = secrets.get(SendingDomains.secretName(id)).orElseThrow();
      String algorithm = key.get("algorithm").asString().equals("rsa") ? "RSA" : "Ed25519";
      PrivateKey privateKey = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
      byte[] ciphertext = jdbc.sql("select ciphertext from secret where name = ?").param(SendingDomains.secretName(id)).query(byte[].class).single();
      assertThat(new String(ciphertext, StandardCharsets.ISO_8859_1)).doesNotContain(new String(pkcs8, StandardCharsets.ISO_8859_1));
      String all = send(acme, get(api(acme, "/domains/" + domain.get("id").asLong())), "", 200).toString();
      assertThat(all).doesNotContain(Base64.getEncoder().encodeToString(pkcs8).substring(0, 40));

      byte[] message = "signed".getBytes(StandardCharsets.UTF_8);
      Signature signer = Signature.getInstance(algorithm.equals("RSA") ? "SHA256withRSA" : "Ed25519");
      signer.initSign(privateKey);
      signer.update(message);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm.equals("RSA") ? "SHA256withRSA" : "Ed25519");
      verifier.initVerify(publicKey(algorithm, key.get("publicKey").asString()));
      verifier.update(message);
      assertThat(verifier.verify(signature)).as(algorithm + " private key pairs with the published p=").isTrue();
    }
  }

  static PublicKey publicKey(String algorithm, String p) throws Exception {
    byte[] raw = Base64.getDecoder().decode(p);
    if (algorithm.equals("RSA")) return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(raw));
    byte[] prefix = java.util.HexFormat.of().parseHex("302a300506032b6570032100");
    byte[] spki = new byte[prefix.length + raw.length];
    System.arraycopy(prefix, 0, spki, 0, prefix.length);
    System.arraycopy(raw, 0, spki, prefix.length, raw.length);
    return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
  }

  @Test
  void bad_names_and_duplicates_are_problems_naming_the_field() throws Exception {
    for (String bad : List.of("", "not a domain", "ann@acme.example", "https://acme.example/", "localhost", "acme..example", "-acme.example")) {
      JsonNode problem = send(acme, post(api(acme, "/domains")), json.writeValueAsString(java.util.Map.of("name", bad)), 422);
      assertThat(problem.get("errors").get(0).get("field").asString()).as(bad).isEqualTo("name");
    }
    JsonNode idn = add(acme, "Bücher-" + counter + ".example");
    assertThat(idn.get("name").asString()).isEqualTo("xn--bcher-" + idnTail(counter));
    assertThat(idn.get("unicodeName").asString()).isEqualTo("bücher-" + counter + ".example");
    JsonNode duplicate = send(acme, post(api(acme, "/domains")), "{\"name\": \"xn--bcher-" + idnTail(counter) + ".\"}", 409);
    assertThat(duplicate.get("detail").asString()).contains("already one of your sending domains");
  }

  static String idnTail(int counter) {
    String ascii = java.net.IDN.toASCII("bücher-" + counter + ".example");
    return ascii.substring("xn--bcher-".length());
  }

  @Test
  void only_a_domain_whose_dkim_and_return_path_check_ok_can_send() throws Exception {
    String name = "gate-" + counter + ".example";
    JsonNode domain = add(acme, name);
    assertThat(domains.verifiedDomainFor(acme.id(), "news@" + name)).isEmpty();

    // DMARC, SPF of the domain and tracking are recommended: publishing only them verifies nothing.
    publish(record(domain, "dmarc"));
    publish(record(domain, "spf"));
    JsonNode checked = check(acme, domain);
    assertThat(checked.get("verified").asBoolean()).isFalse();
    assertThat(record(checked, "dmarc").get("state").asString()).isEqualTo("ok");
    assertThat(record(checked, "return_path_mx").get("state").asString()).isEqualTo("missing");

    String rsa = selectors(domain, "active").stream().filter(s -> s.endsWith("r")).findFirst().orElseThrow();
    publish(record(domain, "dkim:" + rsa));
    publish(record(domain, "return_path_mx"));
    assertThat(check(acme, domain).get("verified").asBoolean()).as("return path SPF still missing").isFalse();
    publish(record(domain, "return_path_spf"));
    checked = check(acme, domain);
    assertThat(checked.get("verified").asBoolean()).as(checked.toString()).isTrue();
    assertThat(record(checked, "dkim:" + rsa).get("state").asString()).isEqualTo("ok");

    SendingDomains.VerifiedDomain verified = domains.verifiedDomainFor(acme.id(), "News@" + name.toUpperCase()).orElseThrow();
    assertThat(verified.name()).isEqualTo(name);
    assertThat(verified.keys()).as("only the key whose record is published signs").extracting(SendingDomains.SigningKey::selector)
        .containsExactly(rsa);
    assertThat(domains.privateKey(verified.keys().getFirst())).isNotEmpty();
    assertThat(domains.verifiedDomainFor(acme.id(), "news@sub." + name)).as("a subdomain is another domain").isEmpty();
    assertThat(domains.verifiedDomainFor(acme.id(), "not an address")).isEmpty();

    // Another organization can neither send as it nor add it.
    TestOrganizations.Created other = organizations.create("Domains Other " + counter, "domains:read", "domains:write");
    assertThat(domains.verifiedDomainFor(other.id(), "news@" + name)).isEmpty();
    JsonNode refused = send(other, post(api(other, "/domains")), "{\"name\": \"" + name + "\"}", 409);
    assertThat(refused.get("detail").asString()).contains("verified by another organization");

    // A record gone from DNS: the next check takes the domain out of use.
    dns.remove("bounces." + name, org.xbill.DNS.Type.MX);
    assertThat(check(acme, domain).get("verified").asBoolean()).isFalse();
    assertThat(domains.verifiedDomainFor(acme.id(), "news@" + name)).isEmpty();
    assertThat(jdbc.sql("select action from audit_event where organization_id = ? and object_type = 'sending_domain' order by id")
        .param(acme.id()).query(String.class).list()).containsExactly("domain.added", "domain.verified", "domain.unverified");
  }

  @Test
  void a_name_verified_by_one_organization_stays_unverified_for_another_that_added_it_before() throws Exception {
    String name = "race-" + counter + ".example";
    TestOrganizations.Created other = organizations.create("Domains Race " + counter, "domains:read", "domains:write");
    JsonNode ours = add(acme, name);
    JsonNode theirs = add(other, name);
    publishAll(ours);
    assertThat(check(acme, ours).get("verified").asBoolean()).isTrue();
    // They publish their keys too (the return path is the same): still only one organization holds the name verified.
    for (JsonNode r : theirs.get("records")) if (r.get("record").asString().startsWith("dkim:")) dns.txt(r.get("host").asString(), r.get("value").asString());
    assertThat(check(other, theirs).get("verified").asBoolean()).isFalse();
    assertThat(domains.verifiedDomainFor(other.id(), "a@" + name)).isEmpty();
  }

  @Test
  void rotation_switches_keys_only_once_the_new_records_are_published_so_signing_never_has_a_gap() throws Exception {
    String name = "rotate-" + counter + ".example";
    JsonNode domain = add(acme, name);
    long id = domain.get("id").asLong();
    publishAll(domain);
    assertThat(check(acme, domain).get("verified").asBoolean()).isTrue();
    List<String> old = selectors(domain, "active");

    JsonNode rotating = send(acme, post(api(acme, "/domains/" + id + "/rotation")), "", 200);
    List<String> pending = selectors(rotating, "pending");
    assertThat(pending).hasSize(2).doesNotContainAnyElementsOf(old);
    assertThat(selectors(rotating, "active")).containsExactlyInAnyOrderElementsOf(old);
    send(acme, post(api(acme, "/domains/" + id + "/rotation")), "", 409);

    // Every moment of the rotation: the domain is verified and signs only with keys whose records are published.
    assertSigningKeysArePublished(name);
    JsonNode waiting = check(acme, domain);
    assertThat(selectors(waiting, "active")).as("new records not published: old keys keep signing").containsExactlyInAnyOrderElementsOf(old);
    assertSigningKeysArePublished(name);

    // Only one of the two new records published: still no switch (both keys change together).
    publish(record(waiting, "dkim:" + pending.get(0)));
    assertThat(selectors(check(acme, domain), "active")).containsExactlyInAnyOrderElementsOf(old);
    assertSigningKeysArePublished(name);

    publish(record(waiting, "dkim:" + pending.get(1)));
    JsonNode switched = check(acme, domain);
    assertThat(selectors(switched, "active")).containsExactlyInAnyOrderElementsOf(pending);
    assertThat(selectors(switched, "retired")).as("old keys stay listed to keep published").containsExactlyInAnyOrderElementsOf(old);
    assertThat(record(switched, "dkim:" + old.get(0)).get("purpose").asString()).contains("keep it published");
    assertThat(switched.get("verified").asBoolean()).isTrue();
    assertSigningKeysArePublished(name);

    // Active keys cannot be removed; retired ones can, and their secret goes with them.
    long activeKey = keyId(switched, pending.get(0));
    send(acme, delete(api(acme, "/domains/" + id + "/keys/" + activeKey)), "", 409);
    for (String selector : old) {
      long keyId = keyId(switched, selector);
      send(acme, delete(api(acme, "/domains/" + id + "/keys/" + keyId)), "", 204);
      assertThat(secrets.get(SendingDomains.secretName(keyId))).isEmpty();
    }
    JsonNode after = send(acme, get(api(acme, "/domains/" + id)), "", 200);
    assertThat(after.get("keys")).hasSize(2);
    assertThat(after.get("records").toString()).doesNotContain(old.get(0) + "._domainkey");
  }

  @Test
  void a_domain_can_sign_with_rsa_only_and_switch_back_through_the_api_and_the_panel() throws Exception {
    String name = "sigs-" + counter + ".example";
    JsonNode domain = add(acme, name);
    long id = domain.get("id").asLong();
    assertThat(domain.get("dkimSignatures").asString()).isEqualTo("both");
    publishAll(domain);
    assertThat(check(acme, domain).get("verified").asBoolean()).isTrue();
    assertThat(domains.verifiedDomainFor(acme.id(), "news@" + name).orElseThrow().keys())
        .extracting(SendingDomains.SigningKey::algorithm).containsExactly(DkimAlgorithm.RSA, DkimAlgorithm.ED25519);

    JsonNode rsa = send(acme, patch(api(acme, "/domains/" + id)), "{\"dkimSignatures\": \"rsa\"}", 200);
    assertThat(rsa.get("dkimSignatures").asString()).isEqualTo("rsa");
    assertThat(rsa.get("keys")).as("both keys stay, and stay published").hasSize(2);
    assertThat(domains.verifiedDomainFor(acme.id(), "news@" + name).orElseThrow().keys())
        .extracting(SendingDomains.SigningKey::algorithm).containsExactly(DkimAlgorithm.RSA);

    JsonNode refused = send(acme, patch(api(acme, "/domains/" + id)), "{\"dkimSignatures\": \"ed25519\"}", 422);
    assertThat(refused.toString()).contains("dkimSignatures", "both, rsa");
    TestOrganizations.Created reader = organizations.create("Domains Reader " + counter, "domains:read");
    send(reader, patch(api(reader, "/domains/" + id)), "{\"dkimSignatures\": \"both\"}", 403); // no domains:write

    // The RSA record gone from DNS while Ed25519's is ok: the mail is signed with what is published, not held.
    dns.remove(record(domain, "dkim:" + selectors(domain, "active").stream().filter(s -> s.endsWith("r")).findFirst().orElseThrow())
        .get("host").asString());
    check(acme, domain);
    assertThat(domains.verifiedDomainFor(acme.id(), "news@" + name).orElseThrow().keys())
        .extracting(SendingDomains.SigningKey::algorithm).containsExactly(DkimAlgorithm.ED25519);
    publishAll(domain);
    check(acme, domain);

    // The panel: the choice shown, changed back by its form, a bad value an error on the page.
    String page = mvc.perform(get("/o/" + acme.slug() + "/domains/" + id).with(organizations.asOwner(acme))).andReturn()
        .getResponse().getContentAsString();
    assertThat(page).contains("RSA-2048 only", "name=\"dkimSignatures\" value=\"rsa\" checked");
    mvc.perform(post("/o/" + acme.slug() + "/domains/" + id + "/signatures").param("dkimSignatures", "both")
        .with(organizations.asOwner(acme)).with(csrf())).andExpect(status().is3xxRedirection());
    assertThat(domains.verifiedDomainFor(acme.id(), "news@" + name).orElseThrow().keys()).hasSize(2);
    assertThat(jdbc.sql("select detail from audit_event where organization_id = ? and action = 'domain.signatures_changed' order by id")
        .param(acme.id()).query(String.class).list()).containsExactly(name + ": rsa", name + ": both");
  }

  long keyId(JsonNode domain, String selector) {
    for (JsonNode k : domain.get("keys")) if (k.get("selector").asString().equals(selector)) return k.get("id").asLong();
    throw new AssertionError(selector);
  }

  /** The no-gap property: whoever sends now signs with keys whose DKIM records DNS serves. */
  void assertSigningKeysArePublished(String name) {
    SendingDomains.VerifiedDomain verified = domains.verifiedDomainFor(acme.id(), "news@" + name).orElseThrow();
    assertThat(verified.keys()).isNotEmpty();
    for (SendingDomains.SigningKey key : verified.keys()) {
      String p = jdbc.sql("select public_key from dkim_key where id = ?").param(key.id()).query(String.class).single();
      SendingDomains.Key published = new SendingDomains.Key(key.id(), key.selector(), key.algorithm(), p, KeyStatus.ACTIVE, null, null, null);
      assertThat(checks.dkim(name, published).state()).as(key.selector() + " served by DNS").isEqualTo(RecordState.OK);
    }
  }

  @Test
  void the_periodic_check_looks_up_due_domains_once_per_interval() throws Exception {
    JsonNode domain = add(acme, "periodic-" + counter + ".example");
    publishAll(domain);
    jdbc.sql("update sending_domain set next_check_at = now() - interval '1 second' where organization_id = ?").param(acme.id()).update();
    assertThat(recheck.work()).isGreaterThanOrEqualTo(1);
    JsonNode checked = send(acme, get(api(acme, "/domains/" + domain.get("id").asLong())), "", 200);
    assertThat(checked.get("verified").asBoolean()).isTrue();
    assertThat(checked.get("checkedAt").isNull()).isFalse();
    dns.clearQueries();
    assertThat(recheck.work()).as("nothing due until the interval passed").isZero();
    assertThat(dns.queries()).isEmpty();
  }

  @Test
  void an_organizations_domain_page_carries_the_organizations_navigation_not_the_operators() throws Exception {
    long id = add(acme, "page-" + counter + ".example").get("id").asLong();
    String page = mvc.perform(get("/o/" + acme.slug() + "/domains/" + id).with(organizations.asOwner(acme))).andReturn()
        .getResponse().getContentAsString();
    assertThat(page).contains("page-" + counter + ".example", "Sending domains").doesNotContain("href=\"/operator/delivery\"",
        "href=\"/operator/queue\"");
  }

  @Test
  void a_domain_is_removed_with_its_keys() throws Exception {
    JsonNode domain = add(acme, "gone-" + counter + ".example");
    long id = domain.get("id").asLong();
    send(acme, delete(api(acme, "/domains/" + id)), "", 204);
    for (JsonNode key : domain.get("keys")) assertThat(secrets.get(SendingDomains.secretName(key.get("id").asLong()))).isEmpty();
    send(acme, get(api(acme, "/domains/" + id)), "", 404);
  }

  @Test
  void deleting_the_organization_deletes_its_domains_private_keys_from_secrets() throws Exception {
    TestOrganizations.Created doomed = organizations.create("Domains Doomed " + counter, "domains:read", "domains:write");
    JsonNode domain = add(doomed, "doomed-" + counter + ".example");
    List<Long> keys = new ArrayList<>();
    for (JsonNode key : domain.get("keys")) keys.add(key.get("id").asLong());
    assertThat(keys).allMatch(id -> secrets.get(SendingDomains.secretName(id)).isPresent());

    var operator = organizations.asNewOperator("operator" + counter + "@domains.example");
    MockHttpServletResponse deleted = mvc.perform(post("/operator/organizations/" + doomed.id() + "/delete").with(operator)
        .with(org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf())
        .param("confirm", doomed.slug())).andReturn().getResponse();
    assertThat(deleted.getStatus()).isEqualTo(302);
    assertThat(jdbc.sql("select count(*) from sending_domain where organization_id = ?").param(doomed.id()).query(Long.class).single()).isZero();
    assertThat(keys).allMatch(id -> secrets.get(SendingDomains.secretName(id)).isEmpty());
  }
}
