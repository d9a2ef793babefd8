package dev.herald.delivery;

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
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The MTA's parts, wired from {@code herald.delivery.*}: the route (the operator's mode, or the static test route), and the attempt over it. */
@Configuration(proxyBeanMethods = false)
class DeliveryConfiguration {

  /**
   * The route the operator's stored mode names ({@link ModeRoute}), unless {@code herald.delivery.route=static}
   * overrides it for tests and benchmarks. When mail really leaves (real delivery or the static test route), the
   * delivery servers the operator assigned to organizations and sending domains take their mail first.
   */
  @Bean
  Route route(HeraldProperties properties, Dns dns, Clock clock, SmarthostRoute.Assignments servers, DeliverySettings settings) {
    HeraldProperties.Delivery delivery = properties.delivery();
    DnsCache cache = new DnsCache(dns, clock);
    return switch (delivery.route()) {
      case STATIC -> new SmarthostRoute(servers, StaticRoute.of(delivery.staticRoute()), cache);
      case OPERATOR -> new ModeRoute(settings, new SandboxRoute(), new SmarthostRoute(servers, new MxRoute(cache, delivery.mxPort(), false), cache));
    };
  }

  /** Each connection leaves from the sending organization's IP pool. */
  @Bean
  DeliveryAttempt deliveryAttempt(Route route, IpPools pools, SandboxMailbox sandbox) {
    // A session's message cap is the shaping's (Destinations closes it sooner); this one only bounds a session.
    return new DeliveryAttempt(route, new SmtpClient(SmtpClient.Timeouts.rfc5321()), pools::egressFor, sandbox, 100_000);
  }

  @Bean
  Routing routing(Route route, IpPools pools, SmarthostRoute.Assignments servers) {
    return new Routing(route, pools::egressFor, servers);
  }

  @Bean
  DeliveryQueue deliveryQueue(JdbcClient jdbc, Clock clock, HeraldProperties properties, QueueMetrics metrics,
      PlatformTransactionManager transactions, ApplicationEventPublisher events) {
    // Two connections stay for requests and other work; the worker's statements share the rest.
    return new DeliveryQueue(jdbc, clock, Leases.thisNode(), properties.delivery().worker().leaseTerm(), metrics,
        properties.db().poolSize() - 2, new DeliveryQueue.Bounces(new TransactionTemplate(transactions), events));
  }

  @Bean
  DeliveryWorker deliveryWorker(DeliveryQueue queue, List<MessageSource> sources, SendingDomains domains, ReturnPath returnPath,
      Routing routing, DeliveryAttempt attempt, SandboxMailbox sandbox, Destinations destinations, ShapingRules shaping,
      RetrySchedule retry, Clock clock, NodeRoles roles, Organizations organizations, HeraldProperties properties,
      List<SendingHolds> holds) {
    DeliveryWorker.LaneParts parts = new DeliveryWorker.LaneParts(queue, DeliveryWorker.LaneParts.byKind(sources),
        new Signers(domains, clock, properties.sending().dkimRsaOpenssl()), returnPath, routing, attempt, sandbox, destinations, shaping, retry, clock,
        new ConcurrentHashMap<>(), new SessionCache(clock, properties.delivery().worker().concurrency()));
    return new DeliveryWorker(parts, roles, organizations, properties, holds);
  }
}
