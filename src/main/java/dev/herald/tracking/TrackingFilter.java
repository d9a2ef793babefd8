package dev.herald.tracking;

import dev.herald.messages.LinkTracking;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationPredicate;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.server.observation.ServerRequestObservationContext;
import org.springframework.stereotype.Component;

/**
 * The open pixel and the click redirect answered as soon as the origin rules have let the request through, without
 * Spring MVC, the security chain or the session: bench/tracking.sh measured the chain and the handler mapping (over
 * 400 routes, an observation around each of a dozen security filters, a request-handled event) as most of an answer's
 * cost, for two public routes that need none of it. What the chain would do for them is done here: they are public in
 * {@code AccessRules}, set no cookie, and carry their own headers ({@link TrackingController#answer}).
 *
 * <p>On a running server {@link TrackingValve} answers them earlier still, through {@link #serve}, before Tomcat builds
 * the filter chain; this filter answers them where no valve runs (MockMvc) and is the one place their rules live.
 *
 * <p>Only GET and HEAD without an Authorization header, of the exact paths Herald writes into mail ({@code /t/o/} or
 * {@code /t/c/} and a 45-character token of lower-case base32) are answered here; any other spelling, method or
 * request with credentials goes on to the chain as before, where
 * {@link TrackingController} answers it (or the access rules refuse it) the same way. It runs after the web role and
 * origin separation filters, so a node without the web role and a host that must not serve {@code /t/} still refuse.
 *
 * <p>The requests it answers are left out of {@code http.server.requests} ({@link Metrics#trackingUntimed}): that
 * observation (a timer looked up by six tags built, sorted and hashed per request, a context, two handler calls) was a
 * fifth of such a request's CPU in bench/tracking.sh. They are counted instead by {@code herald.tracking.requests}
 * (Prometheus {@code herald_tracking_requests_total{kind="open|click",outcome="pixel|redirect|not_found|busy"}}),
 * counters made once.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 2)
class TrackingFilter implements Filter {
  private static final int PREFIX = LinkTracking.OPEN_PATH.length();
  private static final int TOKEN_LENGTH = LinkTracking.TOKEN_LENGTH;

  private final Tracker tracker;
  private final Counter[] counters = new Counter[8];

  TrackingFilter(Tracker tracker, MeterRegistry registry) {
    this.tracker = tracker;
    for (int kind = 0; kind < 2; kind++) {
      for (int outcome = 0; outcome < 4; outcome++) {
        counters[kind * 4 + outcome] = Counter.builder("herald.tracking.requests").tag("kind", kind == 0 ? "open" : "click")
            .tag("outcome", OUTCOMES[outcome]).description("Opens and clicks answered by the tracking filter, valve and listener (not in http.server.requests)")
            .register(registry);
      }
    }
  }

  private static final String[] OUTCOMES = {"pixel", "redirect", "not_found", "busy"};

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
    if (req instanceof HttpServletRequest request && res instanceof HttpServletResponse response) {
      char kind = answered(request);
      if (kind != 0) {
        serve(kind, request, response);
        return;
      }
    }
    chain.doFilter(req, res);
  }

  /** Answers a request of the kind {@link #answered} found ('o' or 'c'), and counts its outcome. */
  void serve(char kind, HttpServletRequest request, HttpServletResponse response) throws IOException {
    String token = request.getRequestURI().substring(request.getContextPath().length() + PREFIX);
    Tracker.Request what = TrackingController.of(request);
    Tracker.Outcome outcome = kind == 'o' ? tracker.open(token, what) : tracker.click(token, what);
    count(kind, outcome);
    TrackingController.answer(outcome, "HEAD".equals(request.getMethod()), response);
  }

  /** Counts an answer of the kind 'o' or 'c' in {@code herald.tracking.requests}: here and on the tracking listener. */
  void count(char kind, Tracker.Outcome outcome) {
    counters[(kind == 'o' ? 0 : 4) + switch (outcome) {
      case Tracker.Outcome.Pixel p -> 0;
      case Tracker.Outcome.Redirect r -> 1;
      case Tracker.Outcome.NotFound n -> 2;
      case Tracker.Outcome.Busy b -> 3;
    }].increment();
  }

  /**
   * 'o' or 'c' when this filter answers the request: GET or HEAD without an Authorization header (a request with
   * credentials goes through the chain, which refuses an API key outside /api/ as on every page) of a path as Herald
   * writes it; 0 otherwise.
   */
  static char answered(HttpServletRequest request) {
    String method = request.getMethod();
    if (!("GET".equals(method) || "HEAD".equals(method)) || request.getHeader("Authorization") != null) return 0;
    return kind(request.getRequestURI(), request.getContextPath().length());
  }

  /** The tracking filter's requests untimed by {@code http.server.requests}: they have their own counters. */
  @Configuration(proxyBeanMethods = false)
  static class Metrics {
    @Bean
    ObservationPredicate trackingUntimed() {
      return (name, context) -> !(context instanceof ServerRequestObservationContext c && answered(c.getCarrier()) != 0);
    }
  }

  /** 'o' for the open path, 'c' for the click path, both with a token of the right form; 0 for anything else. */
  static char kind(String uri, int start) {
    if (uri.length() != start + PREFIX + TOKEN_LENGTH) return 0;
    char kind;
    if (uri.startsWith(LinkTracking.OPEN_PATH, start)) kind = 'o';
    else if (uri.startsWith(LinkTracking.CLICK_PATH, start)) kind = 'c';
    else return 0;
    for (int i = start + PREFIX; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7'))) return 0;
    }
    return kind;
  }
}
