package dev.herald.feedback;

import dev.herald.platform.OnRefused;
import dev.herald.platform.PanelController;
import dev.herald.platform.Refused;
import dev.herald.platform.TextEnum;
import dev.herald.tenancy.OrganizationContext;
import dev.herald.tenancy.Permission;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * An organization's feedback pages: the recent bounces, complaints and other reports with what Herald did about each
 * ({@code /o/{org}/feedback}), and its mailbox monitors ({@code /o/{org}/feedback/mailboxes}: list with the poll state,
 * add, change, delete, poll now). The password of a mailbox goes to {@code Secrets} and is never shown again. The same
 * in {@link FeedbackApi}.
 */
@PanelController
class FeedbackController {
  static final String EVENTS = "/feedback";
  static final String MAILBOXES = "/feedback/mailboxes";
  static final int PAGE_SIZE = 50;
  private final FeedbackLog log;
  private final Mailboxes mailboxes;

  FeedbackController(FeedbackLog log, Mailboxes mailboxes) {
    this.log = log;
    this.mailboxes = mailboxes;
  }

  // ---- recent feedback ----------------------------------------------------------------------------------------------

  @GetMapping("/o/{org}" + EVENTS)
  String events(OrganizationContext org, @RequestParam(name = "class", defaultValue = "") String feedbackClass,
      @RequestParam(defaultValue = "") String reason, @RequestParam(defaultValue = "") String address,
      @RequestParam(defaultValue = "0") int page, Model model) {
    // A filter is a link anyone may have edited: an unknown class or reason shows every entry rather than an error.
    FeedbackLog.Filter filter = new FeedbackLog.Filter(TextEnum.find(FeedbackClass.class, feedbackClass).orElse(null),
        TextEnum.find(FeedbackReason.class, reason).orElse(null), address);
    FeedbackLog.Page found;
    try {
      found = log.search(org.id(), filter, Math.max(0, page), PAGE_SIZE);
    } catch (Refused controlCharacters) {
      filter = new FeedbackLog.Filter(filter.feedbackClass(), filter.reason(), "");
      found = log.search(org.id(), filter, Math.max(0, page), PAGE_SIZE);
      address = "";
    }
    model.addAttribute("page", found);
    model.addAttribute("filtered", filter.any());
    model.addAttribute("feedbackClass", filter.feedbackClass());
    model.addAttribute("reason", filter.reason());
    model.addAttribute("address", address);
    model.addAttribute("classes", FeedbackClass.values());
    model.addAttribute("reasons", FeedbackReason.values());
    model.addAttribute("base", "/o/" + org.slug() + EVENTS);
    model.addAttribute("canSeeMailboxes", org.can(Permission.DOMAINS_READ));
    return "feedback/events";
  }

  // ---- mailbox monitors ---------------------------------------------------------------------------------------------

  /** The mailbox form as posted: every field text, the port and choices checked here with the field they came from. */
  record MailboxForm(String name, String protocol, String host, String port, String tls, String verifyCertificate, String username,
      String password, String folder, String afterProcessing, String processedFolder) {

    Mailboxes.Input input() {
      return new Mailboxes.Input(name, TextEnum.parse(MailboxProtocol.class, "protocol", protocol), host, port("port", port),
          TextEnum.parse(MailboxTls.class, "tls", tls), verifyCertificate != null, username, password, folder,
          TextEnum.parse(AfterProcessing.class, "afterProcessing", afterProcessing), processedFolder);
    }

    static Integer port(String field, String text) {
      if (text == null || text.isBlank()) return null;
      try {
        return Integer.valueOf(text.strip());
      } catch (NumberFormatException e) {
        throw Refused.invalid(field, "Enter a port from 1 to 65535, or leave it empty for the usual one.");
      }
    }

    @Override
    public String toString() {
      return "MailboxForm[name=" + name + ", host=" + host + ", password=(hidden)]";
    }
  }

  @GetMapping("/o/{org}" + MAILBOXES)
  String mailboxes(OrganizationContext org, Model model) {
    model.addAttribute("mailboxes", mailboxes.list(org.id()));
    model.addAttribute("canWrite", org.can(Permission.DOMAINS_WRITE));
    choices(model, org);
    return "feedback/mailboxes";
  }

  @PostMapping("/o/{org}" + MAILBOXES)
  @OnRefused("/o/{org}" + MAILBOXES + "#new-mailbox")
  String create(OrganizationContext org, MailboxForm form, RedirectAttributes flash) {
    long id = mailboxes.create(org.id(), form.input());
    flash.addFlashAttribute("notice", "Mailbox monitor " + form.name().strip() + " added; it is polled within seconds by a worker node.");
    return "redirect:" + base(org) + "#mailbox-" + id;
  }

  @GetMapping("/o/{org}" + MAILBOXES + "/{id}")
  String mailbox(OrganizationContext org, @PathVariable long id, Model model) {
    model.addAttribute("mailbox", mailboxes.find(org.id(), id).orElseThrow(() -> Refused.notFound("Mailbox monitor " + id)));
    model.addAttribute("canWrite", org.can(Permission.DOMAINS_WRITE));
    choices(model, org);
    return "feedback/mailbox";
  }

  @PostMapping("/o/{org}" + MAILBOXES + "/{id}")
  @OnRefused(value = "/o/{org}" + MAILBOXES + "/{id}", notFoundIsPage = true)
  String update(OrganizationContext org, @PathVariable long id, MailboxForm form, RedirectAttributes flash) {
    mailboxes.find(org.id(), id).orElseThrow(() -> Refused.notFound("Mailbox monitor " + id)); // before anything about the form
    Mailboxes.Mailbox saved = mailboxes.update(org.id(), id, form.input());
    flash.addFlashAttribute("notice", "Mailbox monitor " + saved.name() + " saved; it is polled again within seconds.");
    return "redirect:" + base(org) + "#mailbox-" + id;
  }

  @PostMapping("/o/{org}" + MAILBOXES + "/{id}/delete")
  String delete(OrganizationContext org, @PathVariable long id, RedirectAttributes flash) {
    if (!mailboxes.delete(org.id(), id)) throw Refused.notFound("Mailbox monitor " + id);
    flash.addFlashAttribute("notice", "Mailbox monitor deleted, with its stored password.");
    return "redirect:" + base(org);
  }

  @PostMapping("/o/{org}" + MAILBOXES + "/{id}/poll")
  String pollNow(OrganizationContext org, @PathVariable long id, RedirectAttributes flash) {
    Mailboxes.Mailbox m = mailboxes.pollNow(org.id(), id);
    flash.addFlashAttribute("notice", m.name() + " is polled within seconds by a worker node; reload this page to see the result.");
    return "redirect:" + base(org) + "#mailbox-" + id;
  }

  private static void choices(Model model, OrganizationContext org) {
    model.addAttribute("protocols", MailboxProtocol.values());
    model.addAttribute("tlsModes", MailboxTls.values());
    model.addAttribute("afterChoices", AfterProcessing.values());
    model.addAttribute("base", base(org));
  }

  private static String base(OrganizationContext org) {
    return "/o/" + org.slug() + MAILBOXES;
  }
}
