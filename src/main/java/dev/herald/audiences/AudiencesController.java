package dev.herald.audiences;

import dev.herald.platform.OnRefused;
import dev.herald.platform.Refused;
import dev.herald.platform.HeraldProperties;
import dev.herald.platform.PanelController;
import dev.herald.platform.Text;
import dev.herald.platform.TextEnum;
import dev.herald.platform.Words;
import dev.herald.tenancy.HeraldUser;
import dev.herald.tenancy.OrganizationContext;
import dev.herald.tenancy.Permission;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** Panel pages: lists, a list's subscribers and form snippet, subscribers, a subscriber, custom fields. */
@PanelController
class AudiencesController {
  private static final int PAGE_SIZE = 50;
  /** The subscriber's page lists their newest campaigns; the campaign pages have the rest. */
  static final int SENT_CAMPAIGNS_SHOWN = 20;
  private final MailingLists lists;
  private final CustomFields fields;
  private final Subscribers subscribers;
  private final Consent consent;
  private final HeraldProperties properties;
  private final Segments segments;
  private final BulkActions bulkActions;
  private final ObjectProvider<SentCampaigns> sentCampaigns;
  private final ObjectProvider<ProcessingLimits> processingLimits;

  AudiencesController(MailingLists lists, CustomFields fields, Subscribers subscribers, Consent consent, HeraldProperties properties,
      Segments segments, BulkActions bulkActions, ObjectProvider<SentCampaigns> sentCampaigns,
      ObjectProvider<ProcessingLimits> processingLimits) {
    this.sentCampaigns = sentCampaigns;
    this.processingLimits = processingLimits;
    this.segments = segments;
    this.bulkActions = bulkActions;
    this.lists = lists;
    this.fields = fields;
    this.subscribers = subscribers;
    this.consent = consent;
    this.properties = properties;
  }

  // ---- lists -------------------------------------------------------------------------------

  @GetMapping("/o/{org}/lists")
  String lists(OrganizationContext org, Model model) {
    model.addAttribute("lists", lists.list(org.id()));
    // After a refused create, the form shows what was typed (flashed as "values", see OnRefused).
    if (model.getAttribute("values") instanceof Map<?, ?> submitted) model.addAttribute("listForm", ListFormFields.of(submitted));
    return "audiences/lists";
  }

  @PostMapping("/o/{org}/lists")
  @OnRefused("/o/{org}/lists")
  String createList(OrganizationContext org, ListFormFields form, RedirectAttributes flash) {
    MailingLists.MailingList list = lists.create(org.id(), form.toForm());
    flash.addFlashAttribute("notice", "List " + list.name() + " created.");
    return "redirect:/o/" + org.slug() + "/lists/" + list.id();
  }

  @GetMapping("/o/{org}/lists/{id}")
  String list(OrganizationContext org, @PathVariable long id, @RequestParam(defaultValue = "") String q,
      @RequestParam(defaultValue = "") String status, @RequestParam(defaultValue = "0") int page, Model model) {
    MailingLists.MailingList list = lists.find(org.id(), id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
    model.addAttribute("list", list);
    model.addAttribute("page", subscribers.search(org.id(), q, id, TextEnum.parse(SubscriptionStatus.class, "status", status), Math.max(0, page), PAGE_SIZE));
    model.addAttribute("q", q);
    model.addAttribute("status", status);
    model.addAttribute("statuses", SubscriptionStatus.values());
    model.addAttribute("formUrl", properties.publicLink("/p/subscribe/" + list.publicId()));
    return "audiences/list";
  }

  @PostMapping("/o/{org}/lists/{id}")
  @OnRefused("/o/{org}/lists/{id}")
  String updateList(OrganizationContext org, @PathVariable long id, ListFormFields form, RedirectAttributes flash) {
    lists.basic(org.id(), id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
    lists.update(org.id(), id, form.toForm()).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
    flash.addFlashAttribute("notice", "List saved.");
    return "redirect:/o/" + org.slug() + "/lists/" + id;
  }

  @PostMapping("/o/{org}/lists/{id}/delete")
  String deleteList(OrganizationContext org, @PathVariable long id, RedirectAttributes flash) {
    if (!lists.delete(org.id(), id)) throw new ResponseStatusException(HttpStatus.NOT_FOUND);
    flash.addFlashAttribute("notice", "List deleted.");
    return "redirect:/o/" + org.slug() + "/lists";
  }

  /** The list form's fields as the panel posts them (tags comma-separated). */
  record ListFormFields(String name, String description, String visibility, String optin, String defaultFromName,
      String defaultFromEmail, String tags) implements java.io.Serializable {
    static ListFormFields of(Map<?, ?> v) {
      return new ListFormFields((String) v.get("name"), (String) v.get("description"), (String) v.get("visibility"),
          (String) v.get("optin"), (String) v.get("defaultFromName"), (String) v.get("defaultFromEmail"), (String) v.get("tags"));
    }

    MailingLists.ListForm toForm() {
      return new MailingLists.ListForm(name, description, visibility, optin, defaultFromName, defaultFromEmail, Tags.parse(tags));
    }
  }

  // ---- subscribers -------------------------------------------------------------------------

  @GetMapping("/o/{org}/subscribers")
  String subscribers(OrganizationContext org, @RequestParam(defaultValue = "") String q,
      @RequestParam(required = false) Long list, @RequestParam(defaultValue = "") String status,
      @RequestParam(defaultValue = "0") int page, Model model) {
    model.addAttribute("page", subscribers.search(org.id(), q, list, TextEnum.parse(SubscriptionStatus.class, "status", status), Math.max(0, page), PAGE_SIZE));
    model.addAttribute("q", q);
    model.addAttribute("listId", list);
    model.addAttribute("status", status);
    model.addAttribute("statuses", SubscriptionStatus.values());
    model.addAttribute("lists", lists.names(org.id()));
    model.addAttribute("fields", fields.list(org.id()));
    model.addAttribute("segments", segments.list(org.id()));
    return "audiences/subscribers";
  }

  @PostMapping("/o/{org}/subscribers")
  @OnRefused("/o/{org}/subscribers")
  String addSubscriber(OrganizationContext org, @AuthenticationPrincipal HeraldUser me,
      @RequestParam(defaultValue = "") String email, @RequestParam(defaultValue = "") String name,
      @RequestParam(required = false) List<Long> lists, @RequestParam(defaultValue = "subscribed") String status,
      @RequestParam(defaultValue = "") String basis, HttpServletRequest request, RedirectAttributes flash) {
    if (basis.isBlank()) throw Refused.invalid("basis", "Say how this person gave consent (e.g. signed up at our shop counter).");
    Text.requireNoControls("basis", basis);
    long id = subscribers.addToLists(org.id(), new Subscribers.Input(email, name, null, null), lists,
        TextEnum.parse(SubscriptionStatus.class, "status", status), Consent.Evidence.panel(me.email(), basis.trim(), request.getRemoteAddr()), "panel");
    flash.addFlashAttribute("notice", "Subscriber saved.");
    return "redirect:/o/" + org.slug() + "/subscribers/" + id;
  }

  @PostMapping("/o/{org}/subscribers/bulk")
  @OnRefused("/o/{org}/subscribers")
  String bulk(OrganizationContext org, @AuthenticationPrincipal HeraldUser me,
      @RequestParam(defaultValue = "selected") String target, @RequestParam(required = false) List<Long> ids,
      @RequestParam(required = false) Long segmentId, @RequestParam(defaultValue = "") String action,
      @RequestParam(required = false) Long listId, @RequestParam(defaultValue = "") String tag,
      @RequestParam(defaultValue = "") String basis, HttpServletRequest request, RedirectAttributes flash) {
    boolean bySegment = target.equals("segment");
    // The service's refusals name the API's fields; the form says it in its own words first.
    if (bySegment && (segmentId == null || segments.find(org.id(), segmentId).isEmpty())) {
      throw Refused.invalid("who", "Choose a segment.");
    }
    if (!bySegment && (ids == null || ids.isEmpty())) {
      throw Refused.invalid("who", "Tick the subscribers in the table first, or choose everyone in a segment.");
    }
    long affected = bulkActions.apply(org.id(), new BulkActions.Request(action, bySegment ? null : ids, bySegment ? segmentId : null,
        listId, tag, basis), me.email(), request.getRemoteAddr());
    flash.addFlashAttribute("notice", Words.count(affected, "subscriber", "subscribers") + " changed.");
    return "redirect:/o/" + org.slug() + "/subscribers";
  }

  @GetMapping("/o/{org}/subscribers/{id}")
  String subscriber(OrganizationContext org, @PathVariable long id, Model model) {
    Subscribers.Subscriber s = subscribers.find(org.id(), id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
    model.addAttribute("subscriber", s);
    model.addAttribute("fields", fields.list(org.id()));
    model.addAttribute("lists", lists.names(org.id()));
    model.addAttribute("consents", consent.of(org.id(), id));
    ProcessingLimits limits = processingLimits.getIfAvailable();
    model.addAttribute("limits", limits == null ? List.of() : limits.of(org.id(), s.email()));
    SentCampaigns sent = sentCampaigns.getIfAvailable();
    if (sent != null && org.can(Permission.CAMPAIGNS_READ)) model.addAttribute("campaignsSent", sent.to(org.id(), id, SENT_CAMPAIGNS_SHOWN));
    return "audiences/subscriber";
  }

  @PostMapping("/o/{org}/subscribers/{id}")
  @OnRefused("/o/{org}/subscribers/{id}")
  String updateSubscriber(OrganizationContext org, @PathVariable long id, HttpServletRequest request,
      RedirectAttributes flash) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (CustomFields.Field f : fields.list(org.id())) values.put(f.key(), request.getParameter("field." + f.key()));
    if (!subscribers.update(org.id(), id, request.getParameter("name"), values, Tags.parse(request.getParameter("tags")))) {
      throw new ResponseStatusException(HttpStatus.NOT_FOUND);
    }
    flash.addFlashAttribute("notice", "Subscriber saved.");
    return "redirect:/o/" + org.slug() + "/subscribers/" + id;
  }

  @PostMapping("/o/{org}/subscribers/{id}/lists")
  @OnRefused("/o/{org}/subscribers/{id}")
  String changeSubscription(OrganizationContext org, @AuthenticationPrincipal HeraldUser me,
      @PathVariable long id, @RequestParam(defaultValue = "0") long listId, @RequestParam(defaultValue = "") String action,
      @RequestParam(defaultValue = "") String basis, HttpServletRequest request, RedirectAttributes flash) {
    subscribers.find(org.id(), id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
    switch (action) {
      case "subscribe" -> {
        if (basis.isBlank()) throw Refused.invalid("basis", "Say how this person gave consent.");
        subscribers.subscribe(org.id(), id, listId, SubscriptionStatus.SUBSCRIBED, Consent.Evidence.panel(me.email(), basis.trim(), request.getRemoteAddr()));
      }
      case "unsubscribe" -> subscribers.unsubscribe(org.id(), id, listId, "panel");
      case "remove" -> subscribers.removeFromList(org.id(), id, listId);
      case "resend" -> subscribers.resendConfirmation(org.id(), id, listId);
      default -> throw Refused.invalid("action", "Choose subscribe, unsubscribe, remove or resend.");
    }
    flash.addFlashAttribute("notice", "Subscription updated.");
    return "redirect:/o/" + org.slug() + "/subscribers/" + id;
  }

  @PostMapping("/o/{org}/subscribers/{id}/delete")
  String deleteSubscriber(OrganizationContext org, @PathVariable long id, RedirectAttributes flash) {
    if (!subscribers.delete(org.id(), id)) throw new ResponseStatusException(HttpStatus.NOT_FOUND);
    flash.addFlashAttribute("notice", "Subscriber deleted.");
    return "redirect:/o/" + org.slug() + "/subscribers";
  }

  // POST /o/{org}/subscribers/{id}/erase (right to erasure, needs privacy:write and a ticked confirmation) is served by
  // privacy (PrivacyRequestsController): the erasure reaches every capability through the personal-data map.

  // ---- custom fields -----------------------------------------------------------------------

  @GetMapping("/o/{org}/fields")
  String fields(OrganizationContext org, Model model) {
    model.addAttribute("fields", fields.list(org.id()));
    model.addAttribute("types", CustomFields.TYPES);
    return "audiences/fields";
  }

  @PostMapping("/o/{org}/fields")
  @OnRefused("/o/{org}/fields")
  String createField(OrganizationContext org, @RequestParam(defaultValue = "") String key,
      @RequestParam(defaultValue = "") String label, @RequestParam(defaultValue = "") String type,
      @RequestParam(defaultValue = "") String choices, @RequestParam(defaultValue = "false") boolean subscriberEditable,
      RedirectAttributes flash) {
    fields.create(org.id(), key, label, type, Tags.parse(choices), subscriberEditable);
    flash.addFlashAttribute("notice", "Field created.");
    return "redirect:/o/" + org.slug() + "/fields";
  }

  @PostMapping("/o/{org}/fields/{id}")
  @OnRefused(value = "/o/{org}/fields#field-{id}", errorKey = "field-{id}")
  String updateField(OrganizationContext org, @PathVariable long id, @RequestParam(defaultValue = "") String label,
      @RequestParam(required = false) String choices, @RequestParam(defaultValue = "false") boolean subscriberEditable,
      RedirectAttributes flash) {
    CustomFields.Field f = fields.find(org.id(), id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
    fields.update(org.id(), id, label, f.type().equals("choice") && choices != null ? Tags.parse(choices) : null, subscriberEditable);
    flash.addFlashAttribute("notice", "Field " + f.key() + " saved.");
    return "redirect:/o/" + org.slug() + "/fields#field-" + id;
  }

  @PostMapping("/o/{org}/fields/{id}/delete")
  String deleteField(OrganizationContext org, @PathVariable long id, RedirectAttributes flash) {
    if (!fields.delete(org.id(), id)) throw new ResponseStatusException(HttpStatus.NOT_FOUND);
    flash.addFlashAttribute("notice", "Field deleted.");
    return "redirect:/o/" + org.slug() + "/fields";
  }
}
