package dev.herald.tenancy;

import static dev.herald.tenancy.Permission.*;

import dev.herald.platform.PanelController;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/**
 * What every panel page's layout needs: who is signed in, their organizations, the current one, and
 * the organization's sections.
 *
 * <p>Only page controllers get it: {@code annotations = Controller.class} would also match every
 * {@code @RestController} (meta-annotated with {@code @Controller}), and each API call made with a
 * session would pay the memberships query for a model nobody renders. The error controller is
 * included because the error page is drawn in the panel's frame.
 */
@ControllerAdvice(annotations = PanelController.class, assignableTypes = ErrorController.class)
class PanelModel {
  /**
   * The organization navigation, in order. {@code section} is what a page passes to the layout to be
   * marked current; {@code path} follows {@code /o/{slug}}; a section without a permission is shown to
   * every member.
   */
  public record Section(String section, String label, String path, Permission needs) {}

  static final List<Section> ORG_SECTIONS = List.of(
      new Section("overview", "Overview", "", null),
      new Section("lists", "Lists", "/lists", LISTS_READ),
      new Section("subscribers", "Subscribers", "/subscribers", LISTS_READ),
      new Section("fields", "Fields", "/fields", LISTS_READ),
      new Section("segments", "Segments", "/segments", LISTS_READ),
      new Section("imports", "Imports", "/imports", LISTS_READ),
      new Section("suppressions", "Suppressions", "/suppressions", SUPPRESSIONS_READ),
      new Section("feedback", "Bounces", "/feedback", SUPPRESSIONS_READ),
      new Section("templates", "Templates", "/templates", TEMPLATES_READ),
      new Section("media", "Media", "/media", CAMPAIGNS_READ),
      new Section("domains", "Domains", "/domains", DOMAINS_READ),
      new Section("campaigns", "Campaigns", "/campaigns", CAMPAIGNS_READ),
      new Section("tracking", "Tracking", "/tracking", CAMPAIGNS_READ),
      new Section("messages", "Messages", "/messages", MESSAGES_READ),
      new Section("sending", "Sending", "/sending", DOMAINS_READ),
      new Section("members", "Members", "/members", MEMBERS_READ),
      new Section("groups", "Groups", "/groups", MEMBERS_READ),
      new Section("api-keys", "API keys", "/api-keys", API_KEYS_READ),
      new Section("audit", "Audit log", "/audit", AUDIT_READ),
      new Section("privacy", "Privacy requests", "/privacy/requests", PRIVACY_READ),
      new Section("retention", "Data retention", "/privacy/retention", PRIVACY_READ),
      new Section("staff-access", "Staff access", "/staff-access", AUDIT_READ),
      new Section("closure", "Export and close", "/closure", BILLING_WRITE));

  private final Organizations organizations;
  private final List<OrganizationNotice> notices;
  private final List<UserNotice> userNotices;

  PanelModel(Organizations organizations, List<OrganizationNotice> notices, List<UserNotice> userNotices) {
    this.organizations = organizations;
    this.notices = notices;
    this.userNotices = userNotices;
  }

  @ModelAttribute("me")
  HeraldUser me(@AuthenticationPrincipal Object principal) {
    return principal instanceof HeraldUser u ? u : null;
  }

  @ModelAttribute("memberships")
  List<Organizations.MembershipView> memberships(@AuthenticationPrincipal Object principal) {
    return principal instanceof HeraldUser u ? organizations.membershipsOf(u.id()) : List.of();
  }

  @ModelAttribute("org")
  OrganizationContext org(HttpServletRequest request) {
    return (OrganizationContext) request.getAttribute(OrganizationContext.ATTRIBUTE);
  }

  /** Set when a member was refused because the operator suspended the organization (the 403 page says why). */
  @ModelAttribute("suspendedOrganization")
  RouteAuthorization.Suspended suspendedOrganization(HttpServletRequest request) {
    return (RouteAuthorization.Suspended) request.getAttribute(RouteAuthorization.Suspended.ATTRIBUTE);
  }

  /** Set when a member was refused because the owner closed the organization (the 403 page links to its closure page). */
  @ModelAttribute("closedOrganization")
  RouteAuthorization.Closed closedOrganization(HttpServletRequest request) {
    return (RouteAuthorization.Closed) request.getAttribute(RouteAuthorization.Closed.ATTRIBUTE);
  }

  /** Set when a form came back without a valid CSRF token (the 403 page says to reload the form, not to ask for access). */
  @ModelAttribute("formExpired")
  boolean formExpired(HttpServletRequest request) {
    return request.getAttribute(SecurityConfiguration.FORM_EXPIRED) != null;
  }

  /** The banners of the current organization (none outside one): each capability's {@link OrganizationNotice}. */
  @ModelAttribute("orgNotices")
  List<OrganizationNotice.Notice> orgNotices(HttpServletRequest request) {
    OrganizationContext org = org(request);
    if (org == null || notices.isEmpty()) return List.of();
    return notices.stream().flatMap(n -> n.notice(org).stream()).toList();
  }

  /** The signed-in person's banners to acknowledge, on every page (each capability's {@link UserNotice}). */
  @ModelAttribute("userNotices")
  List<UserNotice.Notice> userNotices(@AuthenticationPrincipal Object principal) {
    if (!(principal instanceof HeraldUser u) || userNotices.isEmpty()) return List.of();
    return userNotices.stream().flatMap(n -> n.notices(u).stream()).toList();
  }

  @ModelAttribute("orgSections")
  List<Section> orgSections() {
    return ORG_SECTIONS;
  }
}
