package dev.herald.audiences;

import dev.herald.platform.Forms;
import dev.herald.platform.Refused;
import dev.herald.tenancy.Organizations;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;

/**
 * Hosted pages for subscribers (no account, no cookies, no tracking): the subscription form of a
 * public list, confirming a double opt-in, and the preference centre reached by a signed link.
 * The forms carry no CSRF token (that would need a session cookie); the subscription form is
 * guarded by a honeypot and a per-address rate limit, the others by their signed token.
 * An organization the operator suspended collects nothing: its subscription forms and confirmation links
 * answer 404. Its preference centre stays open, so that people can still unsubscribe and see their data.
 */
@Controller
class PublicPagesController {
  static final int FORM_LIMIT_PER_ADDRESS = 10;
  static final Duration FORM_WINDOW = Duration.ofMinutes(10);
  private final MailingLists lists;
  private final Subscribers subscribers;
  private final DoubleOptIn doubleOptIn;
  private final Consent consents;
  private final Clock clock;
  private final CustomFields fields;
  private final Organizations organizations;

  PublicPagesController(MailingLists lists, Subscribers subscribers, DoubleOptIn doubleOptIn, Consent consents, Clock clock,
      CustomFields fields, Organizations organizations) {
    this.fields = fields;
    this.organizations = organizations;
    this.lists = lists;
    this.subscribers = subscribers;
    this.doubleOptIn = doubleOptIn;
    this.consents = consents;
    this.clock = clock;
  }

  /**
   * Do Not Track: these pages track nobody (no cookie, no pixel, no third-party resource), whatever the visitor's
   * DNT setting, and say so with the W3C Tracking Status Value "N" (not tracking) on every response.
   */
  @org.springframework.web.bind.annotation.ModelAttribute
  void notTracking(HttpServletResponse response) {
    response.setHeader("Tk", "N");
  }

  // ---- subscription form -------------------------------------------------------------------

  @GetMapping("/p/subscribe/{listId}")
  String form(@PathVariable long listId, Model model) {
    PublicList list = publicList(listId);
    model.addAttribute("list", list);
    model.addAttribute("consentText", consentText(list));
    return "audiences/public-subscribe";
  }

  @PostMapping("/p/subscribe/{listId}")
  String subscribe(@PathVariable long listId, @RequestParam(defaultValue = "") String email, @RequestParam(defaultValue = "") String name,
      @RequestParam(defaultValue = "") String website, @RequestParam(defaultValue = "false") boolean consent,
      HttpServletRequest request, HttpServletResponse response, Model model) {
    PublicList list = publicList(listId);
    model.addAttribute("list", list);
    model.addAttribute("consentText", consentText(list));
    model.addAttribute("email", email);
    model.addAttribute("name", name);
    // A filled honeypot is a bot: answer as if it worked, store nothing.
    if (!website.isBlank()) return "audiences/public-subscribed";
    if (consents.formSignUpsFrom(request.getRemoteAddr(), clock.instant().minus(FORM_WINDOW)) >= FORM_LIMIT_PER_ADDRESS) {
      response.setStatus(HttpStatus.TOO_MANY_REQUESTS.value());
      model.addAttribute("errors", Map.of("form", "Too many sign-ups from your network. Try again in a few minutes."));
      return "audiences/public-subscribe";
    }
    try {
      if (!consent) throw Refused.invalid("consent", "Tick the box to say you want to receive these emails.");
      // An anonymous visitor may add a person but not rename one who exists (anyone can type any address).
      boolean known = subscribers.findByEmail(list.organizationId(), email).isPresent();
      SubscriptionStatus status;
      try {
        status = subscribers.subscribeByForm(list.organizationId(),
            new Subscribers.Input(email, known || name.isBlank() ? null : name, null, null), listId,
            new Consent.Evidence(ConsentChannel.FORM, "list-form:" + listId, consentText(list), null, request.getRemoteAddr(),
                request.getHeader("User-Agent")));
      } catch (Refused p) {
        // Never tell a visitor what another address's status is (bounced, complained): one neutral answer.
        if ("status".equals(p.field())) throw Refused.invalid("email", "This address cannot be subscribed to this list here.");
        throw p;
      } catch (Subscribers.SuppressedSignUp suppressed) {
        // Nothing was stored; answer like a sign-up that waits for confirmation, without saying why no mail comes.
        status = SubscriptionStatus.UNCONFIRMED;
      }
      model.addAttribute("needsConfirmation", status == SubscriptionStatus.UNCONFIRMED);
      return "audiences/public-subscribed";
    } catch (Refused p) {
      Forms.refused(p, model, response);
      return "audiences/public-subscribe";
    }
  }

  // ---- double opt-in -----------------------------------------------------------------------

  /** Shows a button rather than confirming on GET: mail scanners open links, people press buttons. */
  @GetMapping("/p/confirm")
  String confirmPage(@RequestParam(defaultValue = "") String token, HttpServletResponse response, Model model) {
    Optional<DoubleOptIn.Confirmation> c = doubleOptIn.confirmation(token);
    c.ifPresent(x -> requireActive(x.organizationId()));
    if (c.isEmpty()) response.setStatus(422);
    model.addAttribute("token", token);
    model.addAttribute("valid", c.isPresent());
    c.flatMap(x -> lists.basic(x.organizationId(), x.listId())).ifPresent(l -> model.addAttribute("listName", l.name()));
    return "audiences/public-confirm";
  }

  @PostMapping("/p/confirm")
  String confirm(@RequestParam(defaultValue = "") String token, HttpServletResponse response, Model model) {
    Optional<DoubleOptIn.Confirmation> c = doubleOptIn.confirmation(token);
    if (c.isEmpty()) {
      response.setStatus(422);
      model.addAttribute("valid", false);
      return "audiences/public-confirm";
    }
    DoubleOptIn.Confirmation x = c.get();
    requireActive(x.organizationId());
    subscribers.confirm(x.organizationId(), x.subscriberId(), x.listId());
    model.addAttribute("confirmed", true);
    model.addAttribute("valid", true);
    lists.basic(x.organizationId(), x.listId()).ifPresent(l -> model.addAttribute("listName", l.name()));
    model.addAttribute("preferencesLink", doubleOptIn.preferencesLink(x.organizationId(), x.subscriberId()));
    return "audiences/public-confirm";
  }

  // ---- preference centre -------------------------------------------------------------------

  @GetMapping("/p/preferences")
  String preferences(@RequestParam(defaultValue = "") String token, HttpServletResponse response, Model model) {
    return preferencesPage(token, response, model);
  }

  @PostMapping("/p/preferences")
  String savePreferences(@RequestParam(defaultValue = "") String token, @RequestParam(defaultValue = "") String name,
      @RequestParam(required = false) List<Long> subscribed, @RequestParam(defaultValue = "") String action,
      @RequestParam Map<String, String> form, HttpServletRequest request, HttpServletResponse response, Model model) {
    DoubleOptIn.Preferences p = doubleOptIn.preferences(token).orElse(null);
    if (p == null) return preferencesPage(token, response, model);
    Subscribers.Subscriber s = subscribers.find(p.organizationId(), p.subscriberId()).orElse(null);
    if (s == null) return preferencesPage(token, response, model);
    boolean leaving = "unsubscribe_all".equals(action);
    // Only the fields the organization lets subscribers edit are read from the form; anything else posted is ignored.
    Map<String, Object> values = new java.util.LinkedHashMap<>(s.fields());
    if (!leaving) {
      Map<String, String> posted = new java.util.LinkedHashMap<>();
      for (CustomFields.Field f : editableFields(p.organizationId())) posted.put(f.key(), form.getOrDefault("field." + f.key(), ""));
      try {
        values.putAll(fields.convert(fields.byKey(p.organizationId()), posted));
      } catch (Refused invalid) {
        Forms.refused(invalid, model, response);
        model.addAttribute("submitted", posted);
        return preferencesPage(token, response, model);
      }
    }
    List<Long> keep = leaving || subscribed == null ? List.of() : subscribed;
    for (Subscribers.Membership m : s.lists()) {
      boolean active = m.status().active();
      if (active && !keep.contains(m.listId())) subscribers.unsubscribe(p.organizationId(), s.id(), m.listId(), "preference centre");
      if (m.status() == SubscriptionStatus.UNSUBSCRIBED && keep.contains(m.listId())) {
        try {
          subscribers.subscribe(p.organizationId(), s.id(), m.listId(), SubscriptionStatus.SUBSCRIBED, new Consent.Evidence(ConsentChannel.FORM,
              "preference-centre", "Re-subscribed in the preference centre.", null, request.getRemoteAddr(), request.getHeader("User-Agent")));
        } catch (Subscribers.SuppressedSignUp suppressed) {
          // suppressed for a reason the person cannot lift here: the list stays as it was
        }
      }
    }
    if (!leaving) {
      String newName = name.isBlank() ? s.name() : name;
      if (!newName.equals(s.name()) || !values.equals(s.fields())) {
        subscribers.update(p.organizationId(), s.id(), newName, values, s.tags());
      }
    }
    model.addAttribute("notice", leaving ? "You are unsubscribed from every list." : "Your preferences are saved.");
    return preferencesPage(token, response, model);
  }

  private List<CustomFields.Field> editableFields(long orgId) {
    return fields.list(orgId).stream().filter(CustomFields.Field::subscriberEditable).toList();
  }

  private String preferencesPage(String token, HttpServletResponse response, Model model) {
    Optional<DoubleOptIn.Preferences> p = doubleOptIn.preferences(token);
    Optional<Subscribers.Subscriber> s = p.flatMap(x -> subscribers.find(x.organizationId(), x.subscriberId()));
    if (s.isEmpty()) {
      response.setStatus(404);
      model.addAttribute("valid", false);
      return "audiences/public-preferences";
    }
    model.addAttribute("valid", true);
    model.addAttribute("token", token);
    model.addAttribute("subscriber", s.get());
    model.addAttribute("editableFields", editableFields(p.get().organizationId()));
    return "audiences/public-preferences";
  }

  // ---- helpers -----------------------------------------------------------------------------

  record PublicList(long id, long organizationId, String name, String description, String organizationName, OptIn optin) {}

  /** A public list of an organization that is not suspended, or 404. */
  private PublicList publicList(long listId) {
    return lists.findPublic(listId)
        .flatMap(h -> organizations.activeName(h.organizationId()).map(organizationName -> new PublicList(h.list().id(),
            h.organizationId(), h.list().name(), h.list().description(), organizationName, h.list().optin())))
        .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
  }

  /** A suspended organization's hosted pages are gone until the operator resumes it. */
  private void requireActive(long organizationId) {
    if (organizations.isSuspended(organizationId)) throw new ResponseStatusException(HttpStatus.NOT_FOUND);
  }

  static String consentText(PublicList list) {
    return "Yes, send me " + list.name() + " by email from " + list.organizationName()
        + ". I can unsubscribe at any time with the link in every email.";
  }
}
