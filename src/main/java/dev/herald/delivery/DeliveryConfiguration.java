package dev.herald.delivery;

import dev.herald.delivery.smtp.Egress;
import dev.herald.delivery.smtp.SmtpClient;
import dev.herald.domains.Dns;
import dev.herald.domains.SendingDomains;
import dev.herald.messages.ReturnPath;
import dev.herald.platform.HeraldProperties;
import dev.herald.platform.Leases;
import dev.herald.platform.NodeRoles;
import dev.herald.tenancy.Organizations;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The MTA's parts, wired from {@code herald.delivery.*}: the route the installation chose, and the attempt over it. */
@Configuration(proxyBeanMethods = false)
class DeliveryConfiguration {

  @Bean
  Route route(HeraldProperties properties, Dns dns, Clock clock) {
    HeraldProperties.Delivery delivery = properties.delivery();
    return switch (delivery.route()) {
      case SANDBOX -> new SandboxRoute();
      case STATIC -> StaticRoute.of(delivery.staticRoute());
      case MX -> new MxRoute(new DnsCache(dns, clock), delivery.mxPort(), false);
    };
  }

  /** The egress of every connection until IP pools: the system's address and the installation's host name. */
  private static Egress defaultEgress(HeraldProperties properties) {
    return new Egress(null, properties.baseHost());
  }

  @Bean
  DeliveryAttempt deliveryAttempt(Route route, HeraldProperties properties, SandboxMailbox sandbox) {
    // A session's message cap is the shaping's (Destinations closes it sooner); this one only bounds a session.
    return new DeliveryAttempt(route, new SmtpClient(SmtpClient.Timeouts.rfc5321()), defaultEgress(properties), sandbox, 100_000);
  }

  @Bean
  Routing routing(Route route, HeraldProperties properties) {
    return new Routing(route, defaultEgress(properties));
  }

  @Bean
  DeliveryQueue deliveryQueue(JdbcClient jdbc, Clock clock, HeraldProperties properties) {
    return new DeliveryQueue(jdbc, clock, Leases.thisNode(), properties.delivery().worker().leaseTerm());
  }

  @Bean
  DeliveryWorker deliveryWorker(DeliveryQueue queue, List<MessageSource> sources, SendingDomains domains, ReturnPath returnPath,
      Routing routing, DeliveryAttempt attempt, SandboxMailbox sandbox, Destinations destinations, ShapingRules shaping,
      RetrySchedule retry, Clock clock, NodeRoles roles, Organizations organizations, HeraldProperties properties) {
    DeliveryWorker.LaneParts parts = new DeliveryWorker.LaneParts(queue, DeliveryWorker.LaneParts.byKind(sources),
        new Signers(domains, clock), returnPath, routing, attempt, sandbox, destinations, shaping, retry, clock,
        new ConcurrentHashMap<>());
    return new DeliveryWorker(parts, roles, organizations, properties);
  }
}
