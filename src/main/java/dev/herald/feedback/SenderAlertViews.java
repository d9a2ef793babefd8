package dev.herald.feedback;

import dev.herald.platform.HeraldProperties;
import dev.herald.tenancy.Organizations;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.springframework.stereotype.Component;

/**
 * Sender alerts in the words the operator's page, the operator's API and the organization's banner share: the
 * organization's name beside its id, rates and thresholds as percentages, and the window they were counted over.
 */
@Component
class SenderAlertViews {
  private final SenderProtection protection;
  private final Organizations organizations;
  private final HeraldProperties.Feedback settings;

  SenderAlertViews(SenderProtection protection, Organizations organizations, HeraldProperties properties) {
    this.protection = protection;
    this.organizations = organizations;
    this.settings = properties.feedback();
  }

  /** An alert as shown: {@code rate} and {@code threshold} are fractions (0.004 is 0.4 %), their {@code *Percent} the words. */
  record View(long id, long organizationId, String organizationName, String organizationSlug, AlertLevel level, SenderMetric metric,
      double rate, double threshold, String ratePercent, String thresholdPercent, long sent, long counted, Instant raisedAt,
      Instant liftedAt, String liftedBy) {}

  List<View> open() {
    return protection.open().stream().map(this::view).toList();
  }

  List<View> lifted(int limit) {
    return protection.lifted(limit).stream().map(this::view).toList();
  }

  View view(SenderProtection.Alert a) {
    var named = organizations.named(a.organizationId());
    return new View(a.id(), a.organizationId(), named.map(Organizations.Named::name).orElse("(deleted)"),
        named.map(Organizations.Named::slug).orElse(null), a.level(), a.metric(), a.rate(), a.threshold(), percent(a.rate()),
        percent(a.threshold()), a.sent(), a.counted(), a.raisedAt(), a.liftedAt(), a.liftedBy());
  }

  /** "complaint rate" or "hard-bounce rate". */
  static String metricWords(SenderMetric metric) {
    return metric == SenderMetric.COMPLAINTS ? "complaint rate" : "hard-bounce rate";
  }

  /** "0.42 %": two decimals, as the providers' guidance gives its thresholds. */
  static String percent(double rate) {
    return String.format(Locale.ROOT, "%.2f %%", rate * 100);
  }

  /** The window the rates are counted over: "7 days", "36 hours". */
  String window() {
    Duration w = settings.protectionWindow();
    if (w.toHours() % 24 == 0) return w.toDays() + (w.toDays() == 1 ? " day" : " days");
    return w.toHours() + (w.toHours() == 1 ? " hour" : " hours");
  }
}
