package dev.herald.content;

import dev.herald.testsupport.RouteFixtures;
import java.util.Map;

/** A template and a category of the organization, named after it, for the route walk. */
class TemplatesRouteFixtures implements RouteFixtures {
  private final Templates templates;
  private final TemplateCategories categories;

  TemplatesRouteFixtures(Templates templates, TemplateCategories categories) {
    this.templates = templates;
    this.categories = categories;
  }

  @Override
  public Map<String, Long> create(Organization org) {
    long category = categories.create(org.id(), org.name() + " newsletters").id();
    long template = templates.create(org.id(), new Templates.Draft(org.name() + " layout", TemplateKind.CAMPAIGN, category,
        ContentFormat.HTML, "<h1>" + org.name() + "</h1>{{ content }}")).id();
    return Map.of("templates/{id}", template, "template-categories/{id}", category);
  }
}
