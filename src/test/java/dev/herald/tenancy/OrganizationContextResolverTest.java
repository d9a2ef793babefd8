package dev.herald.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.springframework.core.MethodParameter;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.context.request.ServletWebRequest;

/** Handlers get the organization RouteAuthorization left on the request, and never a null in its place. */
class OrganizationContextResolverTest {
  private final OrganizationContextResolver resolver = new OrganizationContextResolver();

  @SuppressWarnings("unused")
  void handler(OrganizationContext org, String other) {}

  private static MethodParameter parameter(int index) throws NoSuchMethodException {
    return new MethodParameter(OrganizationContextResolverTest.class.getDeclaredMethod("handler", OrganizationContext.class,
        String.class), index);
  }

  @Test
  void takes_parameters_of_type_organization_context_only() throws Exception {
    assertThat(resolver.supportsParameter(parameter(0))).isTrue();
    assertThat(resolver.supportsParameter(parameter(1))).isFalse();
  }

  @Test
  void gives_the_organization_left_on_the_request() throws Exception {
    OrganizationContext acme = new OrganizationContext(7, "acme", "Acme", EnumSet.of(Permission.LISTS_READ));
    MockHttpServletRequest request = new MockHttpServletRequest("GET", "/o/acme/lists");
    request.setAttribute(OrganizationContext.ATTRIBUTE, acme);

    assertThat(resolver.resolveArgument(parameter(0), null, new ServletWebRequest(request), null)).isSameAs(acme);
  }

  @Test
  void fails_loudly_when_the_route_left_no_organization() throws Exception {
    MockHttpServletRequest request = new MockHttpServletRequest("GET", "/account");

    assertThatThrownBy(() -> resolver.resolveArgument(parameter(0), null, new ServletWebRequest(request), null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("OrganizationContextResolverTest.handler")
        .hasMessageContaining("no OrganizationContext");
  }
}
