package dev.herald.domains;

import dev.herald.platform.Refused;
import dev.herald.tenancy.OrganizationContext;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** REST API for the organization's sending domains. {org} is the organization's slug. Private keys never appear here. */
@RestController
@Tag(name = "Domains", description = "Sending domains: DKIM keys, the DNS records to publish and their checks")
class DomainsApi {
  private final SendingDomains domains;

  DomainsApi(SendingDomains domains) {
    this.domains = domains;
  }

  record AddRequest(String name) {}

  /** The settings a domain has: {@code dkimSignatures} "both" (RSA-2048 and Ed25519) or "rsa" (RSA-2048 only). */
  record DomainPatch(String dkimSignatures) {}

  @GetMapping("/api/v1/orgs/{org}/domains")
  @Operation(summary = "The organization's sending domains with their records and last checks")
  List<SendingDomains.Domain> list(OrganizationContext org) {
    return domains.list(org.id());
  }

  @PostMapping("/api/v1/orgs/{org}/domains")
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(summary = "Add a sending domain: Herald generates its DKIM keys (RSA-2048 and Ed25519) and lists the records to publish")
  SendingDomains.Domain add(OrganizationContext org, @RequestBody(required = false) AddRequest body) {
    return domains.add(org.id(), body == null ? null : body.name());
  }

  @GetMapping("/api/v1/orgs/{org}/domains/{id}")
  @Operation(summary = "Get a sending domain")
  SendingDomains.Domain get(OrganizationContext org, @PathVariable long id) {
    return domains.find(org.id(), id).orElseThrow(() -> Refused.notFound("Domain " + id));
  }

  @PatchMapping("/api/v1/orgs/{org}/domains/{id}")
  @Operation(summary = "Change a domain's settings: dkimSignatures, both (RSA-2048 and Ed25519, the default) or rsa (RSA-2048 only)")
  SendingDomains.Domain patch(OrganizationContext org, @PathVariable long id, @RequestBody(required = false) DomainPatch body) {
    if (body == null || body.dkimSignatures() == null) return get(org, id);
    return domains.chooseSignatures(org.id(), id, body.dkimSignatures()); // another organization's domain: 404 there
  }

  @DeleteMapping("/api/v1/orgs/{org}/domains/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Remove a sending domain and its keys")
  void delete(OrganizationContext org, @PathVariable long id) {
    if (!domains.remove(org.id(), id)) throw Refused.notFound("Domain " + id);
  }

  @PostMapping("/api/v1/orgs/{org}/domains/{id}/check")
  @Operation(summary = "Look up every record now; pending keys take over once all their records are ok")
  SendingDomains.Domain check(OrganizationContext org, @PathVariable long id) {
    return domains.check(org.id(), id);
  }

  @PostMapping("/api/v1/orgs/{org}/domains/{id}/rotation")
  @Operation(summary = "Start a key rotation: a new key pair to publish beside the current one, which keeps signing until the new records check ok")
  SendingDomains.Domain rotate(OrganizationContext org, @PathVariable long id) {
    return domains.rotate(org.id(), id);
  }

  @DeleteMapping("/api/v1/orgs/{org}/domains/{id}/keys/{keyId}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Remove a retired key (after which its DNS record can go)")
  void deleteKey(OrganizationContext org, @PathVariable long id, @PathVariable long keyId) {
    domains.removeKey(org.id(), id, keyId);
  }
}
