package dev.herald.delivery;

import dev.herald.platform.PanelController;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** The operator's view of mail captured while delivery runs in sandbox mode. */
@PanelController
class SandboxMailboxController {
  private final SandboxMailbox mailbox;

  SandboxMailboxController(SandboxMailbox mailbox) {
    this.mailbox = mailbox;
  }

  @GetMapping("/operator/sandbox-mailbox")
  String mailbox(@RequestParam(defaultValue = "") String recipient, Model model) {
    model.addAttribute("recipient", recipient);
    model.addAttribute("messages", mailbox.recent(recipient, 100));
    return "delivery/sandbox-mailbox";
  }
}
