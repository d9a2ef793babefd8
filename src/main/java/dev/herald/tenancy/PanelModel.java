package dev.herald.tenancy;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/** What every panel page's layout needs: who is signed in, their organizations, the current one. */
@ControllerAdvice(annotations = Controller.class)
class PanelModel {
  private final Organizations organizations;

  PanelModel(Organizations organizations) {
    this.organizations = organizations;
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
}
