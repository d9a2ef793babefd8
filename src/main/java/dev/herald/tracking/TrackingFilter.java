package dev.herald.tracking;

import dev.herald.messages.LinkTracking;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.ServerHttpObservationFilter;

/**
 * The open pixel and the click redirect answered as soon as the origin rules have let the request through, without
 * Spring MVC, the security chain or the session: bench/tracking.sh measured the chain and the handler mapping (over
 * 400 routes, an observation around each of a dozen security filters, a request-handled event) as most of an answer's
 * cost, for two public routes that need none of it. What the chain would do for them is done here: they are public in
 * {@code AccessRules}, set no cookie, and carry their own headers ({@link TrackingController#answer}).
 *
 * <p>Only GET and HEAD without an Authorization header, of the exact paths Herald writes into mail ({@code /t/o/} or
 * {@code /t/c/} and a 45-character token of lower-case base32) are answered here; any other spelling, method or
 * request with credentials goes on to the chain as before, where
 * {@link TrackingController} answers it (or the access rules refuse it) the same way. It runs after the web role and
 * origin separation filters, so a node without the web role and a host that must not serve {@code /t/} still refuse.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 2)
class TrackingFilter implements Filter {
  private static final int PREFIX = LinkTracking.OPEN_PATH.length();
  private static final int TOKEN_LENGTH = LinkTracking.TOKEN_LENGTH;
  private static final String OPEN_PATTERN = LinkTracking.OPEN_PATH + "{token}";
  private static final String CLICK_PATTERN = LinkTracking.CLICK_PATH + "{token}";

  private final Tracker tracker;

  TrackingFilter(Tracker tracker) {
    this.tracker = tracker;
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
    if (req instanceof HttpServletRequest request && res instanceof HttpServletResponse response) {
      String method = request.getMethod();
      boolean head = "HEAD".equals(method);
      // A request with credentials goes through the chain, which refuses an API key outside /api/ as on every page.
      if ((head || "GET".equals(method)) && request.getHeader("Authorization") == null) {
        String uri = request.getRequestURI();
        int start = request.getContextPath().length();
        char kind = kind(uri, start);
        if (kind != 0) {
          String token = uri.substring(start + PREFIX);
          // The request metrics name the route as MVC would have (not UNKNOWN), and never the token.
          ServerHttpObservationFilter.findObservationContext(request)
              .ifPresent(c -> c.setPathPattern(kind == 'o' ? OPEN_PATTERN : CLICK_PATTERN));
          Tracker.Request what = TrackingController.of(request);
          TrackingController.answer(kind == 'o' ? tracker.open(token, what) : tracker.click(token, what), head, response);
          return;
        }
      }
    }
    chain.doFilter(req, res);
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
