package dev.herald.tenancy;

import java.util.Optional;

/**
 * Something every member of an organization must know, shown as a banner at the top of each of its panel pages by a
 * capability to the right of tenancy (feedback: the organization's sending is paused for its complaint or bounce rate).
 * Tenancy draws the text and reads none of that capability's tables. Asked on every page of the organization: keep it
 * one small query.
 */
public interface OrganizationNotice {

  /** The banner for this organization now, or empty when there is nothing to say. */
  Optional<Notice> notice(OrganizationContext organization);

  /** {@code title} in a few words, {@code text} what happened and what follows; {@code link} may be null. */
  record Notice(String title, String text, String link, String linkText) {}
}
