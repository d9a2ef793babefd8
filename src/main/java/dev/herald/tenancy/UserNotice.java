package dev.herald.tenancy;

import java.util.List;

/**
 * Something one signed-in person must read and acknowledge, shown as a banner at the top of every panel page until they
 * do, by a capability to the right of tenancy (privacy: a personal-data breach that touched an organization they belong
 * to). Unlike {@link OrganizationNotice} it is the person's, not the organization's: it shows on every page they open and
 * goes only when they press its button. Tenancy draws it and reads none of that capability's tables. Asked on every
 * panel page: keep it one small query.
 */
public interface UserNotice {

  /** The banners for this person now; empty when there is nothing to acknowledge. */
  List<Notice> notices(HeraldUser user);

  /**
   * {@code title} in a few words, {@code text} what happened; {@code link} a page that says more (may be null);
   * {@code acknowledgeAction} the panel path the banner's button posts to, {@code acknowledgeLabel} its words.
   */
  record Notice(String title, String text, String link, String linkText, String acknowledgeAction, String acknowledgeLabel) {}
}
