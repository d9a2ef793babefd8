package dev.herald.delivery;

import dev.herald.platform.OnRefused;
import dev.herald.platform.PanelController;
import dev.herald.platform.TextEnum;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** The operator's Delivery page: the delivery mode, the system sender, and where Herald's own mail goes now. */
@PanelController
class DeliveryController {
  static final String PATH = "/operator/delivery";
  static final String FALLBACK_WARNING = "Real delivery is on, but Herald's own mail (invitations, password resets, confirmations) "
      + "stays in the sandbox mailbox: no system sender on a verified domain is set.";
  private final DeliverySettings settings;

  DeliveryController(DeliverySettings settings) {
    this.settings = settings;
  }

  @GetMapping(PATH)
  String page(Model model) {
    model.addAttribute("status", settings.status());
    model.addAttribute("modes", DeliveryMode.values());
    model.addAttribute("fallbackWarning", FALLBACK_WARNING);
    return "delivery/delivery";
  }

  @PostMapping(PATH)
  @OnRefused(PATH + "#delivery-form")
  String save(@RequestParam(defaultValue = "") String mode, @RequestParam(defaultValue = "") String systemSender,
      RedirectAttributes flash) {
    DeliverySettings.Status status = settings.change(TextEnum.parse(DeliveryMode.class, "mode", mode), systemSender);
    flash.addFlashAttribute("notice", switch (status.systemMail()) {
      case SANDBOX -> "Saved: mail stays in the sandbox mailbox.";
      case QUEUE -> "Saved: mail is delivered for real, Herald's own mail from " + status.systemSender() + ".";
      case SANDBOX_FALLBACK -> "Saved. " + FALLBACK_WARNING;
    });
    return "redirect:" + PATH;
  }
}
