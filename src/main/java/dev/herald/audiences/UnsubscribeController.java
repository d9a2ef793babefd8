package dev.herald.audiences;

import dev.herald.tenancy.Organizations;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

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

  /**
   * The page's button, and RFC 8058's one-click, whose body is {@code List-Unsubscribe=One-Click} and whose answer is
   * for a machine. One mapping for both on purpose: a {@code params} condition on a mapping makes Spring read every
   * POST's parameters while it looks for the handler, which parses multipart bodies outside any handler (an upload
   * whose file name holds a NUL then answered 500 instead of its 400: ImportUploadHttpTest).
   */
  @PostMapping("/p/unsubscribe")
  String unsubscribe(@RequestParam(defaultValue = "") String token,
      @RequestParam(name = "List-Unsubscribe", required = false) String oneClick, HttpServletResponse response, Model model)
      throws IOException {
    Optional<Unsubscribes.Link> link = unsubscribes.verify(token);
    if (oneClick != null) {
      boolean valid = link.isPresent() && "One-Click".equals(oneClick);
      if (valid) leave(link.get(), "one-click unsubscribe");
      response.setStatus(valid ? 200 : 422);
      response.setContentType(MediaType.TEXT_PLAIN_VALUE + ";charset=UTF-8");
      response.getWriter().write(valid ? "Unsubscribed.\n" : "Not a valid unsubscribe link.\n");
      return null;
    }
    if (link.isEmpty()) return invalid(response, model);
    leave(about(link.get(), model), "unsubscribe link");
    model.addAttribute("state", "done");
    return PAGE;
  }

  private void leave(Unsubscribes.Link l, String how) {
    subscribers.unsubscribe(l.organizationId(), l.subscriberId(), l.listId(), how + " (campaign " + l.campaignId() + ")",
        l.campaignId());
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
