package dev.herald.privacy;

import dev.herald.campaigns.Campaign;
import dev.herald.platform.OnRefused;
import dev.herald.platform.PanelController;
import dev.herald.tenancy.HeraldUser;
import dev.herald.tenancy.OrganizationContext;
import dev.herald.tenancy.Permission;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * An organization's breach notices: what happened, whether the signed-in member acknowledged it, which members did, and
 * the button that prepares a draft campaign to the organization's subscribers. The same in {@link BreachNoticesApi}.
 */
@PanelController
class BreachNoticesController {
  private final BreachNotices notices;

  BreachNoticesController(BreachNotices notices) {
    this.notices = notices;
  }

  @GetMapping("/o/{org}/breach-notices")
  String list(OrganizationContext org, @AuthenticationPrincipal HeraldUser me, Model model) {
    model.addAttribute("notices", notices.forOrganization(org.id(), me.id()));
    model.addAttribute("canDraft", org.can(Permission.CAMPAIGNS_WRITE));
    return "privacy/breach-notices";
  }

  @PostMapping("/o/{org}/breach-notices/{id}/acknowledge")
  @OnRefused(value = "/o/{org}/breach-notices#notice-{id}", notFoundIsPage = true)
  String acknowledge(OrganizationContext org, @AuthenticationPrincipal HeraldUser me, @PathVariable long id, RedirectAttributes flash) {
    boolean changed = notices.acknowledge(org.id(), id, me);
    flash.addFlashAttribute("notice", changed ? "Thank you: your acknowledgement is recorded." : "You had acknowledged this notice already.");
    return "redirect:/o/" + org.slug() + "/breach-notices#notice-" + id;
  }

  @PostMapping("/o/{org}/breach-notices/{id}/campaign")
  @OnRefused(value = "/o/{org}/breach-notices#notice-{id}", notFoundIsPage = true)
  String campaign(OrganizationContext org, @PathVariable long id, RedirectAttributes flash) {
    Campaign draft = notices.draftCampaign(org.id(), id);
    flash.addFlashAttribute("notice", "A draft campaign is ready: review its text, choose the sender and the audience, then send it.");
    return "redirect:/o/" + org.slug() + "/campaigns/" + draft.id() + "/edit";
  }
}
