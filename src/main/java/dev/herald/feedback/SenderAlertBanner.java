package dev.herald.feedback;

import dev.herald.tenancy.OrganizationContext;
import dev.herald.tenancy.OrganizationNotice;
import dev.herald.tenancy.Permission;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** The banner on every page of an organization whose sending sender protection paused: what passed which threshold, and what follows. */
@Component
class SenderAlertBanner implements OrganizationNotice {
  private final SenderProtection protection;
  private final SenderAlertViews views;

  SenderAlertBanner(SenderProtection protection, SenderAlertViews views) {
    this.protection = protection;
    this.views = views;
  }

  @Override
  public Optional<Notice> notice(OrganizationContext org) {
    return protection.openPause(org.id()).map(a -> new Notice("Sending is paused to protect your reputation.",
        "Your " + SenderAlertViews.metricWords(a.metric()) + " reached " + SenderAlertViews.percent(a.rate()) + " ("
            + a.counted() + " of " + a.sent() + " messages in the last " + views.window() + "), past the pause threshold of "
            + SenderAlertViews.percent(a.threshold()) + ". Queued mail waits and nothing is sent until the installation's operator"
            + " lifts the pause.",
        org.can(Permission.SUPPRESSIONS_READ) ? "/o/" + org.slug() + FeedbackController.EVENTS : null,
        "See the bounces and complaints"));
  }
}
