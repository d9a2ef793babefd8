package dev.herald.tenancy;

import dev.herald.platform.Forms;
import dev.herald.platform.Refused;
import dev.herald.platform.PanelController;
import dev.herald.platform.Settings;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.util.Map;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** Pages for getting in: sign-in (with second factor), first-start setup, sign-up, password reset, invitations. */
@PanelController
class AuthController {
  private static final String PENDING_SECOND_FACTOR = "herald.pendingSecondFactor";
  private final SignIn signIn;
  private final Sessions sessions;
  private final Accounts accounts;
  private final Invitations invitations;
  private final Users users;
  private final Settings settings;
  private final Organizations organizations;

  AuthController(SignIn signIn, Sessions sessions, Accounts accounts, Invitations invitations, Users users, Settings settings,
      Organizations organizations) {
    this.organizations = organizations;
    this.signIn = signIn;
    this.sessions = sessions;
    this.accounts = accounts;
    this.invitations = invitations;
    this.users = users;
    this.settings = settings;
  }

  @GetMapping("/")
  String root(@AuthenticationPrincipal Object principal) {
    return principal instanceof HeraldUser ? "redirect:/dashboard" : "redirect:/login";
  }

  @GetMapping("/login")
  String loginPage(Model model) {
    model.addAttribute("signupEnabled", settings.signupEnabled());
    return "tenancy/login";
  }

  @PostMapping("/login")
  String login(@RequestParam(defaultValue = "") String email, @RequestParam(defaultValue = "") String password,
      @RequestParam(defaultValue = "") String next, HttpServletRequest request, HttpServletResponse response, Model model) {
    return switch (signIn.password(email, password, request.getRemoteAddr(), request.getHeader("User-Agent"))) {
      case SignIn.Accepted a -> {
        sessions.signIn(a.user().principal(), request, response);
        yield "redirect:" + safeNext(next);
      }
      case SignIn.SecondFactorNeeded s -> {
        request.getSession().setAttribute(PENDING_SECOND_FACTOR, s.user().id());
        yield "redirect:/login/2fa" + (next.isBlank() ? "" : "?next=" + java.net.URLEncoder.encode(next, java.nio.charset.StandardCharsets.UTF_8));
      }
      case SignIn.Refused r -> {
        model.addAttribute("error", r.message());
        model.addAttribute("email", email);
        model.addAttribute("signupEnabled", settings.signupEnabled());
        response.setStatus(401);
        yield "tenancy/login";
      }
    };
  }

  @GetMapping("/login/2fa")
  String secondFactorPage(HttpSession session) {
    return session.getAttribute(PENDING_SECOND_FACTOR) == null ? "redirect:/login" : "tenancy/login-2fa";
  }

  @PostMapping("/login/2fa")
  String secondFactor(@RequestParam(defaultValue = "") String code, @RequestParam(defaultValue = "") String next,
      HttpServletRequest request, HttpServletResponse response, Model model) {
    HttpSession session = request.getSession();
    Long userId = (Long) session.getAttribute(PENDING_SECOND_FACTOR);
    if (userId == null) return "redirect:/login";
    return switch (signIn.secondFactor(userId, code, request.getRemoteAddr(), request.getHeader("User-Agent"))) {
      case SignIn.Accepted a -> {
        session.removeAttribute(PENDING_SECOND_FACTOR);
        sessions.signIn(a.user().principal(), request, response);
        yield "redirect:" + safeNext(next);
      }
      case SignIn.Refused r -> {
        model.addAttribute("error", r.message());
        response.setStatus(401);
        yield "tenancy/login-2fa";
      }
      case SignIn.SecondFactorNeeded s -> "redirect:/login";
    };
  }

  /** Only local paths: an open redirect after sign-in would help phishing. */
  static String safeNext(String next) {
    return next != null && next.startsWith("/") && !next.startsWith("//") && !next.contains("\\") ? next : "/dashboard";
  }

  // ---- first start -------------------------------------------------------------------------

  @GetMapping("/setup")
  String setupPage(@RequestParam(defaultValue = "") String token, Model model) {
    if (!accounts.setupTokenValid(token)) {
      model.addAttribute("invalid", true);
      return "tenancy/setup";
    }
    model.addAttribute("token", token);
    model.addAttribute("minimumAge", settings.minimumAge());
    return "tenancy/setup";
  }

  @PostMapping("/setup")
  String setup(@RequestParam(defaultValue = "") String token, PersonForm form, @RequestParam(defaultValue = "") String organizationName,
      HttpServletRequest request, HttpServletResponse response, Model model) {
    try {
      Users.User user = accounts.completeSetup(token, form.toPerson(), organizationName, request.getRemoteAddr());
      sessions.signIn(user.principal(), request, response);
      return "redirect:/dashboard";
    } catch (Refused p) {
      Forms.refused(p, model, response);
      model.addAllAttributes(Map.of("token", token, "form", form, "organizationName", organizationName,
          "minimumAge", settings.minimumAge()));
      if ("token".equals(p.field())) model.addAttribute("invalid", true);
      return "tenancy/setup";
    }
  }

  // ---- sign-up -----------------------------------------------------------------------------

  @GetMapping("/signup")
  String signupPage(Model model) {
    model.addAttribute("signupEnabled", settings.signupEnabled());
    model.addAttribute("minimumAge", settings.minimumAge());
    return "tenancy/signup";
  }

  @PostMapping("/signup")
  String signup(PersonForm form, @RequestParam(defaultValue = "") String organizationName, HttpServletRequest request,
      HttpServletResponse response, Model model) {
    try {
      accounts.signUp(form.toPerson(), organizationName, request.getRemoteAddr());
      // The same page whether the address was new, had an account, or hit the limit: only the mail differs.
      model.addAttribute("sent", true);
      model.addAttribute("sentTo", form.email().trim());
      return "tenancy/signup";
    } catch (Refused p) {
      Forms.refused(p, model, response);
      model.addAllAttributes(Map.of("form", form, "organizationName", organizationName, "signupEnabled", settings.signupEnabled(),
          "minimumAge", settings.minimumAge()));
      return "tenancy/signup";
    }
  }

  @GetMapping("/signup/confirm")
  String signupConfirmPage(@RequestParam(defaultValue = "") String token, Model model) {
    model.addAttribute("token", token);
    model.addAttribute("invalid", !accounts.signUpTokenValid(token));
    return "tenancy/signup-confirm";
  }

  /** A POST, not the GET of the mailed link: mail scanners follow links, and must not confirm anything. */
  @PostMapping("/signup/confirm")
  String confirmSignup(@RequestParam(defaultValue = "") String token, HttpServletRequest request, HttpServletResponse response,
      Model model) {
    try {
      Users.User user = accounts.confirmSignUp(token, request.getRemoteAddr());
      sessions.signIn(user.principal(), request, response);
      return "redirect:/dashboard";
    } catch (Refused p) {
      Forms.refused(p, model, response);
      model.addAttribute("invalid", true);
      return "tenancy/signup-confirm";
    }
  }

  // ---- password reset ----------------------------------------------------------------------

  @GetMapping("/password/forgot")
  String forgotPage() {
    return "tenancy/password-forgot";
  }

  @PostMapping("/password/forgot")
  String forgot(@RequestParam(defaultValue = "") String email, HttpServletRequest request, Model model) {
    accounts.requestPasswordReset(email, request.getRemoteAddr());
    model.addAttribute("sent", true);
    return "tenancy/password-forgot";
  }

  @GetMapping("/password/reset")
  String resetPage(@RequestParam(defaultValue = "") String token, Model model) {
    model.addAttribute("token", token);
    model.addAttribute("invalid", !accounts.resetTokenValid(token));
    return "tenancy/password-reset";
  }

  @PostMapping("/password/reset")
  String reset(@RequestParam(defaultValue = "") String token, @RequestParam(defaultValue = "") String password,
      HttpServletRequest request, HttpServletResponse response, Model model) {
    try {
      Users.User user = accounts.resetPassword(token, password, request.getRemoteAddr());
      sessions.revokeAllExcept(user.id(), null);
      return "redirect:/login?reset";
    } catch (Refused p) {
      Forms.refused(p, model, response);
      model.addAllAttributes(Map.of("token", token, "invalid", "token".equals(p.field())));
      return "tenancy/password-reset";
    }
  }

  // ---- invitations -------------------------------------------------------------------------

  @GetMapping("/invitations/accept")
  String invitationPage(@RequestParam(defaultValue = "") String token, @AuthenticationPrincipal Object principal, Model model) {
    var pending = invitations.pending(token);
    model.addAttribute("token", token);
    model.addAttribute("invitation", pending.orElse(null));
    model.addAttribute("minimumAge", settings.minimumAge());
    pending.ifPresent(p -> model.addAttribute("accountExists", users.byEmail(p.email()).isPresent()));
    model.addAttribute("signedInAs", principal instanceof HeraldUser u ? u : null);
    return "tenancy/invitation";
  }

  @PostMapping("/invitations/accept")
  String acceptInvitation(@RequestParam(defaultValue = "") String token, PersonForm form, @AuthenticationPrincipal Object principal,
      HttpServletRequest request, HttpServletResponse response, Model model) {
    var pending = invitations.pending(token);
    try {
      Users.User user;
      if (principal instanceof HeraldUser signedIn) {
        user = users.byId(signedIn.id()).orElseThrow();
      } else {
        String email = pending.map(Invitations.Pending::email).orElse("");
        user = accounts.createPerson(form.toPerson(email), request.getRemoteAddr());
      }
      Invitations.Pending accepted = invitations.accept(token, user, request.getRemoteAddr());
      if (!(principal instanceof HeraldUser)) sessions.signIn(user.principal(), request, response);
      return "redirect:/o/" + slugOf(accepted.organizationId());
    } catch (Refused p) {
      Forms.refused(p, model, response);
      model.addAllAttributes(Map.of("token", token, "form", form, "minimumAge", settings.minimumAge()));
      model.addAttribute("invitation", pending.orElse(null));
      model.addAttribute("signedInAs", principal instanceof HeraldUser u ? u : null);
      return "tenancy/invitation";
    }
  }

  private String slugOf(long orgId) {
    return organizations.byId(orgId).map(Organizations.Organization::slug).orElse("");
  }

  /** The fields a person fills in to get an account. */
  record PersonForm(String email, String displayName, String password, Boolean ageConfirmed, Boolean termsAccepted) {
    Accounts.NewPerson toPerson() {
      return toPerson(email == null ? "" : email);
    }

    /** An unticked checkbox is simply absent from the form: absent means "no". */
    Accounts.NewPerson toPerson(String address) {
      return new Accounts.NewPerson(address, displayName, password, Boolean.TRUE.equals(ageConfirmed), Boolean.TRUE.equals(termsAccepted));
    }
  }
}
