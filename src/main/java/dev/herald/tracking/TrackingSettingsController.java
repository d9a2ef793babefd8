package dev.herald.tracking;

import dev.herald.campaigns.Campaign;
import dev.herald.campaigns.Campaigns;
import dev.herald.platform.OnRefused;
import dev.herald.platform.PanelController;
import dev.herald.tenancy.OrganizationContext;
import dev.herald.tenancy.Permission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** The organization's tracking privacy page: its setting, the campaigns with their own, and what the defaults are. */
@PanelController
class TrackingSettingsController {
  private final TrackingPrivacy privacy;
  private final Campaigns campaigns;

  TrackingSettingsController(TrackingPrivacy privacy, Campaigns campaigns) {
    this.privacy = privacy;
    this.campaigns = campaigns;
  }

  /** A campaign with a setting of its own, as the page lists it. */
  record Override(long campaignId, String name, TrackingPrivacy.Setting setting) {}

  @GetMapping("/o/{org}/tracking")
  String page(OrganizationContext org, Model model) {
    Map<Long, TrackingPrivacy.Setting> own = privacy.campaigns(org.id());
    List<Campaign> recent = campaigns.list(org.id(), null, 0, 100).items();
    List<Override> overrides = new ArrayList<>();
    own.forEach((id, setting) -> overrides.add(new Override(id, campaigns.find(org.id(), id).map(Campaign::name).orElse("Deleted campaign"),
        setting)));
    model.addAttribute("setting", privacy.organization(org.id()));
    model.addAttribute("defaults", TrackingPrivacy.DEFAULT);
    model.addAttribute("overrides", overrides);
    model.addAttribute("campaigns", recent);
    model.addAttribute("modes", TrackingMode.values());
    model.addAttribute("ips", IpStorage.values());
    model.addAttribute("canWrite", org.can(Permission.CAMPAIGNS_WRITE));
    return "tracking/settings";
  }

  @PostMapping("/o/{org}/tracking")
  @OnRefused("/o/{org}/tracking#organization-setting")
  String save(OrganizationContext org, @RequestParam(defaultValue = "") String mode, @RequestParam(defaultValue = "") String ip,
      RedirectAttributes flash) {
    privacy.saveOrganization(org.id(), mode, ip);
    flash.addFlashAttribute("notice", "Tracking privacy saved.");
    return "redirect:/o/" + org.slug() + "/tracking";
  }

  @PostMapping("/o/{org}/tracking/campaigns")
  @OnRefused("/o/{org}/tracking#campaign-setting")
  String saveCampaign(OrganizationContext org, @RequestParam(defaultValue = "0") long campaign, @RequestParam(defaultValue = "") String mode,
      @RequestParam(defaultValue = "") String ip, RedirectAttributes flash) {
    privacy.saveCampaign(org.id(), campaign, mode, ip);
    flash.addFlashAttribute("notice", "The campaign's tracking privacy is saved.");
    return "redirect:/o/" + org.slug() + "/tracking";
  }

  @PostMapping("/o/{org}/tracking/campaigns/{id}/delete")
  String clearCampaign(OrganizationContext org, @PathVariable long id, RedirectAttributes flash) {
    privacy.clear(org.id(), id);
    flash.addFlashAttribute("notice", "The campaign follows the organization's setting again.");
    return "redirect:/o/" + org.slug() + "/tracking";
  }
}
