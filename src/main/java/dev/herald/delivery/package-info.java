/**
 * Delivery: the outbound MTA. A {@code Route} decides where the mail of a sender to a recipient domain goes (the
 * domain's MX hosts, one static loopback server for tests and benchmarks, a delivery server, or the sandbox mailbox,
 * the default of a new installation); {@code DeliveryAttempt} delivers one message to the recipients of one domain
 * over it with failover, through Herald's own SMTP client ({@code smtp}), and answers a result per recipient: what
 * the queue's worker calls. System mail is still captured in the sandbox mailbox directly.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Delivery")
package dev.herald.delivery;
