package dev.herald.suppression;

import com.fasterxml.jackson.annotation.JsonAlias;
import dev.herald.platform.Refused;
import dev.herald.platform.TextEnum;
import dev.herald.tenancy.HeraldUser;
import dev.herald.tenancy.OrganizationContext;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** REST API for the organization's suppression list. {org} is the organization's slug. */
@RestController
@Tag(name = "Suppression", description = "Addresses and domains that are never mailed nor re-imported")
class SuppressionsApi {
  private final Suppressions suppressions;

  SuppressionsApi(Suppressions suppressions) {
    this.suppressions = suppressions;
  }

  @GetMapping("/api/v1/orgs/{org}/suppressions")
  @Operation(summary = "The organization's entries, newest first: by address or domain prefix (q) and reason")
  Suppressions.Page search(OrganizationContext org, @RequestParam(defaultValue = "") String q,
      @Parameter(schema = @Schema(implementation = SuppressionReason.class)) @RequestParam(defaultValue = "") String reason,
      @RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size) {
    Refused.checkPage(page, size);
    return suppressions.search(org.id(), q, TextEnum.parse(SuppressionReason.class, "reason", reason), page, size);
  }

  /**
   * One entry to add: an address or a domain. {@code expiresAt} is ISO 8601 (a date means its start, UTC). The reason is
   * text here, not the enum, so that a wrong one is reported with every other problem of the batch.
   */
  record EntryRequest(String address, String domain,
      @Schema(implementation = SuppressionReason.class, description = "manual when absent; erased is not given, only made by an erasure")
      String reason, String note, @JsonAlias("expires_at") String expiresAt) {}

  record AddRequest(List<EntryRequest> entries) {}

  /** For entry {@code index} of the request: the entry in force and whether this call added it. */
  record AddResult(int index, boolean added, Suppressions.Entry entry) {}

  record AddResponse(int added, int alreadySuppressed, List<AddResult> results) {}

  @PostMapping("/api/v1/orgs/{org}/suppressions")
  @Operation(summary = "Add up to 1,000 addresses or domains; any invalid entry refuses the whole call, naming each one")
  @Transactional
  AddResponse add(OrganizationContext org, @RequestBody AddRequest body, Principal caller) {
    List<EntryRequest> requested = body == null || body.entries() == null ? List.of() : body.entries();
    if (requested.isEmpty()) throw Refused.invalid("entries", "Send 1 to " + Suppressions.MAX_ENTRIES + " entries.");
    if (requested.size() > Suppressions.MAX_ENTRIES) {
      throw Refused.invalid("entries", "At most " + Suppressions.MAX_ENTRIES + " entries per call.");
    }
    List<Suppressions.Problem> problems = new ArrayList<>();
    List<Suppressions.NewEntry> entries = new ArrayList<>();
    for (int i = 0; i < requested.size(); i++) {
      EntryRequest r = requested.get(i) == null ? new EntryRequest(null, null, null, null, null) : requested.get(i);
      Instant expires = null;
      try {
        expires = instant(r.expiresAt());
      } catch (DateTimeParseException e) {
        problems.add(new Suppressions.Problem(i, "expiresAt", "expiresAt is an ISO 8601 time (2030-01-31T12:00:00Z) or date."));
      }
      SuppressionReason reason = null;
      try {
        reason = TextEnum.parse(SuppressionReason.class, "reason", r.reason());
      } catch (Refused wrong) {
        problems.add(new Suppressions.Problem(i, "reason", wrong.getMessage()));
      }
      entries.add(new Suppressions.NewEntry(r.address(), r.domain(), reason, r.note(), expires));
    }
    // All or nothing: every problem of every entry is reported before anything is stored.
    try {
      suppressions.checkAll(entries);
    } catch (Suppressions.InvalidEntries invalid) {
      problems.addAll(invalid.problems());
    }
    if (!problems.isEmpty()) throw unprocessable(problems);
    List<Suppressions.Added> added = suppressions.addAll(org.id(), entries, source(caller));
    List<AddResult> results = new ArrayList<>();
    for (int i = 0; i < added.size(); i++) results.add(new AddResult(i, added.get(i).added(), added.get(i).entry()));
    int n = (int) added.stream().filter(Suppressions.Added::added).count();
    return new AddResponse(n, added.size() - n, results);
  }

  record CheckResult(String email, boolean suppressed, List<Suppressions.Match> matches) {}

  @GetMapping("/api/v1/orgs/{org}/suppressions/check")
  @Operation(summary = "Whether an address is suppressed here, and by which entries (this organization's or the installation's)")
  CheckResult check(OrganizationContext org, @RequestParam(defaultValue = "") String email) {
    String key = Target.address("email", email).key();
    List<Suppressions.Match> matches = suppressions.check(org.id(), key);
    return new CheckResult(key, !matches.isEmpty(), matches);
  }

  @GetMapping("/api/v1/orgs/{org}/suppressions/{id}")
  @Operation(summary = "Get a suppression")
  Suppressions.Entry entry(OrganizationContext org, @PathVariable long id) {
    return suppressions.find(org.id(), id).orElseThrow(() -> Refused.notFound("Suppression " + id));
  }

  @DeleteMapping("/api/v1/orgs/{org}/suppressions/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Lift an entry: the address or domain may be mailed and imported again")
  void delete(OrganizationContext org, @PathVariable long id) {
    if (!suppressions.remove(org.id(), id)) throw Refused.notFound("Suppression " + id);
  }

  /** Who added an entry through the API: the key ("api:api-key:hrld_ab12"), or a signed-in person by email as in the panel. */
  private static String source(Principal caller) {
    return "api:" + switch (caller) {
      case HeraldUser user -> user.email();
      case null -> "unknown";
      default -> caller.getName();
    };
  }

  private static Instant instant(String text) {
    if (text == null || text.isBlank()) return null;
    String t = text.strip();
    return t.length() == 10 ? LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant() : OffsetDateTime.parse(t).toInstant();
  }

  /** Every problem of the batch, each named as entries[i].field, in one problem+json response. */
  private static ErrorResponseException unprocessable(List<Suppressions.Problem> problems) {
    Suppressions.InvalidEntries invalid = new Suppressions.InvalidEntries(problems);
    ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.UNPROCESSABLE_CONTENT, invalid.getMessage());
    body.setProperty("errors", problems.stream()
        .sorted(Comparator.comparingInt(Suppressions.Problem::index))
        .map(p -> Map.of("field", "entries[" + p.index() + "]." + p.field(), "message", p.message()))
        .toList());
    return new ErrorResponseException(HttpStatus.UNPROCESSABLE_CONTENT, body, invalid);
  }
}
