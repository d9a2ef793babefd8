package dev.herald.platform;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.util.regex.Pattern;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Redirects name Herald's configured address ({@code herald.base-url}, or {@code herald.public-url} for
 * subscriber pages), never the request's {@code Host} header: the container would otherwise make a
 * relative {@code Location} absolute with whatever host the client claimed, and a forged Host (or a
 * proxy passing one through) would send people elsewhere.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 2)
class ConfiguredOriginRedirects extends OncePerRequestFilter {
  private static final Pattern ABSOLUTE = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*:");
  private final HeraldProperties properties;

  ConfiguredOriginRedirects(HeraldProperties properties) {
    this.properties = properties;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    chain.doFilter(request, new HttpServletResponseWrapper(response) {
      @Override
      public void sendRedirect(String location) throws IOException {
        super.sendRedirect(absolute(request, location));
      }

      @Override
      public void sendRedirect(String location, int status, boolean clearBuffer) throws IOException {
        super.sendRedirect(absolute(request, location), status, clearBuffer);
      }
    });
  }

  private String absolute(HttpServletRequest request, String location) {
    if (ABSOLUTE.matcher(location).lookingAt() || location.startsWith("//")) return location;
    String uri = request.getRequestURI();
    String resolved = location.startsWith("/") ? location : uri.substring(0, uri.lastIndexOf('/') + 1) + location;
    String normalized = RequestOrigin.path(request);
    return normalized != null && normalized.startsWith("/p/") ? properties.publicLink(resolved) : properties.link(resolved);
  }
}
