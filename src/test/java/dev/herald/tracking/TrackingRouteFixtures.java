package dev.herald.tracking;

import dev.herald.messages.LinkTracking;
import dev.herald.testsupport.RouteFixtures;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;

/** A tracked message of the organization, for the route walk: its first recipient's open and click tokens. */
class TrackingRouteFixtures implements RouteFixtures {
  private final TrackedMail mail;

  TrackingRouteFixtures(JdbcClient jdbc, LinkTracking tokens) {
    this.mail = new TrackedMail(jdbc, tokens);
  }

  @Override
  public Map<String, Object> create(Organization org) {
    TrackedMail.Sent sent = mail.apiMessage(org.id(), List.of("https://shop.example/" + org.slug()), "reader@" + org.slug() + ".example");
    return Map.of("/t/o/{token}", mail.openPath(sent, 0).substring(LinkTracking.OPEN_PATH.length()),
        "/t/c/{token}", mail.clickPath(sent, 0, 1).substring(LinkTracking.CLICK_PATH.length()));
  }
}
