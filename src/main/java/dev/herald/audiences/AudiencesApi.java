package dev.herald.audiences;

import dev.herald.platform.Refused;
import dev.herald.platform.Text;
import dev.herald.platform.TextEnum;
import dev.herald.tenancy.OrganizationContext;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** REST API for lists, custom fields, subscribers and subscriptions. {org} is the organization's slug. */
@RestController
@Tag(name = "Audiences", description = "Lists, custom fields, subscribers, subscriptions with consent")
class AudiencesApi {
  static final int MAX_BULK = 1000;
  private final MailingLists lists;
  private final CustomFields fields;
  private final Subscribers subscribers;
  private final Consent consent;
  private final BulkActions bulkActions;

  AudiencesApi(MailingLists lists, CustomFields fields, Subscribers subscribers, Consent consent, BulkActions bulkActions) {
    this.bulkActions = bulkActions;
    this.lists = lists;
    this.fields = fields;
    this.subscribers = subscribers;
    this.consent = consent;
  }

  // ---- lists -------------------------------------------------------------------------------

  @GetMapping("/api/v1/orgs/{org}/lists")
  @Operation(summary = "List the organization's lists")
  List<MailingLists.MailingList> lists(OrganizationContext org) {
    return lists.list(org.id());
  }

  @PostMapping("/api/v1/orgs/{org}/lists")
  @Operation(summary = "Create a list")
  @ResponseStatus(HttpStatus.CREATED)
  MailingLists.MailingList createList(OrganizationContext org, @RequestBody MailingLists.ListForm form) {
    return lists.create(org.id(), form);
  }

  @GetMapping("/api/v1/orgs/{org}/lists/{id}")
  @Operation(summary = "Get a list")
  MailingLists.MailingList list(OrganizationContext org, @PathVariable long id) {
    return lists.find(org.id(), id).orElseThrow(() -> Refused.notFound("List " + id));
  }

  @PutMapping("/api/v1/orgs/{org}/lists/{id}")
  @Operation(summary = "Change a list's name, description, opt-in and visibility")
  MailingLists.MailingList updateList(OrganizationContext org, @PathVariable long id,
      @RequestBody MailingLists.ListForm form) {
    return lists.update(org.id(), id, form).orElseThrow(() -> Refused.notFound("List " + id));
  }

  @DeleteMapping("/api/v1/orgs/{org}/lists/{id}")
  @Operation(summary = "Delete a list and its subscriptions (subscribers stay)")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void deleteList(OrganizationContext org, @PathVariable long id) {
    if (!lists.delete(org.id(), id)) throw Refused.notFound("List " + id);
  }

  // ---- custom fields -----------------------------------------------------------------------

  @GetMapping("/api/v1/orgs/{org}/fields")
  @Operation(summary = "List the organization's custom fields")
  List<CustomFields.Field> fields(OrganizationContext org) {
    return fields.list(org.id());
  }

  record FieldRequest(String key, String label, String type, List<String> choices, Boolean subscriberEditable) {}

  @PostMapping("/api/v1/orgs/{org}/fields")
  @Operation(summary = "Create a custom field")
  @ResponseStatus(HttpStatus.CREATED)
  CustomFields.Field createField(OrganizationContext org, @RequestBody FieldRequest f) {
    return fields.create(org.id(), f.key(), f.label(), f.type(), f.choices(), Boolean.TRUE.equals(f.subscriberEditable()));
  }

  @PutMapping("/api/v1/orgs/{org}/fields/{id}")
  @Operation(summary = "Change a field's label, choices (a choice field's; one still in use cannot be removed) and whether"
      + " subscribers may edit it in the preference centre; key and type cannot change")
  CustomFields.Field updateField(OrganizationContext org, @PathVariable long id, @RequestBody FieldRequest f) {
    CustomFields.Field current = fields.find(org.id(), id).orElseThrow(() -> Refused.notFound("Field " + id));
    if (f.key() != null && !f.key().equals(current.key())) throw Refused.invalid("key", "A field's key cannot change.");
    if (f.type() != null && !f.type().equals(current.type())) throw Refused.invalid("type", "A field's type cannot change.");
    return fields.update(org.id(), id, f.label() == null ? current.label() : f.label(), f.choices(),
        f.subscriberEditable() == null ? current.subscriberEditable() : f.subscriberEditable()).orElseThrow();
  }

  @DeleteMapping("/api/v1/orgs/{org}/fields/{id}")
  @Operation(summary = "Delete a custom field")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void deleteField(OrganizationContext org, @PathVariable long id) {
    if (!fields.delete(org.id(), id)) throw Refused.notFound("Field " + id);
  }

  // ---- subscribers -------------------------------------------------------------------------

  /** Consent evidence the caller passes along (from its own form, for instance). */
  record ConsentInput(String text, String ip, String userAgent, String basis) {}

  /** A subscriber to create or update, and the lists to put them on. */
  record SubscriberRequest(String email, String name, Map<String, Object> fields, List<String> tags, List<Long> lists,
      @Schema(implementation = SubscriptionStatus.class, description = REQUESTED_STATUS) String status, ConsentInput consent) {}

  /** Statuses are texts in requests, so that a wrong one is refused naming its field, as every other wrong input is. */
  private static final String REQUESTED_STATUS = "subscribed (when absent), unconfirmed or unsubscribed; a double opt-in list"
      + " turns subscribed into unconfirmed and mails a confirmation link, and so does any list for someone who withdrew in"
      + " the organization (unsubscribed from any of its lists): only their own confirmation brings them back, whatever"
      + " consent evidence the call carries";

  record SubscriptionResult(long listId, SubscriptionStatus status) {}

  record UpsertResult(Subscribers.Subscriber subscriber, List<SubscriptionResult> subscriptions) {}

  @GetMapping("/api/v1/orgs/{org}/subscribers")
  @Operation(summary = "Search subscribers: by email or name (q), list and status; newest first")
  Subscribers.Page search(OrganizationContext org, @RequestParam(defaultValue = "") String q,
      @RequestParam(required = false) Long list,
      @Parameter(schema = @Schema(implementation = SubscriptionStatus.class)) @RequestParam(defaultValue = "") String status,
      @RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size) {
    Refused.checkPage(page, size);
    return subscribers.search(org.id(), q, list, TextEnum.parse(SubscriptionStatus.class, "status", status), page, size);
  }

  @PostMapping("/api/v1/orgs/{org}/subscribers")
  @Operation(summary = "Create or update a subscriber by email, optionally subscribing them to lists with consent evidence",
      description = "Answers 201 when it created the subscriber, 200 when one with this address existed and was updated."
          + " Someone who withdrew in the organization (unsubscribed from any of its lists) is put on the lists unconfirmed"
          + " and mailed a confirmation link, on single opt-in lists too, whatever consent evidence is given: the API cannot"
          + " show that the person changed their mind, their mailbox can.")
  @ApiResponse(responseCode = "201", description = "Created")
  @ApiResponse(responseCode = "200", description = "Updated")
  @Transactional
  ResponseEntity<UpsertResult> upsert(OrganizationContext org, @RequestBody SubscriberRequest body, Principal caller,
      HttpServletRequest request) {
    Saved saved = upsertOne(org, body, caller, request, "");
    return ResponseEntity.status(saved.created() ? HttpStatus.CREATED : HttpStatus.OK).body(saved.result());
  }

  private record Saved(UpsertResult result, boolean created) {}

  @PostMapping("/api/v1/orgs/{org}/subscribers/bulk")
  @Operation(summary = "Create or update up to 1,000 subscribers in one transaction; any invalid one refuses the whole call")
  @Transactional
  List<UpsertResult> bulk(OrganizationContext org, @RequestBody List<SubscriberRequest> body,
      Principal caller, HttpServletRequest request) {
    if (body == null || body.isEmpty()) throw Refused.invalid("[]", "Send an array of 1 to " + MAX_BULK + " subscribers.");
    if (body.size() > MAX_BULK) throw Refused.invalid("[]", "At most " + MAX_BULK + " subscribers per call; use an import for more.");
    List<UpsertResult> out = new ArrayList<>();
    for (int i = 0; i < body.size(); i++) {
      if (body.get(i) == null) throw Refused.invalid("[" + i + "]", "Each element is a subscriber object; element " + i + " is null.");
      out.add(upsertOne(org, body.get(i), caller, request, "[" + i + "].").result());
    }
    return out;
  }

  private Saved upsertOne(OrganizationContext org, SubscriberRequest body, Principal caller, HttpServletRequest request,
      String fieldPrefix) {
    try {
      List<Long> listIds = body.lists() == null ? List.of() : body.lists();
      for (int i = 0; i < listIds.size(); i++) {
        if (listIds.get(i) == null) throw Refused.invalid("lists[" + i + "]", "lists holds list ids; element " + i + " is null.");
      }
      SubscriptionStatus status = TextEnum.parse(SubscriptionStatus.class, "status", body.status());
      Consent.Evidence evidence = evidence(body.consent(), caller, request);
      Subscribers.Upserted saved = subscribers.createOrUpdate(org.id(),
          new Subscribers.Input(body.email(), body.name(), body.fields(), body.tags()), "api");
      long id = saved.id();
      List<SubscriptionResult> results = new ArrayList<>();
      for (Long listId : listIds) {
        results.add(new SubscriptionResult(listId, subscribers.subscribe(org.id(), id, listId, status, evidence)));
      }
      return new Saved(new UpsertResult(subscribers.find(org.id(), id).orElseThrow(), results), saved.created());
    } catch (Refused p) {
      if (fieldPrefix.isEmpty() || p.field() == null) throw p;
      throw new Refused(p.refusal().underField(fieldPrefix));
    }
  }

  record BulkResult(String action, long affected) {}

  @PostMapping("/api/v1/orgs/{org}/subscribers/bulk-actions")
  @Operation(summary = "One action (add_to_list, remove_from_list, unsubscribe, delete, tag, untag) on subscribers chosen by id or segment")
  BulkResult bulkAction(OrganizationContext org, @RequestBody BulkActions.Request body, Principal caller,
      HttpServletRequest request) {
    return new BulkResult(body.action(), bulkActions.apply(org.id(), body, caller == null ? null : caller.getName(), request.getRemoteAddr()));
  }

  @GetMapping("/api/v1/orgs/{org}/subscribers/{idOrEmail}")
  @Operation(summary = "One subscriber, by numeric id or by email address")
  Subscribers.Subscriber subscriber(OrganizationContext org, @PathVariable String idOrEmail) {
    return resolve(org, idOrEmail);
  }

  record SubscriberPatch(String name, Map<String, Object> fields, List<String> tags) {}

  @PatchMapping("/api/v1/orgs/{org}/subscribers/{idOrEmail}")
  @Operation(summary = "Change name, fields (merged; null removes one) or tags (replaced) of a subscriber")
  Subscribers.Subscriber patch(OrganizationContext org, @PathVariable String idOrEmail,
      @RequestBody SubscriberPatch patch) {
    Subscribers.Subscriber s = resolve(org, idOrEmail);
    Map<String, Object> merged = new java.util.LinkedHashMap<>(s.fields());
    if (patch.fields() != null) merged.putAll(patch.fields());
    subscribers.update(org.id(), s.id(), patch.name() == null ? s.name() : patch.name(), merged,
        patch.tags() == null ? s.tags() : patch.tags());
    return subscribers.find(org.id(), s.id()).orElseThrow();
  }

  @DeleteMapping("/api/v1/orgs/{org}/subscribers/{idOrEmail}")
  @Operation(summary = "Delete a subscriber (to erase everything about a person, use the erasure call)")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void delete(OrganizationContext org, @PathVariable String idOrEmail) {
    subscribers.delete(org.id(), resolve(org, idOrEmail).id());
  }

  // POST .../subscribers/{idOrEmail}/erasure is served by privacy (PrivacyRequestsApi): an erasure reaches every
  // capability through the personal-data map, and audiences may not call the capabilities to its right.

  @GetMapping("/api/v1/orgs/{org}/subscribers/{idOrEmail}/consent")
  @Operation(summary = "A subscriber's consent records, newest first")
  List<Consent.ConsentRecord> consent(OrganizationContext org, @PathVariable String idOrEmail) {
    return consent.of(org.id(), resolve(org, idOrEmail).id());
  }

  record SubscribeRequest(@Schema(implementation = SubscriptionStatus.class, description = REQUESTED_STATUS) String status,
      ConsentInput consent) {}

  @PutMapping("/api/v1/orgs/{org}/subscribers/{idOrEmail}/lists/{listId}")
  @Operation(summary = "Subscribe a subscriber to a list, or change their status on it, with consent evidence",
      description = "Someone who withdrew in the organization (unsubscribed from any of its lists) becomes unconfirmed and is"
          + " mailed a confirmation link, whatever the list's opt-in and whatever consent evidence is given.")
  SubscriptionResult subscribe(OrganizationContext org, @PathVariable String idOrEmail,
      @PathVariable long listId, @RequestBody SubscribeRequest body, Principal caller, HttpServletRequest request) {
    Subscribers.Subscriber s = resolve(org, idOrEmail);
    // The list is named by the path here (not a field of a form), so another organization's is not found, as for any route.
    lists.basic(org.id(), listId).orElseThrow(() -> Refused.notFound("List " + listId));
    SubscriptionStatus requested = TextEnum.parse(SubscriptionStatus.class, "status", body.status());
    SubscriptionStatus status = requested == SubscriptionStatus.UNSUBSCRIBED
        ? (subscribers.unsubscribe(org.id(), s.id(), listId, "api") ? requested : subscribers.statusOn(s.id(), listId)
            .orElseThrow(() -> Refused.notFound("Subscription to list " + listId)))
        : subscribers.subscribe(org.id(), s.id(), listId, requested, evidence(body.consent(), caller, request));
    return new SubscriptionResult(listId, status);
  }

  @PostMapping("/api/v1/orgs/{org}/subscribers/{idOrEmail}/lists/{listId}/confirmation")
  @ResponseStatus(HttpStatus.ACCEPTED)
  @Operation(summary = "Mail the double opt-in confirmation link again (unconfirmed subscriptions only)")
  void resendConfirmation(OrganizationContext org, @PathVariable String idOrEmail, @PathVariable long listId) {
    subscribers.resendConfirmation(org.id(), resolve(org, idOrEmail).id(), listId);
  }

  @DeleteMapping("/api/v1/orgs/{org}/subscribers/{idOrEmail}/lists/{listId}")
  @Operation(summary = "Remove a subscriber from a list")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void removeFromList(OrganizationContext org, @PathVariable String idOrEmail, @PathVariable long listId) {
    if (!subscribers.removeFromList(org.id(), resolve(org, idOrEmail).id(), listId)) {
      throw Refused.notFound("Subscription to list " + listId);
    }
  }

  /** The API caller's consent evidence: what its own form showed, or at least who called from where. */
  private static Consent.Evidence evidence(ConsentInput given, Principal caller, HttpServletRequest request) {
    ConsentInput c = given == null ? new ConsentInput(null, null, null, null) : given;
    Text.requireNoControls("consent.text", c.text());
    Text.requireNoControls("consent.ip", c.ip());
    Text.requireNoControls("consent.userAgent", c.userAgent());
    Text.requireNoControls("consent.basis", c.basis());
    return new Consent.Evidence(ConsentChannel.API, caller == null ? null : caller.getName(), c.text(), c.basis(),
        c.ip() == null ? request.getRemoteAddr() : c.ip(), c.userAgent());
  }

  private Subscribers.Subscriber resolve(OrganizationContext org, String idOrEmail) {
    var found = idOrEmail.matches("\\d{1,18}") ? subscribers.find(org.id(), Long.parseLong(idOrEmail))
        : subscribers.findByEmail(org.id(), idOrEmail);
    return found.orElseThrow(() -> Refused.notFound("Subscriber " + idOrEmail));
  }
}
