/**
 * Domains: an organization's sending domains, their DKIM keys (RSA-2048 and Ed25519, private keys
 * encrypted through {@code platform.Secrets}), the DNS records to publish and their checks against real
 * DNS (DKIM, SPF with its lookup count, the return-path subdomain, DMARC by the RFC 9989 tree walk, the
 * tracking CNAME), key rotation without a gap, and the gate other capabilities ask before sending:
 * {@link dev.herald.domains.SendingDomains#verifiedDomainFor}.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Domains")
package dev.herald.domains;
