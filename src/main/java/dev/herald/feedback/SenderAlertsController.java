package dev.herald.feedback;

import dev.herald.platform.PanelController;
import dev.herald.tenancy.HeraldUser;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The operator's sender alerts: organizations whose complaint or hard-bounce rate passed a warn or pause threshold,
 * with their rates, and the button that lifts a pause (or dismisses a warning), recorded in the organization's audit
 * log. The same in {@link SenderAlertsApi}.
 */
@PanelController
class SenderAlertsController {
  static final String BASE = "/operator/sender-alerts";
  private final SenderAlertViews views;
  private final SenderProtection protection;

  SenderAlertsController(SenderAlertViews views, SenderProtection protection) {
    this.views = views;
    this.protection = protection;
  }

  @GetMapping(BASE)
  String alerts(Model model) {
    model.addAttribute("open", views.open());
    model.addAttribute("lifted", views.lifted(20));
    model.addAttribute("window", views.window());
    return "feedback/sender-alerts";
  }

  @PostMapping(BASE + "/{id}/lift")
  String lift(@AuthenticationPrincipal HeraldUser me, @PathVariable long id, RedirectAttributes flash) {
    var alert = protection.find(id).orElseThrow(() -> dev.herald.platform.Refused.notFound("Sender alert " + id));
    boolean lifted = protection.lift(id, me.email());
    String name = views.view(alert).organizationName();
    flash.addFlashAttribute("notice", !lifted ? "That alert was lifted already; nothing changed."
        : alert.level() == AlertLevel.PAUSE ? "The pause of " + name + " is lifted: its queued mail goes out again."
        : "The warning about " + name + " is dismissed.");
    return "redirect:" + BASE;
  }
}
