package dev.herald.platform;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * A node without the {@code web} role still answers health and metrics (so orchestration can watch it)
 * but serves no panel, API or public pages.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class WebRoleFilter extends OncePerRequestFilter {
  private final boolean web;

  WebRoleFilter(NodeRoles roles) {
    this.web = roles.has(NodeRole.web);
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return web || request.getRequestURI().startsWith("/actuator/");
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    response.sendError(HttpServletResponse.SC_NOT_FOUND, "This node does not have the web role");
  }
}
