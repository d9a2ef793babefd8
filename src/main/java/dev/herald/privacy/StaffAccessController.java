package dev.herald.privacy;

import dev.herald.platform.PanelController;
import dev.herald.tenancy.OrganizationContext;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** The organization's staff-access log: which of the installation's operators opened which of its pages or API routes, when. */
@PanelController
class StaffAccessController {
  static final int PAGE_SIZE = 50;
  private final StaffAccessLog log;

  StaffAccessController(StaffAccessLog log) {
    this.log = log;
  }

  @GetMapping("/o/{org}/staff-access")
  String page(OrganizationContext org, @RequestParam(defaultValue = "0") int page, Model model) {
    model.addAttribute("page", log.page(org.id(), Math.max(0, page), PAGE_SIZE));
    return "privacy/staff-access";
  }
}
