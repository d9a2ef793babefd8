package dev.herald.delivery;

import dev.herald.domains.SendingDomains;
import dev.herald.mail.EmailAddress;
import dev.herald.platform.OnRefused;
import dev.herald.platform.PanelController;
import dev.herald.platform.Refused;
import dev.herald.platform.TextEnum;
import dev.herald.tenancy.OrganizationContext;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The organization's sent messages in the panel: the list with its filters, one message with its recipients and
 * attempts, the message's source (for members who may read message content: the route table says so), and a form
 * that sends a test message through the same path as the send API.
 */
@PanelController
class MessagesController {
  /** The tag a test message from the panel carries, so the list can tell it from the organization's own mail. */
  static final String TEST_TAG = "test";

  private final MessageLog log;
  private final OutboundMessages messages;
  private final SendingDomains domains;

  MessagesController(MessageLog log, OutboundMessages messages, SendingDomains domains) {
    this.log = log;
    this.messages = messages;
    this.domains = domains;
  }

  @GetMapping("/o/{org}/messages")
  String list(OrganizationContext org, @RequestParam(defaultValue = "") String state, @RequestParam(defaultValue = "") String tag,
      @RequestParam(defaultValue = "") String recipient, @RequestParam(defaultValue = "") String domain,
      @RequestParam(defaultValue = "") String since, @RequestParam(defaultValue = "") String until,
      @RequestParam(required = false) Long before, @RequestParam(required = false) Long after, Model model) {
    // A filter is a link anyone may have edited: what cannot be read is named beside its field and left out.
    Map<String, String> errors = new LinkedHashMap<>();
    RecipientState s = TextEnum.find(RecipientState.class, state).orElse(null);
    String recipientKey = null;
    if (!recipient.isBlank()) {
      if (EmailAddress.parse(recipient.strip()) instanceof EmailAddress.Valid valid) recipientKey = valid.address().key();
      else errors.put("recipient", "Enter a whole email address, like ann@example.com.");
    }
    String tagFilter = tag.isBlank() ? null : tag.strip();
    if (tagFilter != null && tagFilter.chars().anyMatch(c -> c < 0x20)) { // no tag holds one, and PostgreSQL refuses a NUL
      errors.put("tag", "A tag is one line of text without control characters.");
      tagFilter = null;
    }
    List<SendingDomains.Named> named = domains.names(org.id());
    Long domainId = named.stream().filter(d -> String.valueOf(d.id()).equals(domain)).map(SendingDomains.Named::id).findFirst().orElse(null);
    LocalDate sinceDay = day(since, "since", errors), untilDay = day(until, "until", errors);
    MessageLog.Filter filter = new MessageLog.Filter(s, tagFilter, recipientKey, domainId,
        sinceDay == null ? null : sinceDay.atStartOfDay(ZoneOffset.UTC).toInstant(),
        untilDay == null ? null : untilDay.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
    MessageLog.Cursor cursor = before != null ? new MessageLog.Cursor(before, false) : after != null ? new MessageLog.Cursor(after, true) : null;

    model.addAttribute("page", log.page(org.id(), filter, cursor, MessageLog.PAGE_SIZE));
    model.addAttribute("cursor", cursor);
    model.addAttribute("filtered", !filter.equals(MessageLog.Filter.NONE));
    model.addAttribute("states", RecipientState.values());
    model.addAttribute("domains", named);
    model.addAttribute("f", Map.of("state", s == null ? "" : s.text(), "tag", tag, "recipient", recipient, "domain",
        domainId == null ? "" : domainId.toString(), "since", since, "until", until));
    if (!errors.isEmpty()) model.addAttribute("errors", errors);
    return "delivery/messages";
  }

  private static LocalDate day(String text, String field, Map<String, String> errors) {
    if (text.isBlank()) return null;
    try {
      LocalDate day = LocalDate.parse(text.strip());
      // ISO dates may carry a sign and more digits ("+999999999-12-31"): such a day overflows the day after it or lies
      // outside what PostgreSQL's timestamptz holds, so it is refused like any other unreadable day.
      if (day.getYear() >= 1 && day.getYear() <= 9999) return day;
    } catch (DateTimeParseException e) {
      // said below
    }
    errors.put(field, "Give the day as YYYY-MM-DD.");
    return null;
  }

  @GetMapping("/o/{org}/messages/{id}")
  String message(OrganizationContext org, @PathVariable long id, Model model) {
    MessageLog.Message message = log.message(org.id(), id).orElseThrow(() -> Refused.notFound("Message " + id));
    model.addAttribute("message", message);
    model.addAttribute("domain", message.sendingDomainId() == null ? null
        : domains.names(org.id()).stream().filter(d -> d.id() == message.sendingDomainId()).findFirst().orElse(null));
    return "delivery/message";
  }

  @GetMapping("/o/{org}/messages/{id}/source")
  String source(OrganizationContext org, @PathVariable long id, Model model) {
    MessageLog.Message message = log.message(org.id(), id).orElseThrow(() -> Refused.notFound("Message " + id));
    model.addAttribute("message", message);
    model.addAttribute("source", log.source(org.id(), id).orElse(null));
    return "delivery/message-source";
  }

  @GetMapping("/o/{org}/messages/{id}/source/download")
  void download(OrganizationContext org, @PathVariable long id, HttpServletResponse response) throws IOException {
    MessageLog.Source source = log.source(org.id(), id).orElseThrow(() -> Refused.notFound("Message source " + id));
    response.setContentType("message/rfc822");
    response.setHeader(HttpHeaders.CONTENT_DISPOSITION,
        ContentDisposition.attachment().filename(org.slug() + "-message-" + id + ".eml").build().toString());
    // A message's content: no copy in a shared or browser cache.
    response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    response.setContentLength(source.bytes().length);
    response.getOutputStream().write(source.bytes());
  }

  // ---- a test message ----------------------------------------------------------------------------------------------

  @GetMapping("/o/{org}/messages/test")
  String testForm(OrganizationContext org, Model model) {
    model.addAttribute("verified", domains.names(org.id()).stream().filter(SendingDomains.Named::verified).toList());
    return "delivery/message-test";
  }

  /**
   * Queues the message as the send API would (same checks, same queue), tagged {@link #TEST_TAG}. The form's "to"
   * takes addresses separated by commas; the send API's field names ({@code to[1]}) become the form's ({@code to}).
   */
  @PostMapping("/o/{org}/messages/test")
  @OnRefused("/o/{org}/messages/test")
  String sendTest(OrganizationContext org, @RequestParam(defaultValue = "") String from, @RequestParam(defaultValue = "") String to,
      @RequestParam(defaultValue = "") String subject, @RequestParam(defaultValue = "") String text,
      @RequestParam(defaultValue = "") String html, RedirectAttributes flash) {
    List<String> recipients = new ArrayList<>();
    for (String a : to.split(",")) if (!a.isBlank()) recipients.add(a.strip());
    if (recipients.isEmpty()) throw Refused.invalid("to", "Enter the address to send the test to.");
    if (text.isBlank() && html.isBlank()) throw Refused.invalid("text", "Write a text, an HTML version, or both.");
    SendRequest request = new SendRequest(from.strip(), null, recipients, null, null, null, subject, html.isBlank() ? null : html,
        text.isBlank() ? null : text, null, null, List.of(TEST_TAG), null);
    OutboundMessages.Accepted accepted;
    try {
      accepted = messages.accept(org.id(), request, null);
    } catch (Refused refused) {
      String field = refused.field();
      if (field != null && field.startsWith("to[")) {
        int i = Integer.parseInt(field.substring(3, field.indexOf(']')));
        throw Refused.invalid("to", recipients.get(i) + ": " + refused.getMessage());
      }
      throw refused;
    }
    flash.addFlashAttribute("notice", "Test message queued.");
    return "redirect:/o/" + org.slug() + "/messages/" + accepted.id();
  }
}
