package dev.herald.privacy;

import dev.herald.platform.personaldata.RetentionCategory;
import java.util.Arrays;
import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The installation's public privacy page on the public origin (DESIGN.md security rule 2: {@code /p/} is served there
 * only): generated from data, not written by hand, so it cannot fall behind. The sub-processors and the region and
 * contact the operator keeps ({@link TransparencyController}), and how long each kind of personal data is kept. No
 * session, no cookie, no script.
 */
@Controller
class PrivacyPageController {
  static final String PATH = "/p/privacy";
  private final TransparencySettings settings;
  private final SubProcessors subProcessors;

  PrivacyPageController(TransparencySettings settings, SubProcessors subProcessors) {
    this.settings = settings;
    this.subProcessors = subProcessors;
  }

  /** A retention schedule as the page shows it: the kind of data and how long it is kept. */
  record Retention(String category, String period) {}

  @GetMapping(PATH)
  String page(Model model) {
    model.addAttribute("settings", settings.get());
    model.addAttribute("subProcessors", subProcessors.list());
    model.addAttribute("retention", retention());
    return "privacy/public-privacy";
  }

  /**
   * Each retention category's schedule. Until the retention engine keeps the operator's own schedules, these are the
   * defaults every installation starts with.
   */
  static List<Retention> retention() {
    return Arrays.stream(RetentionCategory.values()).map(c -> new Retention(c.text(),
        c.defaultPeriod() == null ? "as long as the account or subscription lasts" : describe(c.defaultPeriod()))).toList();
  }

  static String describe(java.time.Period p) {
    if (p.getYears() > 0 && p.getMonths() == 0 && p.getDays() == 0) return p.getYears() + (p.getYears() == 1 ? " year" : " years");
    if (p.getMonths() > 0 && p.getYears() == 0 && p.getDays() == 0) return p.getMonths() + (p.getMonths() == 1 ? " month" : " months");
    if (p.getYears() == 0 && p.getMonths() == 0) return p.getDays() + (p.getDays() == 1 ? " day" : " days");
    return p.toString();
  }
}
