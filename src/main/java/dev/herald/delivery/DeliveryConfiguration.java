package dev.herald.delivery;

import dev.herald.delivery.smtp.Egress;
import dev.herald.delivery.smtp.SmtpClient;
import dev.herald.domains.Dns;
import dev.herald.platform.HeraldProperties;
import java.time.Clock;
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

  @Bean
  DeliveryAttempt deliveryAttempt(Route route, HeraldProperties properties, SandboxMailbox sandbox) {
    // IP pools will give each connection its source address and EHLO name; until then the system's address and
    // the installation's host name.
    return new DeliveryAttempt(route, new SmtpClient(SmtpClient.Timeouts.rfc5321()),
        new Egress(null, properties.baseHost()), sandbox);
  }
}
