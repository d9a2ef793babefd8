package dev.herald.privacy;

import dev.herald.platform.OnRefused;
import dev.herald.platform.PanelController;
import dev.herald.platform.Refused;
import dev.herald.platform.TextEnum;
import dev.herald.tenancy.OrganizationContext;
import dev.herald.tenancy.Permission;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The panel's data-subject requests: the list with filters and overdue / due-soon flags, a form for a new request,
 * the organization's self-service setting, and each request's page with its history and actions.
 */
@PanelController
class PrivacyRequestsController {
  private static final int PAGE_SIZE = 50;
  private final DataSubjectRequests requests;
  private final RequestCompletion completion;
  private final Archives archives;
  private final dev.herald.audiences.Subscribers subscribers;

  PrivacyRequestsController(DataSubjectRequests requests, RequestCompletion completion, Archives archives,
      dev.herald.audiences.Subscribers subscribers) {
    this.subscribers = subscribers;
    this.requests = requests;
    this.completion = completion;
    this.archives = archives;
  }

  @GetMapping("/o/{org}/privacy/requests")
  String list(OrganizationContext org, @RequestParam(defaultValue = "") String status, @RequestParam(defaultValue = "") String type,
      @RequestParam(defaultValue = "") String flag, @RequestParam(defaultValue = "") String q,
      @RequestParam(defaultValue = "0") int page, Model model) {
    DataSubjectRequests.Filter filter = new DataSubjectRequests.Filter(TextEnum.parse(RequestStatus.class, "status", status),
        TextEnum.parse(RequestType.class, "type", type), flag, q);
    model.addAttribute("page", requests.search(org.id(), filter, Math.max(0, page), PAGE_SIZE));
    model.addAttribute("figures", requests.figures(org.id()));
    model.addAttribute("status", status);
    model.addAttribute("type", type);
    model.addAttribute("flag", flag);
    model.addAttribute("q", q);
    model.addAttribute("statuses", RequestStatus.values());
    model.addAttribute("types", RequestType.values());
    model.addAttribute("selfServiceCompletes", requests.selfServiceCompletes(org.id()));
    model.addAttribute("canWrite", org.can(Permission.PRIVACY_WRITE));
    return "privacy/requests";
  }

  @PostMapping("/o/{org}/privacy/requests")
  @OnRefused("/o/{org}/privacy/requests#new-heading")
  String open(OrganizationContext org, @RequestParam(defaultValue = "") String type, @RequestParam(defaultValue = "") String address,
      @RequestParam(defaultValue = "") String note, RedirectAttributes flash) {
    RequestType t = TextEnum.parse(RequestType.class, "type", type);
    if (t == null) throw Refused.invalid("type", "Choose what the person asked for.");
    DataSubjectRequests.Request r = requests.open(org.id(), t, address, RequestChannel.PANEL, Actors.current(), note);
    flash.addFlashAttribute("notice", "Request recorded. It is due on " + dev.herald.platform.Dates.day(r.dueAt()) + ".");
    return "redirect:" + base(org) + "/" + r.id();
  }

  @PostMapping("/o/{org}/privacy/settings")
  String settings(OrganizationContext org, @RequestParam(defaultValue = "false") boolean selfServiceCompletes, RedirectAttributes flash) {
    requests.setSelfServiceCompletes(org.id(), selfServiceCompletes);
    flash.addFlashAttribute("notice", "Settings saved.");
    return "redirect:" + base(org) + "#settings-heading";
  }

  @GetMapping("/o/{org}/privacy/requests/{id}")
  String request(OrganizationContext org, @PathVariable long id, Model model) {
    DataSubjectRequests.Request r = requests.find(org.id(), id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
    model.addAttribute("request", r);
    model.addAttribute("history", requests.history(org.id(), id));
    model.addAttribute("archive", archives.available(org.id(), id).orElse(null));
    model.addAttribute("canWrite", org.can(Permission.PRIVACY_WRITE));
    return "privacy/request";
  }

  @PostMapping("/o/{org}/privacy/requests/{id}/start")
  @OnRefused(value = "/o/{org}/privacy/requests/{id}#actions-heading", notFoundIsPage = true)
  String start(OrganizationContext org, @PathVariable long id, RedirectAttributes flash) {
    requests.start(org.id(), id, Actors.current(), null);
    flash.addFlashAttribute("notice", "Marked as in progress.");
    return "redirect:" + base(org) + "/" + id;
  }

  @PostMapping("/o/{org}/privacy/requests/{id}/extend")
  @OnRefused(value = "/o/{org}/privacy/requests/{id}#extend-heading", notFoundIsPage = true)
  String extend(OrganizationContext org, @PathVariable long id, @RequestParam(defaultValue = "") String reason, RedirectAttributes flash) {
    DataSubjectRequests.Request r = requests.extend(org.id(), id, Actors.current(), reason);
    flash.addFlashAttribute("notice", "Due date extended to " + dev.herald.platform.Dates.day(r.dueAt()) + ". Tell the person why.");
    return "redirect:" + base(org) + "/" + id;
  }

  @PostMapping("/o/{org}/privacy/requests/{id}/reject")
  // Its own error key: the extension form's field is called "reason" too, and would show this message.
  @OnRefused(value = "/o/{org}/privacy/requests/{id}#reject-heading", errorKey = "reject", notFoundIsPage = true)
  String reject(OrganizationContext org, @PathVariable long id, @RequestParam(defaultValue = "") String reason, RedirectAttributes flash) {
    requests.reject(org.id(), id, Actors.current(), reason);
    flash.addFlashAttribute("notice", "Request rejected.");
    return "redirect:" + base(org) + "/" + id;
  }

  @PostMapping("/o/{org}/privacy/requests/{id}/complete")
  @OnRefused(value = "/o/{org}/privacy/requests/{id}#complete-heading", notFoundIsPage = true)
  String complete(OrganizationContext org, @PathVariable long id, @RequestParam(defaultValue = "") String note,
      @RequestParam(defaultValue = "") String email, @RequestParam(required = false) String name,
      @RequestParam(defaultValue = "") String fields, @RequestParam(defaultValue = "false") boolean confirm, RedirectAttributes flash) {
    DataSubjectRequests.Request r = requests.find(org.id(), id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
    if (r.type() == RequestType.ERASURE && !confirm) throw Refused.invalid("confirm", "Tick the box to confirm the erasure.");
    completion.complete(org.id(), id, Actors.current(), note,
        new RequestCompletion.Rectification(email, name == null || name.isBlank() ? null : name, fieldLines(fields)));
    flash.addFlashAttribute("notice", switch (r.type()) {
      case ACCESS, PORTABILITY -> "Completed. The archive is ready to download below.";
      case ERASURE -> "Completed. The person's data is erased in every part of Herald; the request keeps counts only.";
      default -> "Completed.";
    });
    return "redirect:" + base(org) + "/" + id;
  }

  @PostMapping("/o/{org}/privacy/requests/{id}/lift")
  @OnRefused(value = "/o/{org}/privacy/requests/{id}#actions-heading", notFoundIsPage = true)
  String lift(OrganizationContext org, @PathVariable long id, @RequestParam(defaultValue = "") String note, RedirectAttributes flash) {
    completion.lift(org.id(), id, Actors.current(), note);
    flash.addFlashAttribute("notice", "Lifted.");
    return "redirect:" + base(org) + "/" + id;
  }

  @PostMapping("/o/{org}/privacy/requests/{id}/note")
  @OnRefused(value = "/o/{org}/privacy/requests/{id}#note-heading", notFoundIsPage = true)
  String note(OrganizationContext org, @PathVariable long id, @RequestParam(defaultValue = "") String note, RedirectAttributes flash) {
    requests.note(org.id(), id, Actors.current(), note);
    flash.addFlashAttribute("notice", "Note added.");
    return "redirect:" + base(org) + "/" + id + "#history-heading";
  }

  @GetMapping("/o/{org}/privacy/requests/{id}/archive")
  ResponseEntity<byte[]> archive(OrganizationContext org, @PathVariable long id) {
    return PrivacyRequestsApi.download(requests, archives, org.id(), id);
  }

  /**
   * The subscriber page's erase action (its URL, confirmation and redirect kept from audiences, which cannot reach the
   * capabilities to its right): erased everywhere through the personal-data map, recorded as a completed request.
   */
  @PostMapping("/o/{org}/subscribers/{id}/erase")
  @OnRefused(value = "/o/{org}/subscribers/{id}#erase-heading", notFoundIsPage = true)
  String eraseSubscriber(OrganizationContext org, @PathVariable long id, @RequestParam(defaultValue = "false") boolean confirm,
      RedirectAttributes flash) {
    var subscriber = subscribers.find(org.id(), id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
    if (!confirm) throw Refused.invalid("confirm", "Tick the box to confirm the erasure.");
    DataSubjectRequests.Request r = completion.eraseNow(org.id(), subscriber.email(), RequestChannel.PANEL, Actors.current());
    flash.addFlashAttribute("notice", "Subscriber erased in every part of Herald (recorded as privacy request " + r.id()
        + "). Only a hash of the address is kept, so no import adds it back.");
    return "redirect:/o/" + org.slug() + "/subscribers";
  }

  /** Rectified fields as the form takes them: one {@code key=value} a line; {@code key=} removes the field. */
  static Map<String, Object> fieldLines(String text) {
    Map<String, Object> fields = new LinkedHashMap<>();
    List<String> lines = text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    for (int i = 0; i < lines.size(); i++) {
      int eq = lines.get(i).indexOf('=');
      if (eq <= 0) throw Refused.invalid("fields", "Line " + (i + 1) + ": write key=value.");
      String value = lines.get(i).substring(eq + 1).strip();
      fields.put(lines.get(i).substring(0, eq).strip(), value.isEmpty() ? null : value);
    }
    return fields;
  }

  private static String base(OrganizationContext org) {
    return "/o/" + org.slug() + "/privacy/requests";
  }
}
