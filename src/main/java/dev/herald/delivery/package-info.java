/**
 * Delivery: the outbound MTA. Its durable queue (outbound_message and its outbound_recipient rows) is filled by the
 * native send API ({@code MessagesApi}, one transaction per message before the 202); delivery asks the sender of a
 * queued message for its bytes through the {@link dev.herald.delivery.MessageSource} port. A {@code Route} decides
 * where the mail of a sender to a recipient domain goes (the domain's MX hosts, one static loopback server for tests
 * and benchmarks, a delivery server, or the sandbox mailbox, the default of a new installation); {@code DeliveryAttempt}
 * delivers one message to the recipients of one domain over it with failover, through Herald's own SMTP client
 * ({@code smtp}), and answers a result per recipient. The queue's worker ({@code DeliveryWorker}, on nodes with the
 * delivery role) claims due recipients per domain with fenced leases ({@code DeliveryQueue}), signs each recipient's
 * message with its domain's keys and delivers it over SMTP sessions reused across messages ({@code DeliveryLane}),
 * and records every attempt (outbound_attempt).
 *
 * <p>The operator chooses the route at run time ({@code DeliverySettings}: sandbox or real delivery, read by every node
 * within seconds; {@code herald.delivery.route=static} overrides it for tests). Herald's own mail ({@code SystemMailer},
 * the {@link dev.herald.platform.SystemMail} port) is kept in the sandbox mailbox in sandbox mode and joins the queue
 * (source {@code system}, no organization) with real delivery once the operator's system sender is on a verified
 * installation domain; while none is, it stays in the sandbox mailbox and the operator is warned.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Delivery")
package dev.herald.delivery;
