package dev.herald.delivery;

import dev.herald.testsupport.SmtpSink;

/** The static test route passes the route contract: every domain goes to the sink. */
class StaticRouteTest extends SinkRouteContract {
  @Override
  Route routeTo(SmtpSink sink, String domain) {
    return StaticRoute.of("127.0.0.1:" + sink.address.getPort());
  }
}
