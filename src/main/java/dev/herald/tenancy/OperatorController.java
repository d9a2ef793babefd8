package dev.herald.tenancy;

import dev.herald.platform.OnRefused;
import dev.herald.platform.PanelController;
import dev.herald.platform.Settings;
import java.time.LocalDate;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The operator's pages: organizations and people (list, suspend, resume, delete), installation settings,
 * policy versions, operator audit log.
 */
@PanelController
class OperatorController {
  static final int ORGANIZATIONS_PAGE_SIZE = 50;
  private static final String ORGANIZATIONS = "/operator/organizations";
  static final int USERS_PAGE_SIZE = 50;
  private static final String USERS = "/operator/users";
  private final Organizations organizations;
  private final OrganizationLifecycle lifecycle;
  private final Users users;
  private final OperatorUsers operatorUsers;
  private final Settings settings;
  private final Policies policies;
  private final AuditLog audit;
  private final java.util.List<OperatorNotice> notices;

  OperatorController(Organizations organizations, OrganizationLifecycle lifecycle, Users users, OperatorUsers operatorUsers,
      Settings settings, Policies policies, AuditLog audit, java.util.List<OperatorNotice> notices) {
    this.notices = notices;
    this.organizations = organizations;
    this.operatorUsers = operatorUsers;
    this.lifecycle = lifecycle;
    this.users = users;
    this.settings = settings;
    this.policies = policies;
    this.audit = audit;
  }

  @GetMapping("/operator")
  String overview(Model model) {
    model.addAttribute("organizations", organizations.all());
    model.addAttribute("userCount", users.count());
    model.addAttribute("signupEnabled", settings.signupEnabled());
    model.addAttribute("minimumAge", settings.minimumAge());
    model.addAttribute("closureGraceDays", settings.closureGrace().toDays());
    model.addAttribute("policies", policies.all());
    model.addAttribute("warnings", notices.stream().flatMap(n -> n.notice().stream()).toList());
    return "tenancy/operator";
  }

  // ---- organizations -------------------------------------------------------------------------

  @GetMapping(ORGANIZATIONS)
  String organizations(@RequestParam(defaultValue = "") String q, @RequestParam(defaultValue = "0") int page, Model model) {
    model.addAttribute("page", organizations.search(q, Math.max(0, page), ORGANIZATIONS_PAGE_SIZE));
    model.addAttribute("q", q);
    return "tenancy/operator-organizations";
  }

  @PostMapping(ORGANIZATIONS + "/{id}/suspend")
  @OnRefused(value = ORGANIZATIONS, errorKey = "reason-{id}", query = "q", notFoundIsPage = true)
  String suspend(@PathVariable long id, @RequestParam(defaultValue = "") String reason, @RequestParam(defaultValue = "") String q,
      RedirectAttributes flash) {
    Organizations.Organization org = lifecycle.suspend(id, reason);
    flash.addFlashAttribute("notice", org.name() + " is suspended: its members, API keys and hosted pages are refused.");
    return back(q, flash);
  }

  @PostMapping(ORGANIZATIONS + "/{id}/resume")
  String resume(@PathVariable long id, @RequestParam(defaultValue = "") String q, RedirectAttributes flash) {
    flash.addFlashAttribute("notice", lifecycle.resume(id).map(org -> org.name() + " is active again.")
        .orElse("That organization was not suspended; nothing changed."));
    return back(q, flash);
  }

  @PostMapping(ORGANIZATIONS + "/{id}/delete")
  @OnRefused(value = ORGANIZATIONS, errorKey = "confirm-{id}", query = "q", notFoundIsPage = true)
  String delete(@PathVariable long id, @RequestParam(defaultValue = "") String confirm, @RequestParam(defaultValue = "") String q,
      RedirectAttributes flash) {
    Organizations.Organization org = lifecycle.delete(id, confirm);
    flash.addFlashAttribute("notice", org.name() + " (" + org.slug() + ") and all its data are deleted.");
    return back(q, flash);
  }

  private static String back(String q, RedirectAttributes flash) {
    if (!q.isBlank()) flash.addAttribute("q", q);
    return "redirect:" + ORGANIZATIONS;
  }

  // ---- people ------------------------------------------------------------------------------

  @GetMapping(USERS)
  String users(@RequestParam(defaultValue = "") String q, @RequestParam(defaultValue = "0") int page, Model model) {
    model.addAttribute("page", operatorUsers.search(q, Math.max(0, page), USERS_PAGE_SIZE));
    model.addAttribute("q", q);
    return "tenancy/operator-users";
  }

  @PostMapping(USERS + "/{id}/lock")
  @OnRefused(value = USERS, errorKey = "user-{id}", query = "q", notFoundIsPage = true)
  String lockUser(@AuthenticationPrincipal HeraldUser me, @PathVariable long id, @RequestParam(defaultValue = "") String q,
      RedirectAttributes flash) {
    Users.User user = operatorUsers.lock(me.id(), id);
    flash.addFlashAttribute("notice", user.email() + " is locked: their sessions have ended and they cannot sign in.");
    return backToUsers(q, flash);
  }

  @PostMapping(USERS + "/{id}/unlock")
  @OnRefused(value = USERS, errorKey = "user-{id}", query = "q", notFoundIsPage = true)
  String unlockUser(@PathVariable long id, @RequestParam(defaultValue = "") String q, RedirectAttributes flash) {
    Users.User user = operatorUsers.unlock(id);
    flash.addFlashAttribute("notice", user.email() + " is unlocked and can sign in again.");
    return backToUsers(q, flash);
  }

  private static String backToUsers(String q, RedirectAttributes flash) {
    if (!q.isBlank()) flash.addAttribute("q", q);
    return "redirect:" + USERS;
  }

  @PostMapping("/operator/settings")
  @OnRefused("/operator")
  String saveSettings(@RequestParam(defaultValue = "false") boolean signupEnabled, @RequestParam(defaultValue = "18") int minimumAge,
      @RequestParam(required = false) Integer closureGraceDays, RedirectAttributes flash) {
    settings.setMinimumAge(minimumAge);
    // Absent from an older form: the grace period stays as it is.
    int grace = closureGraceDays == null ? (int) settings.closureGrace().toDays() : closureGraceDays;
    settings.setClosureGraceDays(grace);
    settings.setSignupEnabled(signupEnabled);
    audit.record(null, "settings.changed", "settings", null, "signup_enabled=" + signupEnabled + ", minimum_age=" + minimumAge
        + ", closure_grace_days=" + grace);
    flash.addFlashAttribute("notice", "Settings saved.");
    return "redirect:/operator";
  }

  @PostMapping("/operator/policies")
  @OnRefused("/operator")
  String publishPolicy(@RequestParam(defaultValue = "") String version, @RequestParam(defaultValue = "") String summary,
      @RequestParam(defaultValue = "") String url, RedirectAttributes flash) {
    policies.publish(version, summary, url);
    flash.addFlashAttribute("notice", "Version " + version.trim() + " published; every user will be asked to accept it.");
    return "redirect:/operator";
  }

  @GetMapping("/operator/audit")
  String audit(@RequestParam(defaultValue = "") String actor, @RequestParam(defaultValue = "") String action,
      @RequestParam(required = false) LocalDate from, @RequestParam(required = false) LocalDate to,
      @RequestParam(defaultValue = "0") int page, Model model) {
    OrganizationController.auditPage(model, "/operator/audit", audit.page(null, OrganizationController.filter(actor, action, from, to),
        Math.max(0, page), OrganizationController.AUDIT_PAGE_SIZE), actor, action, from, to);
    return "tenancy/audit";
  }
}
