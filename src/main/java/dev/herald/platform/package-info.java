/**
 * Platform: validated configuration, the database (embedded or external), node roles, clock, fenced leases on job tables, tokens,
 * encrypted secrets under a rotatable key ring, the outbound system-mail port and HTTP error
 * conventions. Every other capability may use it.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Platform")
package dev.herald.platform;
