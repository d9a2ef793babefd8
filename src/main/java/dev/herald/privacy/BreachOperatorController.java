package dev.herald.privacy;

import dev.herald.platform.OnRefused;
import dev.herald.platform.PanelController;
import dev.herald.platform.Refused;
import dev.herald.platform.Words;
import dev.herald.platform.personaldata.PersonalDataCategory;
import dev.herald.tenancy.HeraldUser;
import dev.herald.tenancy.Organizations;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The operator's breach pages: the incidents with their 72-hour clocks and the form that records one (and notifies
 * every affected member at once); an incident's page with the clock, the field for when the authority was told, and
 * who was notified and acknowledged when. The same in {@link BreachOperatorApi}.
 */
@PanelController
class BreachOperatorController {
  static final String BASE = "/operator/breaches";
  private final BreachIncidents incidents;
  private final Organizations organizations;

  BreachOperatorController(BreachIncidents incidents, Organizations organizations) {
    this.incidents = incidents;
    this.organizations = organizations;
  }

  /** An incident with its clock, for the list. */
  record Row(BreachIncidents.Incident incident, BreachIncidents.AuthorityClock clock) {}

  @GetMapping(BASE)
  String list(Model model) {
    model.addAttribute("incidents", incidents.all().stream().map(i -> new Row(i, incidents.clockOf(i))).toList());
    model.addAttribute("organizations", organizations.allNamed());
    model.addAttribute("categories", PersonalDataCategory.values());
    return "privacy/breaches";
  }

  @PostMapping(BASE)
  @OnRefused(BASE + "#record")
  String record(@AuthenticationPrincipal HeraldUser me, @RequestParam(defaultValue = "") String title,
      @RequestParam(defaultValue = "") String description, @RequestParam(defaultValue = "") String detectedAt,
      @RequestParam(defaultValue = "false") boolean allOrganizations, @RequestParam(defaultValue = "") List<Long> organizationIds,
      @RequestParam(defaultValue = "") List<String> categories, RedirectAttributes flash) {
    BreachIncidents.Incident incident = incidents.record(new BreachIncidents.NewIncident(title, description, utc("detectedAt", detectedAt),
        allOrganizations, organizationIds, categories), me.email());
    int people = incidents.notices(incident.id()).size();
    flash.addFlashAttribute("notice", "Incident recorded; " + Words.count(people, "person", "people") + " in "
        + Words.count(incident.organizations().size(), "organization", "organizations") + Words.plural(people, " was", " were")
        + " notified.");
    return "redirect:" + BASE + "/" + incident.id();
  }

  @GetMapping(BASE + "/{id}")
  String incident(@PathVariable long id, Model model) {
    BreachIncidents.Incident incident = incidents.find(id).orElseThrow(() -> Refused.notFound("Incident"));
    List<BreachIncidents.Notice> notices = incidents.notices(id);
    model.addAttribute("incident", incident);
    model.addAttribute("clock", incidents.clockOf(incident));
    model.addAttribute("notices", notices);
    model.addAttribute("acknowledged", notices.stream().filter(n -> n.acknowledgedAt() != null).count());
    return "privacy/breach";
  }

  @PostMapping(BASE + "/{id}/authority")
  @OnRefused(value = BASE + "/{id}#authority", notFoundIsPage = true)
  String authority(@PathVariable long id, @RequestParam(defaultValue = "") String notifiedAt,
      @RequestParam(defaultValue = "") String reference, RedirectAttributes flash) {
    BreachIncidents.Incident incident = incidents.recordAuthorityNotification(id, utc("notifiedAt", notifiedAt), reference);
    flash.addFlashAttribute("notice", "Recorded: the supervisory authority was notified, " + incidents.clockOf(incident).summary() + ".");
    return "redirect:" + BASE + "/" + id;
  }

  /** A datetime-local field, read as UTC (the form says so). */
  static Instant utc(String field, String value) {
    if (value == null || value.isBlank()) return null;
    try {
      return LocalDateTime.parse(value.strip()).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw Refused.invalid(field, "Give a date and time such as 2026-12-07T09:30 (UTC).");
    }
  }
}
