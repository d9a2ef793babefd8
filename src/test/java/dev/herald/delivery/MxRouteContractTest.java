package dev.herald.delivery;

import dev.herald.domains.Dns;
import dev.herald.testsupport.SmtpSink;
import dev.herald.testsupport.TestDns;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Direct MX delivery passes the route contract: the domain's MX, on the test DNS server, points at the sink. */
class MxRouteContractTest extends SinkRouteContract {
  static TestDns dns;

  @BeforeAll
  static void startDns() {
    dns = TestDns.start();
  }

  @AfterAll
  static void stopDns() {
    dns.close();
  }

  @Override
  Route routeTo(SmtpSink sink, String domain) throws Exception {
    dns.clear();
    dns.mx(domain, 10, "mx." + domain).address("mx." + domain, "127.0.0.1");
    return new MxRoute(new DnsCache(new Dns(List.of(dns.address()), Duration.ofSeconds(2)), Clock.systemUTC()),
        sink.address.getPort(), true);
  }
}
