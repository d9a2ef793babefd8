package dev.herald.tenancy;

import java.util.Optional;

/**
 * A part of the organization's overview page ({@code /o/{org}}) drawn by a capability to the right of tenancy:
 * audiences shows its figures here today, campaigns and reports will add theirs. Tenancy owns the page and this
 * port and never reads those capabilities' tables; each implementation queries its own and hands back a
 * Thymeleaf template and the data for it. Sections are shown in the order of Spring's {@code @Order}.
 */
public interface OverviewSection {

  /** The section for this member, or empty when they may not see it (a permission they lack). */
  Optional<Drawn> draw(OrganizationContext org);

  /**
   * {@code template} names a Thymeleaf template holding a fragment {@code overviewSection(data)}; the page
   * includes it with {@code data}, and the organization as {@code org} in the model as on every page.
   */
  record Drawn(String template, Object data) {}
}
