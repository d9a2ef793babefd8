/**
 * Reports: what happened to what an organization sent, read through the public read APIs of the modules that own
 * the facts (delivery's states, feedback's bounces and complaints, tracking's opens and clicks, campaigns' ledger and
 * unsubscribes). Reports owns no table of those modules and names none in its SQL (ADR 0006): each figure is one
 * grouped query in its owning module. Per campaign ({@code CampaignReport*}): sent, delivered, deferred, bounced by
 * class and reason, opens and clicks (people's and machines' apart, clicks per link), unsubscribes, complaints,
 * forwards, a timeline and a per-recipient-domain breakdown, with CSV exports. Per organization
 * ({@code OrganizationReport*}, {@code Deliverability*}): volume and rates over time against the sender-protection
 * thresholds and the mailbox providers' bulk-sender rules.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Reports")
package dev.herald.reports;
