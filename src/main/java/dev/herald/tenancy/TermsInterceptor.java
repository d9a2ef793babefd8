package dev.herald.tenancy;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Sends a signed-in person to the terms page, before any other panel page, until they have accepted
 * the version the operator published last. {@link WebConfiguration} says which paths it guards.
 */
@Component
class TermsInterceptor implements HandlerInterceptor {
  private final Policies policies;

  TermsInterceptor(Policies policies) {
    this.policies = policies;
  }

  @Override
  public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) throws Exception {
    Authentication auth = SecurityContextHolder.getContext().getAuthentication();
    if (auth != null && auth.getPrincipal() instanceof HeraldUser u && "GET".equals(request.getMethod())
        && !policies.acceptedCurrent(u.id())) {
      response.sendRedirect(request.getContextPath() + "/account/terms");
      return false;
    }
    return true;
  }
}
