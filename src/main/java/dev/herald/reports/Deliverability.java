package dev.herald.reports;

import dev.herald.domains.OrganizationDomainChecks;
import dev.herald.domains.OrganizationDomainChecks.Check;
import dev.herald.domains.OrganizationDomainChecks.DomainCheck;
import dev.herald.domains.RecordState;
import dev.herald.feedback.OrganizationFeedbackFigures;
import dev.herald.platform.HeraldProperties;
import dev.herald.reports.DeliverabilityReport.Line;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.springframework.stereotype.Service;

/**
 * The deliverability panel: the organization's sending domains and sending against the bulk-sender rules of Gmail,
 * Yahoo and Microsoft as they stand in 2026 (../shared/reference/sending-core.md, section 6). DNS is not asked here:
 * the domains capability's stored checks (periodic, and the owner's "Check now") are read back. Complaints are
 * sender protection's rate over its window; the providers' limits are fixed: below 0.1 %, never 0.3 %.
 */
@Service
class Deliverability {
  /** Gmail: keep the spam rate below 0.1 %, never reach 0.3 % (Yahoo: the same 0.3 %). */
  static final double COMPLAINT_KEEP_BELOW = 0.001;
  static final double COMPLAINT_NEVER = 0.003;

  private final OrganizationDomainChecks domains;
  private final OrganizationFeedbackFigures feedback;
  private final HeraldProperties properties;

  Deliverability(OrganizationDomainChecks domains, OrganizationFeedbackFigures feedback, HeraldProperties properties) {
    this.domains = domains;
    this.feedback = feedback;
    this.properties = properties;
  }

  DeliverabilityReport report(long organizationId) {
    List<DeliverabilityReport.Domain> out = new ArrayList<>();
    for (DomainCheck d : domains.of(organizationId)) {
      List<Line> lines = List.of(spf(d), dkim(d), dmarc(d));
      out.add(new DeliverabilityReport.Domain(d.id(), d.name(), d.unicodeName(), d.verified(), d.checkedAt(), worst(lines), lines));
    }
    List<Line> organization = new ArrayList<>();
    if (out.isEmpty()) {
      organization.add(new Line("Sending domain", DeliverabilityState.FAIL,
          "The organization has no sending domain: mail needs a From domain of its own, with SPF, DKIM and DMARC.",
          "Add your domain on the Sending domains page and publish the records it shows."));
    }
    organization.add(oneClickUnsubscribe());
    organization.add(complaintRate(feedback.standing(organizationId)));
    organization.add(tls());
    List<Line> all = new ArrayList<>(organization);
    out.forEach(d -> all.addAll(d.lines()));
    return new DeliverabilityReport(worst(all), out, organization, List.of(
        "Reverse DNS (PTR) of the sending addresses: Herald does not look it up. Gmail refuses mail from an address without "
            + "matching forward and reverse DNS (550 5.7.25): ask whoever runs the addresses to set each one's PTR to its EHLO name.",
        "Bulk volume: the rules apply from about 5,000 messages a day to Gmail or Outlook addresses, and Gmail keeps a sender "
            + "bulk once it has been. Meet them from the start."));
  }

  static DeliverabilityState worst(Collection<Line> lines) {
    DeliverabilityState worst = DeliverabilityState.OK;
    for (Line l : lines) if (l.state().compareTo(worst) > 0) worst = l.state();
    return worst;
  }

  private static String notChecked(DomainCheck d) {
    return "Check the domain on its page (Herald checks it every few hours by itself).";
  }

  private static String publish(DomainCheck d) {
    return "Publish the record the domain's page shows for it, then press Check now.";
  }

  /** SPF is judged on the return path, the envelope sender receivers check it against; DMARC's check says whether it aligns. */
  Line spf(DomainCheck d) {
    Check c = d.returnPathSpf();
    String rule = "SPF";
    if (c == null) return new Line(rule, DeliverabilityState.WARN, "Not checked yet.", notChecked(d));
    if (c.state() != RecordState.OK) {
      return new Line(rule, DeliverabilityState.FAIL, "The return path " + d.returnPath() + " has " + (c.state() == RecordState.MISSING
          ? "no SPF record" : "an SPF record that does not allow Herald's servers") + ": " + c.detail()
          + ". Gmail and Yahoo require SPF for bulk mail, Outlook requires it to pass.", publish(d));
    }
    if (d.dmarc() != null && d.dmarc().state() == RecordState.OK && !d.dmarcSpfAligned()) {
      return new Line(rule, DeliverabilityState.WARN, "SPF passes for the return path " + d.returnPath()
          + " but does not align with the From domain under the domain's DMARC policy (strict SPF alignment, aspf=s): DMARC "
          + "passes through DKIM alone. Microsoft prefers both to align.", "Use relaxed SPF alignment (aspf=r, the default) in the DMARC record.");
    }
    String aligned = d.dmarc() != null && d.dmarc().state() == RecordState.OK ? " and aligns with the From domain (relaxed alignment)" : "";
    return new Line(rule, DeliverabilityState.OK, "SPF passes for the return path " + d.returnPath() + aligned + ".", "");
  }

  /** Herald signs with d= the From domain, so a key whose record checks ok is a pass and aligned. */
  Line dkim(DomainCheck d) {
    String rule = "DKIM";
    List<Check> keys = d.dkim();
    if (keys.isEmpty()) {
      return new Line(rule, DeliverabilityState.FAIL, "No signing key's record has been found in DNS: mail from " + d.name()
          + " is not signed (Gmail, Yahoo and Microsoft require DKIM for bulk mail).", d.checkedAt() == null ? notChecked(d) : publish(d));
    }
    List<Check> bad = keys.stream().filter(k -> k.state() != RecordState.OK).toList();
    if (bad.size() == keys.size()) {
      return new Line(rule, DeliverabilityState.FAIL, "The signing key's record is " + bad.getFirst().state().words().toLowerCase(Locale.ROOT)
          + ": " + bad.getFirst().detail() + ".", publish(d));
    }
    if (!bad.isEmpty()) {
      return new Line(rule, DeliverabilityState.WARN, "One of the signing keys' records is " + bad.getFirst().state().words().toLowerCase(Locale.ROOT)
          + ": " + bad.getFirst().detail() + "; mail is signed with the others.", publish(d));
    }
    return new Line(rule, DeliverabilityState.OK, "Mail is signed with d=" + d.name() + ", the From domain: DKIM passes and aligns.", "");
  }

  Line dmarc(DomainCheck d) {
    String rule = "DMARC";
    Check c = d.dmarc();
    if (c == null) return new Line(rule, DeliverabilityState.WARN, "Not checked yet.", notChecked(d));
    String todo = "Publish a TXT record at _dmarc." + d.name() + ": v=DMARC1; p=none; adkim=r; aspf=r (p=none is enough to start).";
    if (c.state() == RecordState.MISSING) {
      return new Line(rule, DeliverabilityState.FAIL, c.detail() + ". Gmail and Yahoo require a DMARC record for bulk mail (Gmail: "
          + "550 5.7.26) and Outlook refuses it without one (550 5.7.515).", todo);
    }
    if (c.state() == RecordState.WRONG) return new Line(rule, DeliverabilityState.FAIL, c.detail() + " (found " + c.found() + ").", todo);
    boolean dkimPasses = d.dkim().stream().anyMatch(k -> k.state() == RecordState.OK);
    if (!dkimPasses && !(d.dmarcSpfAligned() && d.returnPathSpf() != null && d.returnPathSpf().state() == RecordState.OK)) {
      return new Line(rule, DeliverabilityState.FAIL, "A policy is published (" + c.detail() + ") but neither DKIM nor SPF passes aligned, "
          + "so DMARC fails.", "Publish the DKIM and return-path records the domain's page shows.");
    }
    return new Line(rule, DeliverabilityState.OK, c.detail() + ".", "");
  }

  /** From the configuration, not from mail: campaign mail always carries both headers when the public origin is https. */
  Line oneClickUnsubscribe() {
    String rule = "One-click unsubscribe";
    boolean https = properties.publicLink("/").startsWith("https:");
    if (!https) {
      return new Line(rule, DeliverabilityState.FAIL, "The public origin (" + properties.publicLink("") + ") is not https, so campaign mail "
          + "carries a mailto List-Unsubscribe only: Gmail and Yahoo require one-click unsubscribe (RFC 8058) over https on bulk mail.",
          "Serve the public origin over https and set herald.public-url (or herald.base-url) to its https address.");
    }
    return new Line(rule, DeliverabilityState.OK, "Campaign mail always carries List-Unsubscribe (https link and mailto) and "
        + "List-Unsubscribe-Post: List-Unsubscribe=One-Click, signed with DKIM, and unsubscribes at once (this is Herald's configuration, "
        + "not a check of sent mail). Mail of the send API carries them only when the request gives listUnsubscribe.", "");
  }

  Line complaintRate(OrganizationFeedbackFigures.Standing s) {
    String rule = "Complaint rate";
    String window = s.window().toDays() >= 1 ? s.window().toDays() + " days" : s.window().toHours() + " hours";
    if (s.sent() == 0) return new Line(rule, DeliverabilityState.OK, "No mail ended delivered or bounced in the last " + window + ".", "");
    String measured = percent(s.complaints().rate()) + " (" + s.complaints().counted() + " of " + s.sent() + " messages in the last "
        + window + ")";
    if (s.complaints().rate() >= COMPLAINT_NEVER) {
      return new Line(rule, DeliverabilityState.FAIL, measured + ": at or above 0.3 %, where Gmail rejects (550 5.7.28) and offers no "
          + "mitigation until it stays below for 7 days.", "Send only to people who asked for it: remove inactive subscribers, confirm sign-ups "
          + "(double opt-in) and make unsubscribing easy.");
    }
    if (s.complaints().rate() >= COMPLAINT_KEEP_BELOW) {
      return new Line(rule, DeliverabilityState.WARN, measured + ": above the 0.1 % Gmail asks senders to stay below.",
          "Look at which campaigns drew the complaints and stop sending to people who no longer open.");
    }
    return new Line(rule, DeliverabilityState.OK, measured + ": below 0.1 %.", "");
  }

  /** Known from the MTA's code: direct delivery uses STARTTLS whenever the receiving server offers it. */
  Line tls() {
    return new Line("TLS", DeliverabilityState.OK, "Herald delivers over STARTTLS whenever the receiving server offers it, as Gmail, "
        + "Yahoo and Outlook do (this is how Herald's MTA works, not a check of sent mail); through a delivery server, its TLS setting applies.",
        "");
  }

  static String percent(double rate) {
    return String.format(Locale.ROOT, "%.2f %%", rate * 100);
  }
}
