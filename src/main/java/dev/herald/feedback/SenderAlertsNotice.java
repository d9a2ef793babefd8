package dev.herald.feedback;

import dev.herald.tenancy.OperatorNotice;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** Tells the operator's overview that organizations are paused or warned for their complaint or bounce rates. */
@Component
class SenderAlertsNotice implements OperatorNotice {
  private final SenderProtection protection;

  SenderAlertsNotice(SenderProtection protection) {
    this.protection = protection;
  }

  @Override
  public Optional<Notice> notice() {
    List<SenderProtection.Alert> open = protection.open();
    if (open.isEmpty()) return Optional.empty();
    long paused = open.stream().filter(a -> a.level() == AlertLevel.PAUSE).map(SenderProtection.Alert::organizationId).distinct().count();
    long warned = open.stream().filter(a -> a.level() == AlertLevel.WARN).map(SenderProtection.Alert::organizationId).distinct().count();
    String text = (paused > 0 ? organizations(paused) + (paused == 1 ? " is" : " are") + " paused" : "")
        + (paused > 0 && warned > 0 ? " and " : "")
        + (warned > 0 ? organizations(warned) + (warned == 1 ? " is" : " are") + " warned" : "")
        + " for complaint or bounce rates past the thresholds.";
    return Optional.of(new Notice(Character.toUpperCase(text.charAt(0)) + text.substring(1), SenderAlertsController.BASE,
        "See the sender alerts"));
  }

  private static String organizations(long n) {
    return n + (n == 1 ? " organization" : " organizations");
  }
}
