package dev.herald.tracking;

import dev.herald.platform.NodeRole;
import dev.herald.platform.NodeRoles;
import dev.herald.platform.OriginRules;
import dev.herald.platform.RequestOrigin;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The open pixel and the click redirect answered in Tomcat's context pipeline, before the filter chain: a JFR profile of
 * bench/tracking.sh showed building each request's chain of a dozen filters and running the four ahead of
 * {@link TrackingFilter} (character encoding, the web role, the request observation, origin separation) as about a
 * third of the request thread's samples for an answer that needs none of them.
 *
 * <p>What those filters would decide for such a request is decided here with the same rules: the node has the web role
 * ({@code WebRoleFilter}), and the host may serve {@code /t/} ({@link OriginRules}, as {@code OriginSeparationFilter}
 * applies it). Whatever this valve does not answer (another path or spelling, a method, credentials, a node without the
 * web role, a host that must not serve tracking) goes on through the pipeline to the filters, which answer or refuse it
 * as before. A 404 is written with {@code sendError} here too, so the host's error page renders it the same way.
 */
final class TrackingValve extends ValveBase {
  private final ObjectProvider<TrackingFilter> answers;
  private final boolean web;
  private final OriginRules origins;
  private volatile TrackingFilter filter;

  TrackingValve(ObjectProvider<TrackingFilter> answers, NodeRoles roles, OriginRules origins) {
    super(true);
    this.answers = answers;
    this.web = roles.has(NodeRole.web);
    this.origins = origins;
  }

  @Override
  public void invoke(Request request, Response response) throws IOException, ServletException {
    HttpServletRequest r = request.getRequest();
    if (web) {
      char kind = TrackingFilter.answered(r);
      // The path TrackingFilter.answered accepts has no other spelling: it is the path the origin rules resolve.
      if (kind != 0 && origins.serves(RequestOrigin.host(r.getServerName()), r.getRequestURI().substring(r.getContextPath().length()))) {
        filter().serve(kind, r, response.getResponse());
        return;
      }
    }
    getNext().invoke(request, response);
  }

  /** Looked up at the first request: the web server, and so this valve, is made before the tracker's beans. */
  private TrackingFilter filter() {
    TrackingFilter f = filter;
    if (f == null) filter = f = answers.getObject();
    return f;
  }

  /** Puts the valve first in the application context's pipeline. */
  @Configuration(proxyBeanMethods = false)
  static class Installation {
    @Bean
    WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> trackingValve(ObjectProvider<TrackingFilter> answers, NodeRoles roles,
        OriginRules origins) {
      return factory -> factory.addContextCustomizers(context -> context.getPipeline().addValve(new TrackingValve(answers, roles, origins)));
    }
  }
}
