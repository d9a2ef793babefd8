package dev.herald.privacy;

import dev.herald.platform.OnRefused;
import dev.herald.platform.PanelController;
import dev.herald.tenancy.OrganizationContext;
import dev.herald.tenancy.Permission;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDate;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import tools.jackson.databind.ObjectMapper;

/**
 * The operator's record of processing activities (with its CSV and JSON downloads) and retention schedules with the
 * record of runs, and an organization's data-retention page, where an owner or a member with privacy:write shortens a
 * schedule for the organization. The same in {@link RetentionApi}.
 */
@PanelController
class RetentionController {
  static final String RECORD = "/operator/processing-record";
  static final String OPERATOR = "/operator/retention";
  private static final int RUNS_SHOWN = 20;
  private final RetentionSchedules schedules;
  private final RetentionEngine engine;
  private final ProcessingRecord record;
  private final ObjectMapper json;
  private final Clock clock;

  RetentionController(RetentionSchedules schedules, RetentionEngine engine, ProcessingRecord record, ObjectMapper json, Clock clock) {
    this.schedules = schedules;
    this.engine = engine;
    this.record = record;
    this.json = json;
    this.clock = clock;
  }

  // ---- the operator -------------------------------------------------------------------------------------------

  @GetMapping(RECORD)
  String processingRecord(Model model) {
    model.addAttribute("record", record.record());
    return "privacy/processing-record";
  }

  @GetMapping(RECORD + ".csv")
  void processingRecordCsv(HttpServletResponse response) throws IOException {
    download(response, "text/csv; charset=UTF-8", "csv");
    record.writeCsv(new OutputStreamWriter(response.getOutputStream(), StandardCharsets.UTF_8));
  }

  @GetMapping(RECORD + ".json")
  void processingRecordJson(HttpServletResponse response) throws IOException {
    download(response, "application/json", "json");
    json.writerWithDefaultPrettyPrinter().writeValue(response.getOutputStream(), record.record());
  }

  private void download(HttpServletResponse response, String type, String extension) {
    response.setContentType(type);
    String name = "herald-processing-record-" + LocalDate.now(clock) + "." + extension;
    response.setHeader(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(name).build().toString());
  }

  @GetMapping(OPERATOR)
  String operatorRetention(Model model) {
    model.addAttribute("schedules", schedules.operatorSchedules());
    model.addAttribute("runs", engine.recent(RUNS_SHOWN));
    return "privacy/retention-operator";
  }

  @PostMapping(OPERATOR)
  @OnRefused(OPERATOR)
  String setOperatorSchedule(@RequestParam(defaultValue = "") String category, @RequestParam(defaultValue = "") String period,
      RedirectAttributes flash) {
    RetentionSchedules.Schedule s = schedules.setOperator(category, period);
    flash.addFlashAttribute("notice", "The schedule of " + s.category().text() + " is now " + s.periodText() + ".");
    return "redirect:" + OPERATOR;
  }

  @PostMapping(OPERATOR + "/run")
  String runNow(RedirectAttributes flash) {
    flash.addFlashAttribute("notice", engine.queueNow() ? "A retention run is queued: a worker node starts it within a minute."
        : "A retention run is queued or running already.");
    return "redirect:" + OPERATOR;
  }

  // ---- an organization ----------------------------------------------------------------------------------------

  @GetMapping("/o/{org}/privacy/retention")
  String organizationRetention(OrganizationContext org, Model model) {
    model.addAttribute("schedules", schedules.forOrganization(org.id()));
    model.addAttribute("canWrite", org.can(Permission.PRIVACY_WRITE));
    model.addAttribute("lastRun", engine.recent(1).stream().findFirst().orElse(null));
    return "privacy/retention";
  }

  @PostMapping("/o/{org}/privacy/retention")
  @OnRefused("/o/{org}/privacy/retention")
  String setOrganizationSchedule(OrganizationContext org, @RequestParam(defaultValue = "") String category,
      @RequestParam(defaultValue = "") String period, RedirectAttributes flash) {
    schedules.setForOrganization(org.id(), category, period);
    flash.addFlashAttribute("notice", period.isBlank() ? "The installation's schedule of " + category + " applies again."
        : "This organization's schedule of " + category + " is now " + RetentionSchedules.describe(RetentionSchedules.parse("period", period)) + ".");
    return "redirect:/o/" + org.slug() + "/privacy/retention";
  }
}
