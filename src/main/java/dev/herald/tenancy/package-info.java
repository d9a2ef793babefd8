/**
 * Tenancy: organizations, users, roles and groups, sign-in (passwords, TOTP, lockout), sessions,
 * invitations, API keys, policy acceptance, the audit log, and the one table of route permissions.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Tenancy")
package dev.herald.tenancy;
