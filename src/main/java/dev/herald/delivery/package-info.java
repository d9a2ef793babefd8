/**
 * Delivery: the outbound MTA. For now only its sandbox route exists: system mail is captured in
 * PostgreSQL and shown in the panel's sandbox mailbox instead of leaving the machine.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Delivery")
package dev.herald.delivery;
