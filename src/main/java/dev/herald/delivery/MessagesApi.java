package dev.herald.delivery;

import dev.herald.platform.HttpRefusal;
import dev.herald.platform.Refused;
import dev.herald.platform.TextEnum;
import dev.herald.tenancy.OrganizationContext;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * The native send API. A 202 means the message and all its recipients are committed to the queue (DESIGN.md
 * reliability rule 1); delivery happens after. {org} is the organization's slug.
 */
@RestController
@Tag(name = "Messages", description = "Send mail through Herald's queue and follow each recipient's state")
class MessagesApi {
  private final OutboundMessages messages;

  MessagesApi(OutboundMessages messages) {
    this.messages = messages;
  }

  @PostMapping("/api/v1/orgs/{org}/messages")
  @ResponseStatus(HttpStatus.ACCEPTED)
  @Operation(summary = "Queue a message; answers once it and its recipients are committed. The same Idempotency-Key with the "
      + "same message answers the first answer again; with a different message, 409")
  OutboundMessages.Accepted send(OrganizationContext org, @RequestBody(required = false) SendRequest body,
      @Parameter(description = "Makes retrying safe: at most 200 printable ASCII characters")
      @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey) {
    return messages.accept(org.id(), body, idempotencyKey);
  }

  record BatchRequest(@Schema(description = "1 to 1,000 messages") List<SendRequest> messages) {}

  /** One message's answer: its ids, or a problem (RFC 9457) saying why it was refused. */
  record BatchResult(int index, Long id, String messageId, List<OutboundMessages.AcceptedRecipient> recipients, ProblemDetail problem) {}

  record BatchResponse(int accepted, int refused, List<BatchResult> results) {}

  @PostMapping("/api/v1/orgs/{org}/messages/batch")
  @ResponseStatus(HttpStatus.ACCEPTED)
  @Operation(summary = "Queue up to 1,000 messages, each checked on its own: valid ones are committed, the answer lists each "
      + "message's ids or its problem (202 even when some are refused). With an Idempotency-Key, message i is keyed key#i")
  BatchResponse batch(OrganizationContext org, @RequestBody(required = false) BatchRequest body,
      @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey) {
    List<OutboundMessages.BatchEntry> entries = messages.acceptBatch(org.id(), body == null ? null : body.messages(), idempotencyKey);
    List<BatchResult> results = entries.stream().map(MessagesApi::result).toList();
    int accepted = (int) results.stream().filter(r -> r.id() != null).count();
    return new BatchResponse(accepted, results.size() - accepted, results);
  }

  private static BatchResult result(OutboundMessages.BatchEntry e) {
    if (e.accepted() != null) return new BatchResult(e.index(), e.accepted().id(), e.accepted().messageId(), e.accepted().recipients(), null);
    ProblemDetail problem = HttpRefusal.problem(e.refusal());
    return new BatchResult(e.index(), null, null, null, problem);
  }

  @GetMapping("/api/v1/orgs/{org}/messages/{id}")
  @Operation(summary = "A message and each recipient's state, attempts and last reply")
  OutboundMessages.MessageView get(OrganizationContext org, @PathVariable long id) {
    return messages.find(org.id(), id).orElseThrow(() -> Refused.notFound("Message " + id));
  }

  @GetMapping("/api/v1/orgs/{org}/messages")
  @Operation(summary = "The organization's messages, newest first, with their recipients counted by state; filtered by a "
      + "recipient state, a tag or a recipient's address")
  OutboundMessages.Page list(OrganizationContext org,
      @Parameter(schema = @Schema(implementation = RecipientState.class)) @RequestParam(defaultValue = "") String state,
      @RequestParam(defaultValue = "") String tag, @RequestParam(defaultValue = "") String recipient,
      @RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size) {
    RecipientState parsed = state.isEmpty() ? null : TextEnum.parse(RecipientState.class, "state", state);
    return messages.list(org.id(), parsed, tag, recipient, page, size);
  }
}
