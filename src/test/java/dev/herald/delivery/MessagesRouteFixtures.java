package dev.herald.delivery;

import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.testsupport.RouteFixtures;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;

/** A queued message of the organization (its name in the subject), for the route walk. */
class MessagesRouteFixtures implements RouteFixtures {
  private final OutboundMessages messages;
  private final TestSendingDomains domains;

  MessagesRouteFixtures(OutboundMessages messages, SendingDomains domains, JdbcClient jdbc) {
    this.messages = messages;
    this.domains = new TestSendingDomains(domains, jdbc);
  }

  @Override
  public Map<String, Long> create(Organization org) {
    String domain = org.name().toLowerCase(Locale.ROOT).replace(' ', '-') + "-send.example";
    domains.verified(org.id(), domain);
    OutboundMessages.Accepted accepted = messages.accept(org.id(), new SendRequest("news@" + domain, null, List.of("ann@example.com"),
        null, null, null, "Hello from " + org.name(), null, "Hi", null, null, List.of("walk"), null), null);
    return Map.of("messages/{id}", accepted.id());
  }
}
