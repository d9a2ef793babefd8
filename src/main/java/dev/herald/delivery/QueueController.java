package dev.herald.delivery;

import dev.herald.platform.OnRefused;
import dev.herald.platform.PanelController;
import dev.herald.platform.Refused;
import dev.herald.tenancy.HeraldUser;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The operator's queue page: destinations with their waiting recipients (the numbers refreshed by htmx from
 * {@code /operator/queue/live}), pause and resume, retry now, delete with a reason. The same controls are in
 * {@link QueueApi}. The destination and message come as form fields, not in the path, so one form serves a row's
 * button and a typed domain alike.
 */
@PanelController
class QueueController {
  static final String BASE = "/operator/queue";
  static final int PAGE_SIZE = 50;
  private final QueueView view;
  private final QueueControls controls;

  QueueController(QueueView view, QueueControls controls) {
    this.view = view;
    this.controls = controls;
  }

  @GetMapping(BASE)
  String queue(@RequestParam(defaultValue = "") String q, @RequestParam(defaultValue = "0") int page, Model model) {
    fill(model, q, page);
    return "delivery/queue";
  }

  /** The live part of the page (totals, pauses, destinations), polled every few seconds. */
  @GetMapping(BASE + "/live")
  String live(@RequestParam(defaultValue = "") String q, @RequestParam(defaultValue = "0") int page, Model model) {
    fill(model, q, page);
    return "delivery/queue :: live";
  }

  private void fill(Model model, String q, int page) {
    model.addAttribute("q", q);
    model.addAttribute("page", view.destinations(q, page, PAGE_SIZE));
    model.addAttribute("totals", view.totals());
    var pauses = view.pauses();
    model.addAttribute("queuePaused", pauses.stream().anyMatch(p -> p.domain().equals(QueueControls.WHOLE_QUEUE)));
    model.addAttribute("pausedDestinations", pauses.stream().filter(p -> !p.domain().equals(QueueControls.WHOLE_QUEUE)).toList());
  }

  @PostMapping(BASE + "/pause")
  String pauseAll(@AuthenticationPrincipal HeraldUser me, RedirectAttributes flash) {
    controls.pause(QueueControls.WHOLE_QUEUE, me.email());
    flash.addFlashAttribute("notice", "The whole queue is paused: no node starts a delivery until you resume it.");
    return "redirect:" + BASE;
  }

  @PostMapping(BASE + "/resume")
  String resumeAll(RedirectAttributes flash) {
    controls.resume(QueueControls.WHOLE_QUEUE);
    flash.addFlashAttribute("notice", "The queue is running again (destinations paused one by one stay paused).");
    return "redirect:" + BASE;
  }

  @PostMapping(BASE + "/destinations/pause")
  @OnRefused(value = BASE + "#pause-destination", errorKey = "pauseDestination", query = "q")
  String pause(@AuthenticationPrincipal HeraldUser me, @RequestParam(defaultValue = "") String domain,
      @RequestParam(defaultValue = "") String q, RedirectAttributes flash) {
    String d = QueueControls.destination("domain", domain);
    controls.pause(d, me.email());
    flash.addFlashAttribute("notice", d + " is paused: nothing more is sent to it until you resume it.");
    return back(q, flash);
  }

  @PostMapping(BASE + "/destinations/resume")
  @OnRefused(value = BASE, query = "q")
  String resume(@RequestParam(defaultValue = "") String domain, @RequestParam(defaultValue = "") String q, RedirectAttributes flash) {
    String d = QueueControls.destination("domain", domain);
    flash.addFlashAttribute("notice", controls.resume(d) ? d + " is delivered to again." : d + " was not paused.");
    return back(q, flash);
  }

  @PostMapping(BASE + "/destinations/retry")
  @OnRefused(value = BASE, query = "q")
  String retry(@RequestParam(defaultValue = "") String domain, @RequestParam(defaultValue = "") String q, RedirectAttributes flash) {
    QueueControls.Changed c = controls.retryDestination(domain);
    flash.addFlashAttribute("notice", c.changed() + " deferred " + recipients(c.changed()) + " of "
        + QueueControls.destination("domain", domain) + " will be tried now.");
    return back(q, flash);
  }

  @PostMapping(BASE + "/destinations/delete")
  @OnRefused(value = BASE + "#delete-destination", errorKey = "deleteDestination", query = "q")
  String delete(@RequestParam(defaultValue = "") String domain, @RequestParam(defaultValue = "") String reason,
      @RequestParam(defaultValue = "") String q, RedirectAttributes flash) {
    QueueControls.Changed c = controls.deleteDestination(domain, reason);
    flash.addFlashAttribute("notice", deleted(c, QueueControls.destination("domain", domain)));
    return back(q, flash);
  }

  @PostMapping(BASE + "/messages/retry")
  @OnRefused(value = BASE + "#message-controls", errorKey = "message", query = "q")
  String retryMessage(@RequestParam(defaultValue = "") String id, @RequestParam(defaultValue = "") String q, RedirectAttributes flash) {
    QueueControls.Changed c = controls.retryMessage(messageId(id));
    flash.addFlashAttribute("notice", c.changed() + " deferred " + recipients(c.changed()) + " of message " + id.strip() + " will be tried now.");
    return back(q, flash);
  }

  @PostMapping(BASE + "/messages/delete")
  @OnRefused(value = BASE + "#message-controls", errorKey = "message", query = "q")
  String deleteMessage(@RequestParam(defaultValue = "") String id, @RequestParam(defaultValue = "") String reason,
      @RequestParam(defaultValue = "") String q, RedirectAttributes flash) {
    QueueControls.Changed c = controls.deleteMessage(messageId(id), reason);
    flash.addFlashAttribute("notice", deleted(c, "message " + id.strip()));
    return back(q, flash);
  }

  private static long messageId(String id) {
    try {
      long n = Long.parseLong(id.strip());
      if (n > 0) return n;
    } catch (NumberFormatException e) {
      // answered below
    }
    throw Refused.invalid("id", "Enter a message id: the number the send API answered with.");
  }

  private static String recipients(long n) {
    return n == 1 ? "recipient" : "recipients";
  }

  private static String deleted(QueueControls.Changed c, String of) {
    return "Deleted " + c.changed() + " waiting " + recipients(c.changed()) + " of " + of
        + (c.inFlight() > 0 ? " (" + c.inFlight() + " being sent now were left to finish)" : "") + "."
        + (c.held() > 0 ? " " + c.held() + " of them were held by a paused campaign or send, which will not send them when it resumes." : "");
  }

  private static String back(String q, RedirectAttributes flash) {
    if (!q.isBlank()) flash.addAttribute("q", q);
    return "redirect:" + BASE;
  }
}
