package dev.herald.campaigns;

import dev.herald.audiences.MailingLists;
import dev.herald.audiences.SegmentNames;
import dev.herald.content.ContentFormat;
import dev.herald.content.TemplateKind;
import dev.herald.content.Templates;
import dev.herald.delivery.RecipientState;
import dev.herald.domains.SendingDomains;
import dev.herald.platform.Forms;
import dev.herald.platform.OnRefused;
import dev.herald.platform.PanelController;
import dev.herald.platform.Refusal;
import dev.herald.platform.Refused;
import dev.herald.platform.TextEnum;
import dev.herald.tenancy.OrganizationContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The campaign pages: the list with state, progress and tags; the form that writes one (content, sender, audience,
 * tracking); a campaign's page with its schedule and controls (pause, resume, cancel, duplicate, throttle), the live
 * progress polled by htmx while it sends, and its recipients' delivery states. Everything it changes goes through
 * {@link Campaigns}. A refused form is shown again in the same response, every field as it was sent (the body can be
 * large, and the audience's choices are many values of one name: neither suits a flash).
 */
@PanelController
class CampaignsController {
  static final int PAGE_SIZE = 50;
  static final int RECIPIENTS_PAGE = 50;
  private final Campaigns campaigns;
  private final CampaignProgress progress;
  private final MailingLists lists;
  private final SegmentNames segments;
  private final Templates templates;
  private final SendingDomains domains;
  private final AudienceEstimates estimates;

  CampaignsController(Campaigns campaigns, CampaignProgress progress, MailingLists lists, SegmentNames segments, Templates templates,
      SendingDomains domains, AudienceEstimates estimates) {
    this.campaigns = campaigns;
    this.estimates = estimates;
    this.progress = progress;
    this.lists = lists;
    this.segments = segments;
    this.templates = templates;
    this.domains = domains;
  }

  @GetMapping("/o/{org}/campaigns")
  String list(OrganizationContext org, @RequestParam(defaultValue = "0") int page, Model model) {
    Campaigns.Page found = campaigns.list(org.id(), null, Math.max(page, 0), PAGE_SIZE);
    model.addAttribute("page", found);
    model.addAttribute("campaigns", found.items());
    model.addAttribute("progress", progress.summaries(org.id(), found.items().stream().map(Campaign::id).toList()));
    return "campaigns/campaigns";
  }

  // ---- writing -----------------------------------------------------------------------------------------------------

  @GetMapping("/o/{org}/campaigns/new")
  String newForm(OrganizationContext org, Model model) {
    formChoices(org, model);
    model.addAttribute("values", Map.of("trackOpens", "on", "trackClicks", "on", "bodyFormat", ContentFormat.RICHTEXT.text()));
    return "campaigns/form";
  }

  @PostMapping("/o/{org}/campaigns")
  String create(OrganizationContext org, HttpServletRequest request, HttpServletResponse response, Model model,
      RedirectAttributes flash) {
    try {
      return toCampaign(org, campaigns.create(org.id(), form(request)).id(), flash, "Campaign saved as a draft.");
    } catch (Refused refused) {
      return refusedForm(org, null, refused, request, response, model);
    }
  }

  @GetMapping("/o/{org}/campaigns/{id}/edit")
  String editForm(OrganizationContext org, @PathVariable long id, Model model) {
    Campaign c = campaigns.get(org.id(), id);
    formChoices(org, model);
    model.addAttribute("campaign", c);
    model.addAttribute("values", values(c));
    return "campaigns/form";
  }

  /** A campaign gone since the form was opened is the 404 page, not an error on the form. */
  @PostMapping("/o/{org}/campaigns/{id}")
  String update(OrganizationContext org, @PathVariable long id, HttpServletRequest request, HttpServletResponse response, Model model,
      RedirectAttributes flash) {
    Campaign c = campaigns.get(org.id(), id);
    try {
      campaigns.update(org.id(), id, form(request));
      return toCampaign(org, id, flash, "Campaign saved.");
    } catch (Refused refused) {
      if (refused.refusal() instanceof Refusal.NotFound) throw refused;
      return refusedForm(org, c, refused, request, response, model);
    }
  }

  private String refusedForm(OrganizationContext org, Campaign c, Refused refused, HttpServletRequest request,
      HttpServletResponse response, Model model) {
    Forms.refused(refused, model, response);
    formChoices(org, model);
    model.addAttribute("campaign", c);
    model.addAttribute("values", submitted(request));
    return "campaigns/form";
  }

  /**
   * How many people the audience chosen in the form has now (subscribed, not suppressed, each once: what a start
   * would fix), asked by htmx on every change of the form's audience. Ids that are not the organization's count nobody.
   */
  @GetMapping("/o/{org}/campaigns/audience-estimate")
  String audienceEstimate(OrganizationContext org, HttpServletRequest request, Model model) {
    Campaign.Audience a = new Campaign.Audience(ids(request, "lists"), ids(request, "segments"), ids(request, "excludedLists"),
        ids(request, "excludedSegments"));
    model.addAttribute("chosen", !a.isEmpty());
    String clash = clash(org, a);
    model.addAttribute("clash", clash);
    model.addAttribute("estimate", clash != null ? OptionalLong.empty() : estimates.count(org.id(), a));
    return "campaigns/form :: estimate";
  }

  /** A list or segment both sent to and left out, by name (the save refuses it), or null. */
  private String clash(OrganizationContext org, Campaign.Audience a) {
    if (a.lists().stream().anyMatch(a.excludedLists()::contains)) {
      for (var l : lists.names(org.id())) {
        if (a.lists().contains(l.id()) && a.excludedLists().contains(l.id())) return l.name() + " is both sent to and left out: untick one.";
      }
    }
    if (a.segments().stream().anyMatch(a.excludedSegments()::contains)) {
      for (var g : segments.names(org.id())) {
        if (a.segments().contains(g.id()) && a.excludedSegments().contains(g.id())) return g.name() + " is both sent to and left out: untick one.";
      }
    }
    return null;
  }

  private void formChoices(OrganizationContext org, Model model) {
    model.addAttribute("verified", domains.names(org.id()).stream().filter(SendingDomains.Named::verified).toList());
    model.addAttribute("lists", lists.names(org.id()));
    model.addAttribute("segments", segments.names(org.id()));
    model.addAttribute("templates", templates.list(org.id(), TemplateKind.CAMPAIGN));
    model.addAttribute("formats", ContentFormat.values());
  }

  /** The form's fields as the service takes them; what cannot be read is named beside its field by the service. */
  private static CampaignForm form(HttpServletRequest r) {
    String local = param(r, "fromLocal"), domain = param(r, "fromDomain");
    String from = local.isBlank() && domain.isBlank() ? "" : local.strip() + "@" + domain.strip();
    return new CampaignForm(param(r, "name"), tags(param(r, "tags")), param(r, "subject"), param(r, "preheader"), from,
        param(r, "fromName"), param(r, "replyTo"), id(r, "templateId"), param(r, "body"), param(r, "bodyFormat"),
        r.getParameter("trackOpens") != null, r.getParameter("trackClicks") != null,
        new Campaign.Audience(ids(r, "lists"), ids(r, "segments"), ids(r, "excludedLists"), ids(r, "excludedSegments")));
  }

  /** A stored campaign as the form's values (the same names the form posts). */
  static Map<String, Object> values(Campaign c) {
    Map<String, Object> v = new HashMap<>();
    int at = c.fromAddress().lastIndexOf('@');
    v.put("name", c.name());
    v.put("tags", String.join(", ", c.tags()));
    v.put("subject", c.subject());
    v.put("preheader", c.preheader());
    v.put("fromLocal", at < 0 ? c.fromAddress() : c.fromAddress().substring(0, at));
    v.put("fromDomain", at < 0 ? "" : c.fromAddress().substring(at + 1));
    v.put("fromName", c.fromName());
    v.put("replyTo", c.replyTo());
    v.put("templateId", c.templateId() == null ? "" : c.templateId().toString());
    v.put("body", c.body());
    v.put("bodyFormat", c.bodyFormat());
    v.put("trackOpens", c.trackOpens() ? "on" : null);
    v.put("trackClicks", c.trackClicks() ? "on" : null);
    v.put("lists", strings(c.audience().lists()));
    v.put("segments", strings(c.audience().segments()));
    v.put("excludedLists", strings(c.audience().excludedLists()));
    v.put("excludedSegments", strings(c.audience().excludedSegments()));
    return v;
  }

  /** The audience's fields: each is sent once per ticked box. */
  private static final List<String> AUDIENCE = List.of("lists", "segments", "excludedLists", "excludedSegments");

  /** A refused form's values as sent (the same names {@link #values} gives): every audience choice, one value of the rest. */
  private static Map<String, Object> submitted(HttpServletRequest r) {
    Map<String, Object> v = new HashMap<>();
    r.getParameterMap().forEach((name, given) -> {
      if (given.length > 0) v.put(name, AUDIENCE.contains(name) ? List.of(given) : given[0]);
    });
    for (String many : AUDIENCE) v.putIfAbsent(many, List.of());
    return v;
  }

  private static List<String> strings(List<Long> ids) {
    return ids.stream().map(String::valueOf).toList();
  }

  private static String param(HttpServletRequest r, String name) {
    String v = r.getParameter(name);
    return v == null ? "" : v;
  }

  static List<String> tags(String text) {
    return Arrays.stream(text.split(",")).map(String::strip).filter(t -> !t.isEmpty()).distinct().toList();
  }

  private static Long id(HttpServletRequest r, String name) {
    String v = param(r, name).strip();
    if (v.isEmpty()) return null;
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw Refused.invalid(name, "Choose one of the offered values.");
    }
  }

  private static List<Long> ids(HttpServletRequest r, String name) {
    String[] values = r.getParameterValues(name);
    if (values == null) return List.of();
    List<Long> ids = new ArrayList<>();
    for (String v : values) {
      try {
        ids.add(Long.parseLong(v.strip()));
      } catch (NumberFormatException e) {
        throw Refused.invalid(AUDIENCE.contains(name) ? "audience" : name, "Choose one of the offered values.");
      }
    }
    return ids;
  }

  // ---- one campaign ------------------------------------------------------------------------------------------------

  @GetMapping("/o/{org}/campaigns/{id}")
  String campaign(OrganizationContext org, @PathVariable long id, @RequestParam(required = false) Long after,
      @RequestParam(defaultValue = "") String state, Model model) {
    Campaign c = campaigns.get(org.id(), id);
    // A filter is a link anyone may have edited: a state that is none is no filter.
    RecipientState s = TextEnum.find(RecipientState.class, state).orElse(null);
    model.addAttribute("campaign", c);
    model.addAttribute("live", progress.of(c));
    model.addAttribute("recipients", progress.recipients(c, s, after, RECIPIENTS_PAGE));
    model.addAttribute("after", after);
    model.addAttribute("state", s == null ? "" : s.text());
    model.addAttribute("deliveryStates", RecipientState.values());
    model.addAttribute("zones", Zones.ALL);
    model.addAttribute("throttleUnits", ThrottleUnit.values());
    model.addAttribute("listNames", lists.names(org.id()));
    model.addAttribute("segmentNames", segments.names(org.id()));
    return "campaigns/campaign";
  }

  /**
   * The progress part of the campaign's page, polled every few seconds while it sends. When the state is no longer the
   * one the page was drawn in ({@code shown}), htmx loads the whole page again: its controls (edit, schedule, pause,
   * delete) and the recipients belong to the new state.
   */
  @GetMapping("/o/{org}/campaigns/{id}/live")
  String live(OrganizationContext org, @PathVariable long id, @RequestParam(defaultValue = "") String shown, Model model,
      HttpServletResponse response) {
    Campaign c = campaigns.get(org.id(), id);
    if (!shown.isEmpty() && !shown.equals(c.state().text())) response.setHeader("HX-Refresh", "true");
    model.addAttribute("campaign", c);
    model.addAttribute("live", progress.of(c));
    return "campaigns/campaign :: live";
  }

  /**
   * Now, or a date and time in the chosen zone, kept as the member wrote it. Every refusal (a missing subject, sender
   * or audience is found only now) is shown in the schedule's box.
   */
  @PostMapping("/o/{org}/campaigns/{id}/schedule")
  @OnRefused(value = "/o/{org}/campaigns/{id}#schedule", errorKey = "schedule", notFoundIsPage = true)
  String schedule(OrganizationContext org, @PathVariable long id, @RequestParam(defaultValue = "") String when,
      @RequestParam(defaultValue = "") String date, @RequestParam(defaultValue = "") String time,
      @RequestParam(defaultValue = "UTC") String zone, RedirectAttributes flash) {
    LocalDateTime at = "later".equals(when) ? localTime(date, time) : null;
    campaigns.schedule(org.id(), id, at, zone);
    return toCampaign(org, id, flash, at == null ? "The campaign starts now." : "The campaign is scheduled.");
  }

  static LocalDateTime localTime(String date, String time) {
    LocalDate d;
    try {
      d = LocalDate.parse(date.strip());
    } catch (DateTimeParseException e) {
      throw Refused.invalid("date", "Give the day as YYYY-MM-DD.");
    }
    if (d.getYear() < 2000 || d.getYear() > 9999) throw Refused.invalid("date", "Give a day of this century.");
    try {
      return d.atTime(LocalTime.parse(time.strip()));
    } catch (DateTimeParseException e) {
      throw Refused.invalid("time", "Give the time as HH:MM.");
    }
  }

  @PostMapping("/o/{org}/campaigns/{id}/unschedule")
  @OnRefused(value = "/o/{org}/campaigns/{id}", errorKey = "form", notFoundIsPage = true)
  String unschedule(OrganizationContext org, @PathVariable long id, RedirectAttributes flash) {
    campaigns.unschedule(org.id(), id);
    return toCampaign(org, id, flash, "Back to draft: it will not start.");
  }

  @PostMapping("/o/{org}/campaigns/{id}/pause")
  @OnRefused(value = "/o/{org}/campaigns/{id}", errorKey = "form", notFoundIsPage = true)
  String pause(OrganizationContext org, @PathVariable long id, RedirectAttributes flash) {
    campaigns.pause(org.id(), id);
    return toCampaign(org, id, flash, "Paused: nothing more is sent until you resume it.");
  }

  @PostMapping("/o/{org}/campaigns/{id}/resume")
  @OnRefused(value = "/o/{org}/campaigns/{id}", errorKey = "form", notFoundIsPage = true)
  String resume(OrganizationContext org, @PathVariable long id, RedirectAttributes flash) {
    campaigns.resume(org.id(), id);
    return toCampaign(org, id, flash, "Sending again.");
  }

  @PostMapping("/o/{org}/campaigns/{id}/cancel")
  @OnRefused(value = "/o/{org}/campaigns/{id}", errorKey = "form", notFoundIsPage = true)
  String cancel(OrganizationContext org, @PathVariable long id, RedirectAttributes flash) {
    campaigns.cancel(org.id(), id);
    return toCampaign(org, id, flash, "Cancelled: the recipients not sent yet will not get it.");
  }

  @PostMapping("/o/{org}/campaigns/{id}/delete")
  @OnRefused(value = "/o/{org}/campaigns/{id}", errorKey = "form", notFoundIsPage = true)
  String delete(OrganizationContext org, @PathVariable long id, RedirectAttributes flash) {
    String name = campaigns.get(org.id(), id).name();
    campaigns.delete(org.id(), id);
    flash.addFlashAttribute("notice", "Campaign " + name + " deleted.");
    return "redirect:/o/" + org.slug() + "/campaigns";
  }

  @PostMapping("/o/{org}/campaigns/{id}/duplicate")
  @OnRefused(value = "/o/{org}/campaigns/{id}", errorKey = "form", notFoundIsPage = true)
  String duplicate(OrganizationContext org, @PathVariable long id, RedirectAttributes flash) {
    Campaign copy = campaigns.duplicate(org.id(), id);
    flash.addFlashAttribute("notice", "A copy was saved as a draft.");
    return "redirect:/o/" + org.slug() + "/campaigns/" + copy.id() + "/edit";
  }

  /** A limit per minute or hour, or none (an empty limit); it takes effect while the campaign sends. */
  @PostMapping("/o/{org}/campaigns/{id}/throttle")
  @OnRefused(value = "/o/{org}/campaigns/{id}#throttle", errorKey = "throttle", notFoundIsPage = true)
  String throttle(OrganizationContext org, @PathVariable long id, @RequestParam(defaultValue = "") String limit,
      @RequestParam(defaultValue = "minute") String per, RedirectAttributes flash) {
    Integer n = null;
    if (!limit.isBlank()) {
      try {
        n = Integer.valueOf(limit.strip());
      } catch (NumberFormatException e) {
        throw Refused.invalid("limit", "Give a whole number of messages, or leave it empty for no limit.");
      }
    }
    Campaign c = campaigns.throttle(org.id(), id, n, per);
    return toCampaign(org, id, flash, c.throttle() == null ? "No limit: it is handed to the queue as fast as the queue takes it."
        : "At most " + c.throttle().limit() + " messages per " + c.throttle().per().text() + ".");
  }

  /** Back to the campaign's page with a notice: where every change of a campaign ends. */
  private static String toCampaign(OrganizationContext org, long id, RedirectAttributes flash, String notice) {
    flash.addFlashAttribute("notice", notice);
    return "redirect:/o/" + org.slug() + "/campaigns/" + id;
  }

  /** The zones offered by the schedule form: UTC first, then every region's by name. */
  static final class Zones {
    static final List<String> ALL;

    static {
      List<String> zones = new ArrayList<>(ZoneId.getAvailableZoneIds().stream()
          .filter(z -> z.contains("/") && !z.startsWith("Etc/") && !z.startsWith("SystemV/")).sorted().toList());
      zones.addFirst("UTC");
      ALL = List.copyOf(zones);
    }

    private Zones() {}
  }
}
