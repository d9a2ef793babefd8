package dev.herald.domains;

import dev.herald.platform.OnRefused;
import dev.herald.platform.PanelController;
import dev.herald.platform.Refused;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The operator's pages of the installation's own sending domains (no organization): the system sender's domain,
 * added from the Delivery page when the operator names the sender, then published and verified here exactly like an
 * organization's domain (same records, checks and rotation), so Herald can sign its own mail.
 */
@PanelController
class InstallationDomainsController {
  static final String BASE = "/operator/domains";
  private final SendingDomains domains;

  InstallationDomainsController(SendingDomains domains) {
    this.domains = domains;
  }

  @GetMapping(BASE + "/{id}")
  String domain(@PathVariable long id, Model model) {
    model.addAttribute("domain", domains.find(null, id).orElseThrow(() -> Refused.notFound("Domain " + id)));
    model.addAttribute("base", BASE);
    model.addAttribute("back", "/operator/delivery");
    model.addAttribute("section", "operator");
    model.addAttribute("canWrite", true);
    return "domains/domain";
  }

  @PostMapping(BASE + "/{id}/check")
  @OnRefused(value = BASE + "/{id}", errorKey = "form", notFoundIsPage = true)
  String check(@PathVariable long id, RedirectAttributes flash) {
    SendingDomains.Domain domain = domains.check(null, id);
    flash.addFlashAttribute("notice", domain.verified() ? "Checked: " + domain.unicodeName() + " is verified." : "Checked: some records are not right yet.");
    return "redirect:" + BASE + "/" + id;
  }

  @PostMapping(BASE + "/{id}/rotate")
  @OnRefused(value = BASE + "/{id}", errorKey = "form", notFoundIsPage = true)
  String rotate(@PathVariable long id, RedirectAttributes flash) {
    domains.rotate(null, id);
    flash.addFlashAttribute("notice", "New keys created: publish their records. The current keys sign until the new ones check ok.");
    return "redirect:" + BASE + "/" + id;
  }

  @PostMapping(BASE + "/{id}/signatures")
  @OnRefused(value = BASE + "/{id}", errorKey = "form", notFoundIsPage = true)
  String signatures(@PathVariable long id, @RequestParam(defaultValue = "") String dkimSignatures, RedirectAttributes flash) {
    SendingDomains.Domain domain = domains.chooseSignatures(null, id, dkimSignatures);
    flash.addFlashAttribute("notice", "System mail from " + domain.unicodeName() + " is now signed with " + domain.dkimSignatures().words() + ".");
    return "redirect:" + BASE + "/" + id;
  }

  @PostMapping(BASE + "/{id}/keys/{keyId}/delete")
  @OnRefused(value = BASE + "/{id}", errorKey = "form", notFoundIsPage = true)
  String deleteKey(@PathVariable long id, @PathVariable long keyId, RedirectAttributes flash) {
    domains.removeKey(null, id, keyId);
    flash.addFlashAttribute("notice", "Key removed: its DNS record can be deleted.");
    return "redirect:" + BASE + "/" + id;
  }

  @PostMapping(BASE + "/{id}/delete")
  String delete(@PathVariable long id, RedirectAttributes flash) {
    if (!domains.remove(null, id)) throw Refused.notFound("Domain " + id);
    flash.addFlashAttribute("notice", "Domain removed: system mail stays in the sandbox mailbox until a system sender's domain is verified.");
    return "redirect:/operator/delivery";
  }
}
