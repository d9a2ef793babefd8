package dev.herald.privacy;

import dev.herald.audiences.Subscribers;
import dev.herald.platform.Refused;
import dev.herald.platform.Text;
import dev.herald.platform.personaldata.DataSubject;
import dev.herald.platform.personaldata.RetentionCategory;
import dev.herald.tenancy.Organizations;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.ObjectMapper;

/**
 * Completing a request carries it out, in the same transaction as the request's new status, so a request is never
 * marked completed without its work nor the other way round:
 * <ul>
 *   <li>access and portability: the ZIP ({@link AccessArchive}) of what every holder exports, stored for download;
 *       a person who asked on the hosted page is mailed the signed link to it ({@link ArchiveLinks});</li>
 *   <li>erasure: every holder erases ({@link Erasure}), then the request itself forgets the address;</li>
 *   <li>rectification: the subscriber's address, name or fields are corrected through audiences' public API;</li>
 *   <li>restriction and objection: suppression's restriction of the address.</li>
 * </ul>
 */
@Service
public class RequestCompletion {
  private final DataSubjectRequests requests;
  private final DataSubjects subjects;
  private final PersonalDataMap map;
  private final Erasure erasure;
  private final Archives archives;
  private final Subscribers subscribers;
  private final Organizations organizations;
  private final Restricting restricting;
  private final ObjectMapper json;
  private final Clock clock;
  private final SubProcessors subProcessors;
  private final RetentionSchedules retentionSchedules;
  private final ArchiveLinks archiveLinks;

  RequestCompletion(DataSubjectRequests requests, DataSubjects subjects, PersonalDataMap map, Erasure erasure, Archives archives,
      Subscribers subscribers, Organizations organizations, Restricting restricting, ObjectMapper json, Clock clock, SubProcessors subProcessors,
      RetentionSchedules retentionSchedules, ArchiveLinks archiveLinks) {
    this.archiveLinks = archiveLinks;
    this.subProcessors = subProcessors;
    this.retentionSchedules = retentionSchedules;
    this.requests = requests;
    this.subjects = subjects;
    this.map = map;
    this.erasure = erasure;
    this.archives = archives;
    this.subscribers = subscribers;
    this.organizations = organizations;
    this.restricting = restricting;
    this.json = json;
    this.clock = clock;
  }

  /**
   * What a rectification changes; null members are left as they are. {@code fields} are merged into the subscriber's
   * (a null value removes one).
   */
  public record Rectification(String email, String name, Map<String, Object> fields) {
    public static final Rectification NONE = new Rectification(null, null, null);

    boolean empty() {
      return (email == null || email.isBlank()) && name == null && (fields == null || fields.isEmpty());
    }
  }

  /** Carries the request out and closes it as completed; {@code note} goes into the history. */
  @Transactional
  public DataSubjectRequests.Request complete(long organizationId, long id, String actor, String note, Rectification rectification) {
    String cleanNote = DataSubjectRequests.note(note, "note");
    DataSubjectRequests.Request r = requests.lockOpen(organizationId, id);
    DataSubject person = subjects.of(organizationId, r.address());
    Map<String, Object> outcome = switch (r.type()) {
      case ACCESS, PORTABILITY -> archive(organizationId, r, person);
      case ERASURE -> erase(organizationId, r, person);
      case RECTIFICATION -> rectify(organizationId, r, person, actor, rectification == null ? Rectification.NONE : rectification);
      case RESTRICTION, OBJECTION -> restrict(organizationId, r, actor, cleanNote);
    };
    requests.markCompleted(organizationId, id, actor, cleanNote, outcome);
    if ((r.type() == RequestType.ACCESS || r.type() == RequestType.PORTABILITY) && r.channel() == RequestChannel.SELF_SERVICE) {
      mailArchive(organizationId, r);
    }
    if (r.type() == RequestType.ERASURE) {
      // After the completion step is written, so that its note is scrubbed of the address too.
      requests.forgetAddress(id, r.address(), person.addressKey());
    }
    return requests.get(organizationId, id);
  }

  /**
   * Erases a subscriber at once (the subscriber page's erase action and the API's {@code .../erasure}): recorded as an
   * erasure request received and completed now, in one transaction, so the organization keeps the completion record.
   */
  @Transactional
  public DataSubjectRequests.Request eraseNow(long organizationId, String address, RequestChannel channel, String actor) {
    DataSubjectRequests.Request r = requests.open(organizationId, RequestType.ERASURE, address, channel, actor, null);
    return complete(organizationId, r.id(), actor, "erased from the subscriber's page or the subscribers API", Rectification.NONE);
  }

  /** Lifts the restriction or objection a completed request put in place, recorded in its history. */
  @Transactional
  public DataSubjectRequests.Request lift(long organizationId, long id, String actor, String note) {
    DataSubjectRequests.Request r = requests.get(organizationId, id);
    if (r.type() != RequestType.RESTRICTION && r.type() != RequestType.OBJECTION) {
      throw Refused.conflict("type", "Only a restriction or an objection can be lifted.");
    }
    if (r.status() != RequestStatus.COMPLETED) throw Refused.conflict("status", "The request is not in force: it was never completed.");
    boolean lifted = restricting.lift(organizationId, r.address(), r.type());
    requests.step(id, RequestAction.LIFTED, actor, DataSubjectRequests.note(note, "note")
        + (lifted ? "" : (note == null || note.isBlank() ? "" : " ") + "(it was no longer in force)"));
    return r;
  }

  private Map<String, Object> archive(long organizationId, DataSubjectRequests.Request r, DataSubject person) {
    AccessArchive archive = AccessArchive.collect(map, person);
    Instant now = clock.instant();
    String organization = organizations.name(organizationId).orElse("");
    List<AccessArchive.Recipient> recipients = subProcessors.list().stream()
        .map(p -> new AccessArchive.Recipient(p.name(), p.purpose(), p.location(), p.url())).toList();
    Map<RetentionCategory, String> schedules = new java.util.EnumMap<>(RetentionCategory.class);
    for (RetentionSchedules.OrganizationSchedule s : retentionSchedules.forOrganization(organizationId)) schedules.put(s.category(), s.appliesText());
    byte[] zip = archive.zip(json, organization, r.address(), now, AccessArchive.purposes(map), recipients,
        AccessArchive.retention(map, schedules));
    String file = "personal-data-" + r.id() + "-" + LocalDate.ofInstant(now, ZoneOffset.UTC) + ".zip";
    archives.store(organizationId, r.id(), file, zip);
    Map<String, Object> outcome = new LinkedHashMap<>();
    outcome.put("sections", archive.sections().size());
    outcome.put("items", archive.sections().stream().mapToInt(s -> s.rows().size()).sum());
    outcome.put("archiveBytes", zip.length);
    return outcome;
  }

  /** The person asked on the hosted page and has no account to fetch it from: the link goes to the address the request proved. */
  private void mailArchive(long organizationId, DataSubjectRequests.Request r) {
    Instant expiresAt = archives.available(organizationId, r.id()).orElseThrow().expiresAt();
    archiveLinks.mail(r.address(), organizations.name(organizationId).orElse(""), archiveLinks.link(organizationId, r.id(), expiresAt),
        expiresAt);
    requests.step(r.id(), RequestAction.ARCHIVE_MAILED, "system",
        "the download link was mailed to the person; it works until " + dev.herald.platform.Dates.time(expiresAt));
  }

  private Map<String, Object> erase(long organizationId, DataSubjectRequests.Request r, DataSubject person) {
    // Privacy's own tables (the person's requests, this one included, and their archives) are privacy's holder's part.
    return erasure.erase(person);
  }

  private Map<String, Object> rectify(long organizationId, DataSubjectRequests.Request r, DataSubject person, String actor,
      Rectification change) {
    if (change.empty()) throw Refused.invalid("email", "Say what to correct: the address, the name or fields.");
    if (person.subscriberIds().isEmpty()) {
      throw Refused.conflict("address", "The organization holds no subscriber with this address; there is nothing to correct.");
    }
    long subscriberId = person.subscriberIds().getFirst();
    Subscribers.Subscriber s = subscribers.find(organizationId, subscriberId).orElseThrow(() -> Refused.notFound("No such subscriber."));
    List<String> changed = new ArrayList<>();
    if (change.name() != null || (change.fields() != null && !change.fields().isEmpty())) {
      Map<String, Object> merged = new LinkedHashMap<>(s.fields());
      if (change.fields() != null) merged.putAll(change.fields());
      String name = change.name() == null ? s.name() : Text.requireOneLine("name", change.name()).strip();
      subscribers.update(organizationId, subscriberId, name, merged, s.tags());
      if (change.name() != null && !name.equals(s.name())) changed.add("name");
      if (change.fields() != null && !change.fields().isEmpty()) changed.add("fields " + String.join(", ", change.fields().keySet()));
    }
    if (change.email() != null && !change.email().isBlank()) {
      subscribers.changeEmail(organizationId, subscriberId, change.email().strip());
      changed.add("address");
    }
    requests.step(r.id(), RequestAction.RECTIFIED, actor, changed.isEmpty() ? "nothing changed" : "corrected: " + String.join("; ", changed));
    Map<String, Object> outcome = new LinkedHashMap<>();
    outcome.put("subscriber", subscriberId);
    outcome.put("corrected", changed);
    return outcome;
  }

  private Map<String, Object> restrict(long organizationId, DataSubjectRequests.Request r, String actor, String note) {
    restricting.restrict(organizationId, r.address(), r.type(), note.isEmpty() ? "data-subject request " + r.id() : note);
    requests.step(r.id(), RequestAction.RESTRICTED, actor, r.type() == RequestType.RESTRICTION
        ? "nothing is sent to the address by any path; left out of segments and exports"
        : "no marketing mail is sent to the address");
    return Map.of("restriction", r.type().text());
  }
}
