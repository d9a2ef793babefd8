package dev.herald.feedback;

import dev.herald.platform.Refused;
import dev.herald.platform.TextEnum;
import dev.herald.tenancy.OrganizationContext;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * REST API of an organization's feedback: its recent feedback events (the scope {@code suppressions:read}, as what they
 * explain is the suppression list) and its mailbox monitors ({@code domains:read} and {@code domains:write}, beside the
 * sending domains whose return paths they serve). A mailbox's password is written, never read back.
 */
@RestController
@Tag(name = "Feedback", description = "Bounces, complaints and the mailboxes they are read from")
class FeedbackApi {
  private final FeedbackLog log;
  private final Mailboxes mailboxes;

  FeedbackApi(FeedbackLog log, Mailboxes mailboxes) {
    this.log = log;
    this.mailboxes = mailboxes;
  }

  @GetMapping("/api/v1/orgs/{org}/feedback-events")
  @Operation(summary = "Recent feedback, newest first: by class, reason and a part of the address")
  FeedbackLog.Page events(OrganizationContext org,
      @Parameter(name = "class", schema = @Schema(implementation = FeedbackClass.class)) @RequestParam(name = "class", defaultValue = "") String feedbackClass,
      @Parameter(schema = @Schema(implementation = FeedbackReason.class)) @RequestParam(defaultValue = "") String reason,
      @RequestParam(defaultValue = "") String address, @RequestParam(defaultValue = "0") int page,
      @RequestParam(defaultValue = "50") int size) {
    Refused.checkPage(page, size);
    return log.search(org.id(), new FeedbackLog.Filter(TextEnum.parse(FeedbackClass.class, "class", feedbackClass),
        TextEnum.parse(FeedbackReason.class, "reason", reason), address), page, size);
  }

  /**
   * A mailbox monitor to create or replace. The enums are text here so that a wrong one is a 422 naming its field. {@code
   * port} absent: the usual one for the protocol and TLS; {@code verifyCertificate} absent: true; {@code password}
   * absent on a replacement: the stored one stays.
   */
  record MailboxRequest(String name, @Schema(implementation = MailboxProtocol.class) String protocol, String host, Integer port,
      @Schema(implementation = MailboxTls.class) String tls, Boolean verifyCertificate, String username,
      @Schema(accessMode = Schema.AccessMode.WRITE_ONLY) String password, String folder,
      @Schema(implementation = AfterProcessing.class) String afterProcessing, String processedFolder) {

    Mailboxes.Input input() {
      return new Mailboxes.Input(name, TextEnum.parse(MailboxProtocol.class, "protocol", protocol), host, port,
          TextEnum.parse(MailboxTls.class, "tls", tls), verifyCertificate == null || verifyCertificate, username, password, folder,
          TextEnum.parse(AfterProcessing.class, "afterProcessing", afterProcessing), processedFolder);
    }

    @Override
    public String toString() {
      return "MailboxRequest[name=" + name + ", host=" + host + ", password=(hidden)]";
    }
  }

  @GetMapping("/api/v1/orgs/{org}/feedback-mailboxes")
  @Operation(summary = "The mailbox monitors, with their last poll, last error and the messages processed")
  List<Mailboxes.Mailbox> mailboxes(OrganizationContext org) {
    return mailboxes.list(org.id());
  }

  @PostMapping("/api/v1/orgs/{org}/feedback-mailboxes")
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(summary = "Add a mailbox monitor (IMAP or POP3); the password is stored encrypted and never returned")
  Mailboxes.Mailbox create(OrganizationContext org, @RequestBody(required = false) MailboxRequest body) {
    if (body == null) throw Refused.invalid("name", "Send the mailbox monitor as JSON.");
    return mailboxes.find(org.id(), mailboxes.create(org.id(), body.input())).orElseThrow();
  }

  @GetMapping("/api/v1/orgs/{org}/feedback-mailboxes/{id}")
  @Operation(summary = "Get a mailbox monitor")
  Mailboxes.Mailbox mailbox(OrganizationContext org, @PathVariable long id) {
    return mailboxes.find(org.id(), id).orElseThrow(() -> Refused.notFound("Mailbox monitor " + id));
  }

  @PutMapping("/api/v1/orgs/{org}/feedback-mailboxes/{id}")
  @Operation(summary = "Replace a mailbox monitor's settings; without a password the stored one stays; polled again soon")
  Mailboxes.Mailbox update(OrganizationContext org, @PathVariable long id, @RequestBody(required = false) MailboxRequest body) {
    mailboxes.find(org.id(), id).orElseThrow(() -> Refused.notFound("Mailbox monitor " + id)); // before anything about the body
    if (body == null) throw Refused.invalid("name", "Send the mailbox monitor as JSON.");
    return mailboxes.update(org.id(), id, body.input());
  }

  @DeleteMapping("/api/v1/orgs/{org}/feedback-mailboxes/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Delete a mailbox monitor and its stored password")
  void delete(OrganizationContext org, @PathVariable long id) {
    if (!mailboxes.delete(org.id(), id)) throw Refused.notFound("Mailbox monitor " + id);
  }

  @PostMapping("/api/v1/orgs/{org}/feedback-mailboxes/{id}/poll")
  @ResponseStatus(HttpStatus.ACCEPTED)
  @Operation(summary = "Poll now: the mailbox is due at once and a worker node reads it within seconds")
  Mailboxes.Mailbox poll(OrganizationContext org, @PathVariable long id) {
    return mailboxes.pollNow(org.id(), id);
  }
}
