package dev.herald.tenancy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/**
 * Gives a handler's {@link OrganizationContext} parameter the organization that {@link RouteAuthorization}
 * resolved and authorized for this request.
 *
 * <p>A handler that asks for it on a route whose rule is not an organization rule has no organization
 * to act in: that is a mistake in {@link AccessRules}, not in the request, so it fails the request
 * (500) and says so in the log instead of handing the handler a null it would scope queries by.
 */
class OrganizationContextResolver implements HandlerMethodArgumentResolver {
  private static final Logger log = LoggerFactory.getLogger(OrganizationContextResolver.class);

  @Override
  public boolean supportsParameter(MethodParameter parameter) {
    return parameter.getParameterType() == OrganizationContext.class;
  }

  @Override
  public OrganizationContext resolveArgument(MethodParameter parameter, ModelAndViewContainer mav, NativeWebRequest request,
      WebDataBinderFactory binders) {
    if (request.getAttribute(OrganizationContext.ATTRIBUTE, RequestAttributes.SCOPE_REQUEST) instanceof OrganizationContext org) {
      return org;
    }
    String handler = parameter.getExecutable().getDeclaringClass().getSimpleName() + "." + parameter.getExecutable().getName();
    log.error("{} takes an OrganizationContext, but no organization rule in AccessRules covers {}: fix the route table",
        handler, request.getDescription(false));
    throw new IllegalStateException(handler + " needs an organization route, but RouteAuthorization left no OrganizationContext");
  }
}
