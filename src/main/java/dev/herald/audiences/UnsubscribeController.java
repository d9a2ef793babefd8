package dev.herald.audiences;

import dev.herald.tenancy.Organizations;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Optional;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;

/**
 * The unsubscribe link of campaign mail ({@link Unsubscribes}). {@code POST} with {@code List-Unsubscribe=One-Click}
 * (RFC 8058) is a mail client acting for the person: it unsubscribes at once and answers plain text; it carries no
 * cookie and no CSRF token (public pages are exempt), the signed token is the guard. {@code GET} shows a page with a
 * button that posts the same form; the page, like the other hosted pages, sets no cookie.
 */
@Controller
class UnsubscribeController {
  static final String PAGE = "audiences/public-unsubscribe";

  private final Unsubscribes unsubscribes;
  private final Subscribers subscribers;
  private final MailingLists lists;
  private final Organizations organizations;

  UnsubscribeController(Unsubscribes unsubscribes, Subscribers subscribers, MailingLists lists, Organizations organizations) {
    this.unsubscribes = unsubscribes;
    this.subscribers = subscribers;
    this.lists = lists;
    this.organizations = organizations;
  }

  @org.springframework.web.bind.annotation.ModelAttribute
  void notTracking(HttpServletResponse response) {
    response.setHeader("Tk", "N");
  }

  @GetMapping("/p/unsubscribe")
  String page(@RequestParam(defaultValue = "") String token, HttpServletResponse response, Model model) {
    Optional<Unsubscribes.Link> link = unsubscribes.verify(token);
    if (link.isEmpty()) return invalid(response, model);
    Unsubscribes.Link l = about(link.get(), model);
    model.addAttribute("token", token);
    boolean active = subscribers.statusOn(l.subscriberId(), l.listId()).map(SubscriptionStatus::active).orElse(false);
    model.addAttribute("state", active ? "ask" : "done");
    return PAGE;
  }

  /** RFC 8058's one-click: the body is {@code List-Unsubscribe=One-Click}; the answer is for a machine. */
  @PostMapping(path = "/p/unsubscribe", params = "List-Unsubscribe")
  @ResponseBody
  ResponseEntity<String> oneClick(@RequestParam(defaultValue = "") String token,
      @RequestParam(name = "List-Unsubscribe") String value) {
    Optional<Unsubscribes.Link> link = unsubscribes.verify(token);
    if (link.isEmpty() || !"One-Click".equals(value)) {
      return ResponseEntity.status(422).contentType(MediaType.TEXT_PLAIN).body("Not a valid unsubscribe link.\n");
    }
    leave(link.get(), "one-click unsubscribe");
    return ResponseEntity.ok().contentType(MediaType.TEXT_PLAIN).body("Unsubscribed.\n");
  }

  /** The page's button. */
  @PostMapping("/p/unsubscribe")
  String unsubscribe(@RequestParam(defaultValue = "") String token, HttpServletResponse response, Model model) {
    Optional<Unsubscribes.Link> link = unsubscribes.verify(token);
    if (link.isEmpty()) return invalid(response, model);
    leave(about(link.get(), model), "unsubscribe link");
    model.addAttribute("state", "done");
    return PAGE;
  }

  private void leave(Unsubscribes.Link l, String how) {
    subscribers.unsubscribe(l.organizationId(), l.subscriberId(), l.listId(), how + " (campaign " + l.campaignId() + ")");
  }

  private Unsubscribes.Link about(Unsubscribes.Link l, Model model) {
    model.addAttribute("organizationName", organizations.name(l.organizationId()).orElse(null));
    lists.basic(l.organizationId(), l.listId()).ifPresent(x -> model.addAttribute("listName", x.name()));
    return l;
  }

  private static String invalid(HttpServletResponse response, Model model) {
    response.setStatus(422);
    model.addAttribute("state", "invalid");
    return PAGE;
  }
}
