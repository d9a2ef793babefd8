package dev.herald.tenancy;

import dev.herald.platform.OnRefused;
import dev.herald.platform.PanelController;
import dev.herald.platform.Refused;
import dev.herald.platform.Words;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** A person's own pages: organizations, password, two-factor, sessions, sign-in history, terms. */
@PanelController
class AccountController {
  private static final String ENROLLING = "herald.totpEnrolling";
  private final Users users;
  private final Accounts accounts;
  private final Sessions sessions;
  private final SignIn signIn;
  private final TwoFactor twoFactor;
  private final Policies policies;
  private final Organizations organizations;
  private final AuditLog audit;
  private final AccountDeletion deletion;

  AccountController(Users users, Accounts accounts, Sessions sessions, SignIn signIn, TwoFactor twoFactor, Policies policies,
      Organizations organizations, AuditLog audit, AccountDeletion deletion) {
    this.deletion = deletion;
    this.users = users;
    this.accounts = accounts;
    this.sessions = sessions;
    this.signIn = signIn;
    this.twoFactor = twoFactor;
    this.policies = policies;
    this.organizations = organizations;
    this.audit = audit;
  }

  @GetMapping("/dashboard")
  String dashboard() {
    return "tenancy/dashboard";
  }

  @PostMapping("/orgs")
  @OnRefused(value = "/dashboard", errorKey = "name")
  String createOrganization(@AuthenticationPrincipal HeraldUser me, @RequestParam(defaultValue = "") String name,
      RedirectAttributes flash) {
    long id = accounts.createOrganization(me.id(), name);
    audit.record(id, "organization.created", "organization", id, name.trim());
    return "redirect:/o/" + organizations.byId(id).orElseThrow().slug();
  }

  @GetMapping("/account")
  String account(@AuthenticationPrincipal HeraldUser me, HttpSession session, Model model) {
    Users.User user = users.byId(me.id()).orElseThrow();
    model.addAttribute("totpEnabled", user.totpEnabled());
    model.addAttribute("recoveryCodesLeft", user.totpEnabled() ? twoFactor.remainingRecoveryCodes(me.id()) : 0);
    String enrolling = (String) session.getAttribute(ENROLLING);
    if (enrolling != null && !user.totpEnabled()) {
      String uri = twoFactor.otpauthUri(enrolling, me.email());
      model.addAttribute("enrollSecret", enrolling);
      model.addAttribute("enrollQr", twoFactor.qrSvg(uri));
    }
    model.addAttribute("sessions", sessions.of(me.id(), session.getId()));
    model.addAttribute("logins", signIn.history(me.id(), 50));
    model.addAttribute("acceptances", policies.acceptancesOf(me.id()));
    return "tenancy/account";
  }

  @PostMapping("/account/password")
  @OnRefused("/account")
  String changePassword(@AuthenticationPrincipal HeraldUser me, @RequestParam(defaultValue = "") String currentPassword,
      @RequestParam(defaultValue = "") String password, HttpServletRequest request, RedirectAttributes flash) {
    accounts.changePassword(me.id(), currentPassword, password, request.getRemoteAddr());
    int ended = sessions.revokeAllExcept(me.id(), request.getSession().getId());
    flash.addFlashAttribute("notice", "Password changed. " + Words.count(ended, "other session was", "other sessions were") + " signed out.");
    return "redirect:/account";
  }

  @PostMapping("/account/2fa/start")
  String startTwoFactor(@AuthenticationPrincipal HeraldUser me, HttpSession session) {
    // The secret stays in the session until a code proves the app has it; only then is it stored.
    session.setAttribute(ENROLLING, twoFactor.newSecret());
    return "redirect:/account#two-factor";
  }

  @PostMapping("/account/2fa/confirm")
  @OnRefused("/account#two-factor")
  String confirmTwoFactor(@AuthenticationPrincipal HeraldUser me, @RequestParam(defaultValue = "") String code,
      HttpServletRequest request, HttpSession session, RedirectAttributes flash) {
    String secret = (String) session.getAttribute(ENROLLING);
    if (secret == null) return "redirect:/account";
    if (!twoFactor.verify(secret, code)) {
      throw Refused.invalid("code", "That code is not valid. Check the time on your phone and try again.");
    }
    users.setTotpSecret(me.id(), secret);
    users.enableTotp(me.id());
    session.removeAttribute(ENROLLING);
    flash.addFlashAttribute("recoveryCodes", twoFactor.newRecoveryCodes(me.id()));
    audit.recordAs(null, me.id(), me.email(), "two_factor.enabled", "user", me.id(), null, request.getRemoteAddr());
    return "redirect:/account#two-factor";
  }

  @PostMapping("/account/2fa/disable")
  @OnRefused("/account#two-factor")
  String disableTwoFactor(@AuthenticationPrincipal HeraldUser me, @RequestParam(defaultValue = "") String password,
      HttpServletRequest request, RedirectAttributes flash) {
    if (!accounts.passwordMatches(me.id(), password)) throw Refused.invalid("disablePassword", "Your password is not correct.");
    users.disableTotp(me.id());
    audit.recordAs(null, me.id(), me.email(), "two_factor.disabled", "user", me.id(), null, request.getRemoteAddr());
    flash.addFlashAttribute("notice", "Two-factor authentication is off.");
    return "redirect:/account#two-factor";
  }

  @PostMapping("/account/sessions/revoke")
  String revokeSession(@AuthenticationPrincipal HeraldUser me, @RequestParam(defaultValue = "") String handle, RedirectAttributes flash) {
    flash.addFlashAttribute("notice", sessions.revoke(me.id(), handle) ? "The session was signed out." : "That session has ended already.");
    return "redirect:/account#sessions";
  }

  /**
   * Deletes the person's own account, their password typed to confirm; every session of theirs ends, this one too,
   * and the browser lands on the sign-in page.
   */
  @PostMapping("/account/delete")
  @OnRefused("/account#delete-account")
  String deleteAccount(@AuthenticationPrincipal HeraldUser me, @RequestParam(defaultValue = "") String password,
      HttpServletRequest request, RedirectAttributes flash) throws jakarta.servlet.ServletException {
    deletion.delete(me.id(), password);
    sessions.revokeAllExcept(me.id(), null);
    request.logout();
    flash.addFlashAttribute("notice", "Your account is deleted.");
    return "redirect:/login?deleted";
  }

  @GetMapping("/account/terms")
  String termsPage(Model model) {
    model.addAttribute("policy", policies.current().orElse(null));
    return "tenancy/terms";
  }

  @PostMapping("/account/terms")
  String acceptTerms(@AuthenticationPrincipal HeraldUser me, @RequestParam(defaultValue = "false") boolean accept,
      HttpServletRequest request, HttpServletResponse response, Model model) {
    if (!accept) {
      model.addAttribute("policy", policies.current().orElse(null));
      model.addAttribute("errors", java.util.Map.of("accept", "Accept the terms to go on, or sign out."));
      response.setStatus(422);
      return "tenancy/terms";
    }
    policies.accept(me.id(), request.getRemoteAddr());
    return "redirect:/dashboard";
  }
}
