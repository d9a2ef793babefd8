package dev.herald.testsupport;

import java.util.Map;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.FilterType;

/**
 * What a capability gives {@code RouteAccessTest} so that its routes are walked with real ids. Every
 * capability with a route that has a path variable (besides {@code {org}}) writes one class implementing
 * this in its own test package, next to its tests (see {@code AudiencesRouteFixtures}); {@link Scan} finds
 * it, so nothing else needs to be told. A path variable that no fixture answers fails the walk.
 */
public interface RouteFixtures {
  /** The organization to create objects in; {@code name} is also the mark the walk looks for in responses. */
  record Organization(long id, String slug, String name) {}

  /**
   * Creates one object of each kind your routes take by id in the organization, and returns their ids
   * keyed by the end of the route path up to the variable: {@code "lists/{id}"} serves
   * {@code /o/{org}/lists/{id}/delete} and {@code /api/v1/orgs/{org}/lists/{id}}. When several keys end a
   * route's path the longest wins, so {@code "/operator/suppressions/{id}"} can differ from
   * {@code "suppressions/{id}"}. Put the organization's name in a name or label of what you create, so
   * the walk sees it if a response shows one organization's object to another. An id is a number, or the
   * text a public route takes instead (a list's public id).
   */
  Map<String, ?> create(Organization organization);

  /** {@code @Import} this to get every {@link RouteFixtures} of the test sources as beans. */
  @TestConfiguration(proxyBeanMethods = false)
  @ComponentScan(basePackages = "dev.herald", useDefaultFilters = false,
      includeFilters = @ComponentScan.Filter(type = FilterType.ASSIGNABLE_TYPE, classes = RouteFixtures.class))
  class Scan {}
}
