/**
 * Campaigns: what an organization sends to its lists and segments, and the send itself. A campaign is written as a
 * draft ({@link dev.herald.campaigns.Campaigns}), scheduled (now, or at a time in a chosen zone), started on a worker
 * node at that time by fixing its audience into the per-recipient ledger with one set-based statement (only subscribed
 * people, suppressed addresses dropped, each address once), then handed to delivery's queue in chunks, each chunk
 * marked handed off in the transaction in which the queue took it (DESIGN.md reliability rules 2 and 3). The hand-off
 * runs under fenced leases, so a node that dies is taken over without skipping anyone. It is finished only when its
 * ledger is: every row handed off (or skipped) and the queue has none of them waiting.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Campaigns")
package dev.herald.campaigns;
