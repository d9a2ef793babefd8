package dev.herald.privacy;

import dev.herald.tenancy.HeraldUser;
import dev.herald.tenancy.OrganizationContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Writes an operator's request under an organization into {@link StaffAccessLog} before its handler runs (so a page
 * that fails half-way was still looked at). Only requests the route table let through reach it, with the organization
 * it resolved; an ordinary member's request is not logged.
 */
@Configuration(proxyBeanMethods = false)
class StaffAccessInterceptor implements HandlerInterceptor, WebMvcConfigurer {
  private final StaffAccessLog log;

  StaffAccessInterceptor(StaffAccessLog log) {
    this.log = log;
  }

  @Override
  public void addInterceptors(InterceptorRegistry registry) {
    registry.addInterceptor(this).addPathPatterns("/o/**", "/api/v1/orgs/**");
  }

  @Override
  public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
    Authentication auth = SecurityContextHolder.getContext().getAuthentication();
    if (auth != null && auth.getPrincipal() instanceof HeraldUser u && u.operator()) {
      OrganizationContext.of(request).ifPresent(org -> log.record(org.id(), u.id(), u.email(), request.getMethod(),
          request.getRequestURI().substring(request.getContextPath().length())));
    }
    return true;
  }
}
