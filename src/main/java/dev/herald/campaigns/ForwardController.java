package dev.herald.campaigns;

import dev.herald.platform.Forms;
import dev.herald.platform.HeraldProperties;
import dev.herald.platform.PublicAttempts;
import dev.herald.platform.Refusal;
import dev.herald.platform.Refused;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The forward-to-a-friend page ({@code forward_url}, {@link Forwards}) on the public origin. {@code GET} shows a form
 * for the friend's address and sends nothing (mail scanners open links). {@code POST} sends, when it carries the page's
 * form token for the same link ({@link ForwardLinks#formToken}) and does not come from another site (Origin,
 * Sec-Fetch-Site): the page sets no cookie, so these stand for a CSRF token. A filled honeypot is answered as sent and
 * sends nothing. States: {@code ask}, {@code sent}, {@code used} (no forwards left), {@code invalid} (a link that is not
 * one, has expired, or whose campaign or row is gone), {@code expired} (the form was left open too long). One network
 * may ask for {@link #PER_NETWORK} forwards in {@link #PER_NETWORK_WINDOW}, over all links (429 beyond).
 */
@Controller
class ForwardController {
  static final String PAGE = "campaigns/public-forward";
  /** Forwards one network may ask for in {@link #PER_NETWORK_WINDOW}, over all links (each link allows a few). */
  static final int PER_NETWORK = 20;
  static final Duration PER_NETWORK_WINDOW = Duration.ofMinutes(10);

  private final ForwardLinks links;
  private final Forwards forwards;
  private final HeraldProperties properties;
  private final PublicAttempts attempts;

  ForwardController(ForwardLinks links, Forwards forwards, HeraldProperties properties, PublicAttempts attempts) {
    this.links = links;
    this.forwards = forwards;
    this.properties = properties;
    this.attempts = attempts;
  }

  /** Like the other hosted pages: tracks nobody (no cookie, no pixel), says so (Tk: N), whatever DNT or GPC say. */
  @ModelAttribute
  void notTracking(HttpServletResponse response) {
    response.setHeader("Tk", "N");
  }

  @GetMapping("/p/forward")
  String page(@RequestParam(defaultValue = "") String token, HttpServletResponse response, Model model) {
    Optional<ForwardLinks.Forwarder> forwarder = links.open(token);
    Optional<Forwards.Page> page = forwarder.flatMap(forwards::page);
    if (page.isEmpty()) return invalid(response, model);
    return ask(token, forwarder.get(), page.get(), model);
  }

  @PostMapping("/p/forward")
  String forward(@RequestParam(defaultValue = "") String token, @RequestParam(defaultValue = "") String form,
      @RequestParam(defaultValue = "") String email, @RequestParam(defaultValue = "") String website, HttpServletRequest request,
      HttpServletResponse response, Model model) {
    if (crossSite(request)) {
      response.setStatus(HttpServletResponse.SC_FORBIDDEN);
      model.addAttribute("state", "invalid");
      return PAGE;
    }
    Optional<ForwardLinks.Forwarder> forwarder = links.open(token);
    Optional<Forwards.Page> page = forwarder.flatMap(forwards::page);
    if (page.isEmpty()) return invalid(response, model);
    ForwardLinks.Forwarder f = forwarder.get();
    Forwards.Page p = page.get();
    model.addAttribute("organizationName", p.organizationName());
    model.addAttribute("subject", p.subject());
    if (!links.formFits(form, f)) {
      response.setStatus(422);
      model.addAttribute("email", email);
      model.addAttribute("errors", Map.of("form", "This form was open too long. It is ready again: send it once more."));
      return ask(token, f, p, model);
    }
    // A bot filled the field people do not see: it is told it worked, and nothing is sent.
    if (!website.isBlank()) return sent(model, p.left() - 1);
    // Each link forwards a few times only; this bounds one network holding many links (a leaked list of them).
    if (!attempts.allow("forward", request.getRemoteAddr(), PER_NETWORK, PER_NETWORK_WINDOW)) {
      response.setStatus(429);
      response.setHeader("Retry-After", String.valueOf(PER_NETWORK_WINDOW.toSeconds()));
      model.addAttribute("email", email);
      model.addAttribute("errors", Map.of("email", "Too many forwards from your network. Try again in a while."));
      return ask(token, f, p, model);
    }
    try {
      forwards.forward(f, email);
    } catch (Refused refused) {
      if (refused.refusal() instanceof Refusal.NotFound) return invalid(response, model);
      if (refused.refusal() instanceof Refusal.Limited) {
        response.setStatus(429);
        model.addAttribute("state", "used");
        return PAGE;
      }
      Forms.refused(refused, model, response);
      model.addAttribute("email", email);
      return ask(token, f, p, model);
    }
    return sent(model, p.left() - 1);
  }

  private String ask(String token, ForwardLinks.Forwarder f, Forwards.Page p, Model model) {
    model.addAttribute("organizationName", p.organizationName());
    model.addAttribute("subject", p.subject());
    if (p.left() <= 0) {
      model.addAttribute("state", "used");
      return PAGE;
    }
    model.addAttribute("state", "ask");
    model.addAttribute("token", token);
    model.addAttribute("form", links.formToken(f));
    model.addAttribute("left", p.left());
    return PAGE;
  }

  private static String sent(Model model, int left) {
    model.addAttribute("state", "sent");
    model.addAttribute("left", Math.max(0, left));
    return PAGE;
  }

  private static String invalid(HttpServletResponse response, Model model) {
    response.setStatus(404);
    model.addAttribute("state", "invalid");
    return PAGE;
  }

  /**
   * A POST another site's page made: its Origin is not the public origin, or the browser says it is cross-site. A
   * request without either (an old browser, a script) still needs the form token, which only this page hands out.
   */
  private boolean crossSite(HttpServletRequest request) {
    String site = request.getHeader("Sec-Fetch-Site");
    // Set by the browser, never by a page: when present it is the answer (a proxy may have changed Host and scheme).
    if (site != null) return !(site.equals("same-origin") || site.equals("none"));
    String origin = request.getHeader("Origin");
    if (origin == null || origin.equals("null")) return origin != null;
    java.net.URI publicUrl = properties.publicUrl();
    String ours = publicUrl.getScheme() + "://" + publicUrl.getRawAuthority();
    String requested = request.getScheme() + "://" + request.getHeader("Host");
    return !origin.equalsIgnoreCase(ours) && !origin.equalsIgnoreCase(requested);
  }
}
