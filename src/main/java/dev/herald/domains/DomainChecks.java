package dev.herald.domains;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Type;

/** Looks up each record a domain should publish and says what DNS has: missing, wrong (with what it found) or ok. */
@Component
class DomainChecks {
  /** The check of one record; {@code found} is what DNS has when it is not what Herald asked for. */
  record Outcome(RecordState state, String found, String detail) {
    static Outcome ok(String detail) {
      return new Outcome(RecordState.OK, "", detail);
    }

    static Outcome missing(String detail) {
      return new Outcome(RecordState.MISSING, "", detail);
    }

    static Outcome wrong(String found, String detail) {
      return new Outcome(RecordState.WRONG, found, detail);
    }
  }

  private final Dns dns;
  private final DnsPlan plan;

  DomainChecks(Dns dns, DnsPlan plan) {
    this.dns = dns;
    this.plan = plan;
  }

  Map<String, Outcome> check(String domain, List<SendingDomains.Key> keys) {
    Map<String, Outcome> out = new LinkedHashMap<>();
    for (SendingDomains.Key key : keys) out.put(DnsPlan.dkimRecord(key.selector()), dkim(domain, key));
    String rp = DnsPlan.returnPath(domain);
    out.put("return_path_mx", mx(rp));
    out.put("return_path_spf", spf(rp));
    out.put("spf", spf(domain));
    out.put("dmarc", dmarc(domain));
    out.put("tracking", cname(DnsPlan.TRACKING_LABEL + "." + domain, plan.trackingHost()));
    return out;
  }

  Outcome dkim(String domain, SendingDomains.Key key) {
    String host = DnsPlan.dkimHost(key.selector(), domain);
    return switch (dns.lookup(host, Type.TXT)) {
      case Dns.Found found -> {
        List<String> values = Txt.values(found.records());
        for (String v : values) {
          Map<String, String> tags = Txt.tags(v);
          String p = tags.getOrDefault("p", "").replaceAll("\\s", "");
          String k = tags.getOrDefault("k", "rsa").toLowerCase(Locale.ROOT);
          if (p.equals(key.publicKey()) && k.equals(key.algorithm().text())) yield Outcome.ok("");
        }
        yield values.isEmpty() ? Outcome.missing("No TXT record at " + host)
            : Outcome.wrong(String.join(" | ", values), "The TXT record at " + host + " holds another key");
      }
      case Dns.Failed failed -> Outcome.missing("DNS gave no answer for " + host + ": " + failed.reason());
      default -> Outcome.missing("No TXT record at " + host);
    };
  }

  Outcome mx(String host) {
    String expected = plan.bounceHost();
    return switch (dns.lookup(host, Type.MX)) {
      case Dns.Found found -> {
        List<String> targets = found.records().stream().filter(MXRecord.class::isInstance)
            .map(r -> ((MXRecord) r).getPriority() + " " + ((MXRecord) r).getTarget().toString(true).toLowerCase(Locale.ROOT)).toList();
        boolean ours = targets.stream().anyMatch(t -> t.endsWith(" " + expected));
        if (ours && targets.size() == 1) yield Outcome.ok("");
        yield ours ? Outcome.wrong(String.join(", ", targets), "Other MX hosts beside " + expected + " would receive bounces Herald never sees")
            : Outcome.wrong(String.join(", ", targets), "The MX of " + host + " is not " + expected);
      }
      case Dns.Failed failed -> Outcome.missing("DNS gave no answer for " + host + ": " + failed.reason());
      default -> Outcome.missing("No MX record at " + host);
    };
  }

  Outcome spf(String host) {
    Spf.Result spf = Spf.check(dns, host, plan.spfInclude());
    if (spf.record() == null) return Outcome.missing(spf.problem() != null ? spf.problem() : "No SPF record at " + host);
    String counted = spf.lookups() + " of " + Spf.MAX_LOOKUPS + " DNS lookups";
    return spf.ok() ? Outcome.ok(counted) : Outcome.wrong(spf.record(), spf.problem() + " (" + counted + ")");
  }

  Outcome cname(String host, String expected) {
    return switch (dns.lookup(host, Type.CNAME)) {
      case Dns.Found found -> {
        String target = found.records().stream().filter(CNAMERecord.class::isInstance)
            .map(r -> ((CNAMERecord) r).getTarget().toString(true).toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));
        yield target.equals(expected) ? Outcome.ok("") : Outcome.wrong(target, host + " points elsewhere than " + expected);
      }
      case Dns.Failed failed -> Outcome.missing("DNS gave no answer for " + host + ": " + failed.reason());
      default -> Outcome.missing("No CNAME record at " + host);
    };
  }

  /**
   * DMARC by the tree walk, with the alignment mail from Herald gets: DKIM signs with d=<domain>, the From domain, so it
   * aligns in both modes; SPF's domain is the return path bounces.<domain>, which aligns only under relaxed SPF
   * alignment (aspf=r, the default), when both names share one organizational domain.
   */
  Outcome dmarc(String domain) {
    Dmarc.Discovery found = Dmarc.discover(dns, domain);
    Dmarc.Policy policy = found.policy();
    if (policy == null) {
      String why = found.problem() != null ? found.problem() : "No DMARC record at _dmarc." + domain + " nor above it";
      return Outcome.missing(why + " (looked up " + found.queried().size() + " names)");
    }
    String p = policy.p();
    boolean spfAligned = !policy.strictSpf()
        && Dmarc.discover(dns, DnsPlan.returnPath(domain)).organizationalDomain().equals(found.organizationalDomain());
    String alignment = "adkim=" + (policy.strictDkim() ? "s (strict)" : "r (relaxed)") + ", aspf=" + (policy.strictSpf() ? "s (strict)" : "r (relaxed)")
        + "; DKIM aligned; SPF " + (spfAligned ? "aligned" : "not aligned (the return path " + DnsPlan.returnPath(domain)
        + (policy.strictSpf() ? " differs from the From domain under strict alignment)" : " has another organizational domain)"));
    String where = "policy from _dmarc." + policy.domain() + ", organizational domain " + found.organizationalDomain();
    if (!List.of("none", "quarantine", "reject").contains(p)) {
      return Outcome.wrong(policy.text(), "p= must be none, quarantine or reject (" + where + ")");
    }
    return new Outcome(RecordState.OK, policy.domain().equals(domain) ? "" : policy.text(), "p=" + p + "; " + where + "; " + alignment);
  }
}
