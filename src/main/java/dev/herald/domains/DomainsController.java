package dev.herald.domains;

import dev.herald.platform.OnRefused;
import dev.herald.platform.PanelController;
import dev.herald.platform.Refused;
import dev.herald.tenancy.OrganizationContext;
import dev.herald.tenancy.Permission;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** Panel pages of sending domains: the list with the add form, and one domain's records, checks and keys. */
@PanelController
class DomainsController {
  private final SendingDomains domains;

  DomainsController(SendingDomains domains) {
    this.domains = domains;
  }

  @GetMapping("/o/{org}/domains")
  String list(OrganizationContext org, Model model) {
    model.addAttribute("domains", domains.list(org.id()));
    return "domains/domains";
  }

  @PostMapping("/o/{org}/domains")
  @OnRefused("/o/{org}/domains#add-domain")
  String add(OrganizationContext org, @RequestParam(defaultValue = "") String name, RedirectAttributes flash) {
    SendingDomains.Domain domain = domains.add(org.id(), name);
    flash.addFlashAttribute("notice", domain.unicodeName() + " added: publish its records, then check them.");
    return "redirect:" + base(org) + "/" + domain.id();
  }

  @GetMapping("/o/{org}/domains/{id}")
  String domain(OrganizationContext org, @PathVariable long id, Model model) {
    model.addAttribute("domain", domains.find(org.id(), id).orElseThrow(() -> Refused.notFound("Domain " + id)));
    model.addAttribute("base", base(org));
    model.addAttribute("back", base(org));
    model.addAttribute("section", "domains");
    model.addAttribute("canWrite", org.can(Permission.DOMAINS_WRITE));
    return "domains/domain";
  }

  @PostMapping("/o/{org}/domains/{id}/check")
  @OnRefused(value = "/o/{org}/domains/{id}", errorKey = "form", notFoundIsPage = true)
  String check(OrganizationContext org, @PathVariable long id, RedirectAttributes flash) {
    SendingDomains.Domain domain = domains.check(org.id(), id);
    flash.addFlashAttribute("notice", domain.verified() ? "Checked: " + domain.unicodeName() + " is verified." : "Checked: some records are not right yet.");
    return "redirect:" + base(org) + "/" + id;
  }

  @PostMapping("/o/{org}/domains/{id}/rotate")
  @OnRefused(value = "/o/{org}/domains/{id}", errorKey = "form", notFoundIsPage = true)
  String rotate(OrganizationContext org, @PathVariable long id, RedirectAttributes flash) {
    domains.rotate(org.id(), id);
    flash.addFlashAttribute("notice", "New keys created: publish their records. The current keys sign until the new ones check ok.");
    return "redirect:" + base(org) + "/" + id;
  }

  @PostMapping("/o/{org}/domains/{id}/signatures")
  @OnRefused(value = "/o/{org}/domains/{id}", errorKey = "form", notFoundIsPage = true)
  String signatures(OrganizationContext org, @PathVariable long id, @RequestParam(defaultValue = "") String dkimSignatures,
      RedirectAttributes flash) {
    SendingDomains.Domain domain = domains.chooseSignatures(org.id(), id, dkimSignatures);
    flash.addFlashAttribute("notice", "Mail from " + domain.unicodeName() + " is now signed with " + domain.dkimSignatures().words()
        + " (within a minute for mail already being delivered).");
    return "redirect:" + base(org) + "/" + id;
  }

  @PostMapping("/o/{org}/domains/{id}/keys/{keyId}/delete")
  @OnRefused(value = "/o/{org}/domains/{id}", errorKey = "form", notFoundIsPage = true)
  String deleteKey(OrganizationContext org, @PathVariable long id, @PathVariable long keyId, RedirectAttributes flash) {
    domains.removeKey(org.id(), id, keyId);
    flash.addFlashAttribute("notice", "Key removed: its DNS record can be deleted.");
    return "redirect:" + base(org) + "/" + id;
  }

  @PostMapping("/o/{org}/domains/{id}/delete")
  String delete(OrganizationContext org, @PathVariable long id, RedirectAttributes flash) {
    if (!domains.remove(org.id(), id)) throw Refused.notFound("Domain " + id);
    flash.addFlashAttribute("notice", "Domain removed.");
    return "redirect:" + base(org);
  }

  private static String base(OrganizationContext org) {
    return "/o/" + org.slug() + "/domains";
  }
}
