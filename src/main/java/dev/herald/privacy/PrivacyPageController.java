package dev.herald.privacy;

import dev.herald.platform.personaldata.RetentionCategory;
import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The installation's public privacy page on the public origin (DESIGN.md security rule 2: {@code /p/} is served there
 * only): generated from data, not written by hand, so it cannot fall behind. The sub-processors and the region and
 * contact the operator keeps ({@link TransparencyController}), and how long each kind of personal data is kept (the retention engine's schedules, {@link RetentionSchedules}). No
 * session, no cookie, no script.
 */
@Controller
class PrivacyPageController {
  static final String PATH = "/p/privacy";
  private final TransparencySettings settings;
  private final SubProcessors subProcessors;
  private final RetentionSchedules schedules;

  PrivacyPageController(TransparencySettings settings, SubProcessors subProcessors, RetentionSchedules schedules) {
    this.settings = settings;
    this.subProcessors = subProcessors;
    this.schedules = schedules;
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

  /** The installation's schedules as the operator set them (the retention engine's), then what lives as long as the account. */
  List<Retention> retention() {
    List<Retention> rows = new java.util.ArrayList<>(schedules.operatorSchedules().stream()
        .map(s -> new Retention(s.category().text(), s.periodText())).toList());
    rows.add(new Retention(RetentionCategory.ACCOUNT_LIFETIME.text(), "as long as the account or subscription lasts"));
    return rows;
  }

}
