package dev.herald.privacy;

import dev.herald.platform.HeraldProperties;
import dev.herald.platform.OnRefused;
import dev.herald.platform.PanelController;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The operator's transparency page: where the data is stored, the privacy contact, and the sub-processors, which the
 * public privacy page ({@link PrivacyPageController}) shows; a link to that page as the public sees it.
 */
@PanelController
class TransparencyController {
  static final String BASE = "/operator/privacy";
  private final TransparencySettings settings;
  private final SubProcessors subProcessors;
  private final HeraldProperties properties;

  TransparencyController(TransparencySettings settings, SubProcessors subProcessors, HeraldProperties properties) {
    this.settings = settings;
    this.subProcessors = subProcessors;
    this.properties = properties;
  }

  @GetMapping(BASE)
  String page(Model model) {
    model.addAttribute("settings", settings.get());
    model.addAttribute("subProcessors", subProcessors.list());
    model.addAttribute("publicPage", properties.publicLink(PrivacyPageController.PATH));
    return "privacy/operator-privacy";
  }

  @PostMapping(BASE)
  @OnRefused(BASE + "#settings")
  String save(@RequestParam(defaultValue = "") String region, @RequestParam(defaultValue = "") String contact, RedirectAttributes flash) {
    settings.save(region, contact);
    flash.addFlashAttribute("notice", "Saved: the public privacy page shows it now.");
    return "redirect:" + BASE;
  }

  @PostMapping(BASE + "/sub-processors")
  @OnRefused(BASE + "#add")
  String add(@RequestParam(defaultValue = "") String name, @RequestParam(defaultValue = "") String purpose,
      @RequestParam(defaultValue = "") String location, @RequestParam(defaultValue = "") String url, RedirectAttributes flash) {
    SubProcessors.SubProcessor added = subProcessors.add(name, purpose, location, url);
    flash.addFlashAttribute("notice", added.name() + " is listed as a sub-processor.");
    return "redirect:" + BASE;
  }

  @PostMapping(BASE + "/sub-processors/{id}/delete")
  String remove(@PathVariable long id, RedirectAttributes flash) {
    flash.addFlashAttribute("notice", subProcessors.remove(id) ? "The sub-processor is removed." : "That sub-processor was removed already.");
    return "redirect:" + BASE;
  }
}
