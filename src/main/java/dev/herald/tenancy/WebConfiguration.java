package dev.herald.tenancy;

import java.util.List;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** What tenancy adds to Spring MVC: the terms check before panel pages, and the organization as a handler parameter. */
@Configuration(proxyBeanMethods = false)
class WebConfiguration implements WebMvcConfigurer {
  private final TermsInterceptor terms;

  WebConfiguration(TermsInterceptor terms) {
    this.terms = terms;
  }

  @Override
  public void addInterceptors(InterceptorRegistry registry) {
    registry.addInterceptor(terms).addPathPatterns("/dashboard", "/o/**", "/account", "/account/**", "/operator", "/operator/**")
        .excludePathPatterns("/account/terms");
  }

  @Override
  public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
    resolvers.add(new OrganizationContextResolver());
  }
}
