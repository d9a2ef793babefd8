package dev.herald.domains;

import dev.herald.platform.HeraldProperties;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The records a sending domain is asked to publish, from its name, its DKIM keys and the installation's hosts
 * ({@code herald.sending.*}, the base URL's host when blank). The return path is {@code bounces.<domain>}: the
 * envelope sender (and so SPF's domain) of its mail, aligned with the From domain under relaxed DMARC.
 */
@Component
class DnsPlan {
  static final String RETURN_PATH_LABEL = "bounces";
  static final String TRACKING_LABEL = "track";
  static final String SUGGESTED_DMARC = "v=DMARC1; p=none; adkim=r; aspf=r";

  /**
   * One record to publish. {@code record} names it in the checks table ({@code dkim:<selector>}, {@code spf}, ...);
   * {@code required} ones make the domain verified.
   */
  record Expected(String record, String purpose, String host, String type, String value, boolean required) {}

  private final String spfInclude;
  private final String bounceHost;
  private final String trackingHost;

  @Autowired
  DnsPlan(HeraldProperties properties) {
    this(or(properties.sending().spfInclude(), "_spf." + properties.baseHost()), or(properties.sending().bounceHost(), properties.baseHost()),
        // Tracking answers on the public origin (DESIGN.md security rule 2), so that is its default host.
        or(properties.sending().trackingHost(), properties.separatePublicOrigin() ? properties.publicUrl().getHost() : properties.baseHost()));
  }

  DnsPlan(String spfInclude, String bounceHost, String trackingHost) {
    this.spfInclude = spfInclude;
    this.bounceHost = bounceHost;
    this.trackingHost = trackingHost;
  }

  private static String or(String value, String fallback) {
    return value == null || value.isBlank() ? fallback.toLowerCase(java.util.Locale.ROOT) : value.toLowerCase(java.util.Locale.ROOT);
  }

  String spfInclude() {
    return spfInclude;
  }

  String bounceHost() {
    return bounceHost;
  }

  String trackingHost() {
    return trackingHost;
  }

  static String returnPath(String domain) {
    return RETURN_PATH_LABEL + "." + domain;
  }

  static String dkimHost(String selector, String domain) {
    return selector + "._domainkey." + domain;
  }

  static String dkimRecord(String selector) {
    return "dkim:" + selector;
  }

  List<Expected> expected(String domain, List<SendingDomains.Key> keys) {
    List<Expected> out = new ArrayList<>();
    for (SendingDomains.Key key : keys) {
      String purpose = switch (key.status()) {
        case ACTIVE -> "DKIM key (" + key.algorithm() + ") that signs your mail";
        case PENDING -> "New DKIM key (" + key.algorithm() + "): publish it; Herald switches to it once it checks ok";
        case RETIRED -> "Replaced DKIM key (" + key.algorithm() + "): keep it published until mail signed with it is delivered, then remove the key";
      };
      out.add(new Expected(dkimRecord(key.selector()), purpose, dkimHost(key.selector(), domain), "TXT",
          DkimKeys.record(key.algorithm(), key.publicKey()), key.status() == KeyStatus.ACTIVE));
    }
    String rp = returnPath(domain);
    out.add(new Expected("return_path_mx", "Return path: bounces of your mail come back to Herald (a CNAME of " + rp + " to " + bounceHost
        + " does for this record and the next, if " + bounceHost + " publishes both)", rp, "MX", "10 " + bounceHost + ".", true));
    out.add(new Expected("return_path_spf", "Return path SPF: lets Herald's servers send with an aligned envelope sender", rp, "TXT",
        "v=spf1 include:" + spfInclude + " -all", true));
    out.add(new Expected("spf", "SPF of the domain itself (add the include to your existing record if you have one)", domain, "TXT",
        "v=spf1 include:" + spfInclude + " ~all", false));
    out.add(new Expected("dmarc", "DMARC policy (Gmail, Yahoo and Outlook require one for bulk mail; p=none is enough to start)",
        "_dmarc." + domain, "TXT", SUGGESTED_DMARC, false));
    out.add(new Expected("tracking", "Tracking: links and opens on your own domain", TRACKING_LABEL + "." + domain, "CNAME",
        trackingHost + ".", false));
    return out;
  }
}
