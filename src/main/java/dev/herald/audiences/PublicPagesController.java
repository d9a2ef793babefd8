package dev.herald.audiences;

import dev.herald.platform.Forms;
import dev.herald.platform.Refusal;
import dev.herald.platform.Refused;
import dev.herald.tenancy.Organizations;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
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
  private final MailingLists lists;
  private final Subscribers subscribers;
  private final DoubleOptIn doubleOptIn;
  private final FormAttempts attempts;
  private final CustomFields fields;
  private final Organizations organizations;

  PublicPagesController(MailingLists lists, Subscribers subscribers, DoubleOptIn doubleOptIn, FormAttempts attempts,
      CustomFields fields, Organizations organizations) {
    this.fields = fields;
    this.organizations = organizations;
    this.lists = lists;
    this.subscribers = subscribers;
    this.doubleOptIn = doubleOptIn;
    this.attempts = attempts;
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

  /** {@code publicId} is the list's random public id: list ids are a sequence anyone could walk. */
  @GetMapping("/p/subscribe/{publicId}")
  String form(@PathVariable String publicId, Model model) {
    PublicList list = publicList(publicId);
    model.addAttribute("list", list);
    model.addAttribute("consentText", consentText(list));
    return "audiences/public-subscribe";
  }

  /**
   * Answers every sign-up the same way, whatever the address's state (new, waiting, subscribed, unsubscribed,
   * bounced, complained, suppressed, erased): anyone can type any address, so the answer must not tell them
   * anything about it. Only the confirmation mail (or none) differs, and it goes to the address's owner. The
   * page varies with the list alone: "check your inbox" on a double opt-in list, on a single opt-in list a
   * thank-you that says a mail may ask the person to confirm (someone who withdrew before must).
   */
  @PostMapping("/p/subscribe/{publicId}")
  String subscribe(@PathVariable String publicId, @RequestParam(defaultValue = "") String email, @RequestParam(defaultValue = "") String name,
      @RequestParam(defaultValue = "") String website, @RequestParam(defaultValue = "false") boolean consent,
      HttpServletRequest request, HttpServletResponse response, Model model) {
    PublicList list = publicList(publicId);
    model.addAttribute("list", list);
    model.addAttribute("consentText", consentText(list));
    model.addAttribute("email", email);
    model.addAttribute("name", name);
    if (!attempts.allow(request.getRemoteAddr())) {
      response.setStatus(HttpStatus.TOO_MANY_REQUESTS.value());
      model.addAttribute("errors", Map.of("form", "Too many sign-ups from your network. Try again in a few minutes."));
      return "audiences/public-subscribe";
    }
    // A filled honeypot is a bot: answer as if it worked, store nothing.
    if (!website.isBlank()) return "audiences/public-subscribed";
    try {
      // Only what the visitor typed can be refused here (a missing tick, an address that is not one, a long name).
      if (!consent) throw Refused.invalid("consent", "Tick the box to say you want to receive these emails.");
      // An anonymous visitor may add a person but not rename one who exists (anyone can type any address).
      boolean known = subscribers.findByEmail(list.organizationId(), email).isPresent();
      subscribers.subscribeByForm(list.organizationId(), new Subscribers.Input(email, known || name.isBlank() ? null : name, null, null),
          list.id(), new Consent.Evidence(ConsentChannel.FORM, "list-form:" + list.id(), consentText(list), null, request.getRemoteAddr(),
              request.getHeader("User-Agent")));
    } catch (Subscribers.SuppressedSignUp suppressed) {
      // Nothing was stored and no mail goes out; the answer is the one everybody gets.
    } catch (Refused p) {
      Forms.refused(p, model, response);
      return "audiences/public-subscribe";
    }
    return "audiences/public-subscribed";
  }

  // ---- double opt-in -----------------------------------------------------------------------

  /**
   * What a confirmation link's holder sees: {@code pending} (a button), {@code confirmed} (just now),
   * {@code already} (confirmed before: a used link), {@code gone} (no longer waiting: unsubscribed since, or
   * removed), {@code expired} (with a button for a new link), {@code renewed} or {@code limited} (after asking
   * for one), {@code invalid}.
   */
  private static final String CONFIRM_PAGE = "audiences/public-confirm";

  /** Shows a button rather than confirming on GET: mail scanners open links, people press buttons. */
  @GetMapping("/p/confirm")
  String confirmPage(@RequestParam(defaultValue = "") String token, HttpServletResponse response, Model model) {
    model.addAttribute("token", token);
    Optional<DoubleOptIn.Confirmation> valid = doubleOptIn.confirmation(token);
    if (valid.isPresent()) {
      DoubleOptIn.Confirmation c = about(valid.get(), model);
      boolean waiting = subscribers.statusOn(c.subscriberId(), c.listId()).orElse(null) == SubscriptionStatus.UNCONFIRMED;
      return confirmState(waiting ? "pending" : notWaiting(c), model);
    }
    Optional<DoubleOptIn.Confirmation> expired = doubleOptIn.expiredConfirmation(token);
    if (expired.isPresent()) {
      about(expired.get(), model);
      response.setStatus(HttpStatus.GONE.value());
      return confirmState("expired", model);
    }
    response.setStatus(422);
    return confirmState("invalid", model);
  }

  /** Confirms with a valid link; with an expired one and {@code renew}, mails a new link if the subscription still waits. */
  @PostMapping("/p/confirm")
  String confirm(@RequestParam(defaultValue = "") String token, @RequestParam(defaultValue = "false") boolean renew,
      HttpServletResponse response, Model model) {
    Optional<DoubleOptIn.Confirmation> valid = doubleOptIn.confirmation(token);
    if (valid.isPresent()) {
      DoubleOptIn.Confirmation c = about(valid.get(), model);
      if (subscribers.confirm(c.organizationId(), c.subscriberId(), c.listId())) {
        model.addAttribute("preferencesLink", doubleOptIn.preferencesLink(c.organizationId(), c.subscriberId()));
        return confirmState("confirmed", model);
      }
      return confirmState(notWaiting(c), model);
    }
    Optional<DoubleOptIn.Confirmation> expired = doubleOptIn.expiredConfirmation(token);
    if (expired.isPresent() && renew) {
      DoubleOptIn.Confirmation c = about(expired.get(), model);
      try {
        subscribers.resendConfirmation(c.organizationId(), c.subscriberId(), c.listId());
        return confirmState("renewed", model);
      } catch (Refused refused) {
        // Limited: three mails today. Otherwise the subscription stopped waiting (Conflict) or is gone with its
        // list (NotFound) since the link was mailed: say which, rather than "try tomorrow".
        return confirmState(refused.refusal() instanceof Refusal.Limited ? "limited" : notWaiting(c), model);
      }
    }
    return confirmPage(token, response, model);
  }

  /** The link's organization (404 while suspended: its hosted pages are gone) and list, for the page to name. */
  private DoubleOptIn.Confirmation about(DoubleOptIn.Confirmation c, Model model) {
    model.addAttribute("organizationName", organizations.activeName(c.organizationId())
        .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND)));
    lists.basic(c.organizationId(), c.listId()).ifPresent(l -> model.addAttribute("listName", l.name()));
    return c;
  }

  /** A link whose subscription no longer waits: confirmed before ({@code already}), or unsubscribed or removed since. */
  private String notWaiting(DoubleOptIn.Confirmation c) {
    return subscribers.statusOn(c.subscriberId(), c.listId()).orElse(null) == SubscriptionStatus.SUBSCRIBED ? "already" : "gone";
  }

  private static String confirmState(String state, Model model) {
    model.addAttribute("state", state);
    return CONFIRM_PAGE;
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
    model.addAttribute("organizationName", organizations.name(p.get().organizationId()).orElse(null));
    model.addAttribute("token", token);
    model.addAttribute("subscriber", s.get());
    model.addAttribute("editableFields", editableFields(p.get().organizationId()));
    return "audiences/public-preferences";
  }

  // ---- helpers -----------------------------------------------------------------------------

  record PublicList(long id, String publicId, long organizationId, String name, String description, String organizationName,
      OptIn optin) {}

  /** A public list of an organization that is not suspended, or 404 (a numeric list id is never a public id). */
  private PublicList publicList(String publicId) {
    return lists.findPublic(publicId)
        .flatMap(h -> organizations.activeName(h.organizationId()).map(organizationName -> new PublicList(h.list().id(),
            h.list().publicId(), h.organizationId(), h.list().name(), h.list().description(), organizationName, h.list().optin())))
        .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
  }

  static String consentText(PublicList list) {
    return "Yes, send me " + list.name() + " by email from " + list.organizationName()
        + ". I can unsubscribe at any time with the link in every email.";
  }
}
