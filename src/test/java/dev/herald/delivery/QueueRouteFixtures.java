package dev.herald.delivery;

import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.testsupport.RouteFixtures;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;

/** A queued message of the organization and its recipient's domain, for the operator's queue routes in the walk. */
class QueueRouteFixtures implements RouteFixtures {
  private final OutboundMessages messages;
  private final TestSendingDomains domains;

  QueueRouteFixtures(OutboundMessages messages, SendingDomains domains, JdbcClient jdbc) {
    this.messages = messages;
    this.domains = new TestSendingDomains(domains, jdbc);
  }

  @Override
  public Map<String, Object> create(Organization org) {
    String name = org.name().toLowerCase(Locale.ROOT).replace(' ', '-');
    String sending = name + "-queue.example";
    domains.verified(org.id(), sending);
    String destination = name + "-destination.example";
    OutboundMessages.Accepted accepted = messages.accept(org.id(), new SendRequest("news@" + sending, null,
        List.of("ann@" + destination), null, null, null, "Queued by " + org.name(), null, "Hi", null, null, null, null), null);
    return Map.of("queue/destinations/{domain}", destination, "queue/messages/{id}", accepted.id());
  }
}
