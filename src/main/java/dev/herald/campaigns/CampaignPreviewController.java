package dev.herald.campaigns;

import dev.herald.audiences.Subscribers;
import dev.herald.content.PreviewFrames;
import dev.herald.content.Previews;
import dev.herald.delivery.TestMessages;
import dev.herald.mail.EmailAddress;
import dev.herald.platform.OnRefused;
import dev.herald.platform.PanelController;
import dev.herald.platform.Refused;
import dev.herald.tenancy.OrganizationContext;
import dev.herald.tenancy.Organizations;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * A campaign as a chosen subscriber gets it: the HTML in a sandboxed frame served from {@code /p/preview/campaign}
 * (see {@link PreviewFrames}), the text part beside it, or the template error with its line and column instead; and a
 * test send of that rendering to a few addresses through the queue, marked as a test. The rendering is
 * {@link CampaignRenderer}'s, the one delivery uses: a person in the campaign's ledger is drawn as their message.
 */
@PanelController
class CampaignPreviewController {
  static final String FRAME = "/p/preview/campaign";
  /** A test is for the team, not a mailing: a few addresses at most. */
  static final int MAX_TEST_ADDRESSES = 5;
  static final int SEARCH_RESULTS = 10;
  private final Campaigns campaigns;
  private final CampaignPreviews previews;
  private final Subscribers subscribers;
  private final PreviewFrames frames;
  private final TestMessages tests;
  private final Organizations organizations;

  CampaignPreviewController(Campaigns campaigns, CampaignPreviews previews, Subscribers subscribers, PreviewFrames frames,
      TestMessages tests, Organizations organizations) {
    this.campaigns = campaigns;
    this.previews = previews;
    this.subscribers = subscribers;
    this.frames = frames;
    this.tests = tests;
    this.organizations = organizations;
  }

  @GetMapping("/o/{org}/campaigns/{id}/preview")
  String preview(OrganizationContext org, @PathVariable long id, @RequestParam(defaultValue = "0") long subscriber,
      @RequestParam(defaultValue = "") String q, Model model) {
    Campaign c = find(org, id);
    Subscribers.Subscriber person = previews.subscriber(org.id(), subscriber).orElse(null);
    model.addAttribute("campaign", c);
    model.addAttribute("subscriber", person);
    model.addAttribute("q", q);
    if (!q.isBlank()) model.addAttribute("matches", subscribers.search(org.id(), q.strip(), null, null, 0, SEARCH_RESULTS).items());
    Previews.Preview rendered = previews.draw(c, org.name(), person).preview();
    switch (rendered) {
      case Previews.Preview.Rendered r -> model.addAttribute("rendered", r);
      case Previews.Preview.Failed f -> model.addAttribute("failed", f);
    }
    if (rendered instanceof Previews.Preview.Rendered) {
      model.addAttribute("frame", frames.link(FRAME, new PreviewFrames.Ticket("campaign", org.id(), id, person == null ? 0 : person.id())));
    }
    return "campaigns/preview";
  }

  /** The frame's document: the HTML part under the sandbox policy, for whoever holds the page's short-lived ticket. */
  @GetMapping(FRAME)
  void frame(@RequestParam(defaultValue = "") String token, HttpServletResponse response) throws IOException {
    PreviewFrames.Ticket ticket = frames.open("campaign", token).orElse(null);
    Campaign c = ticket == null ? null : campaigns.find(ticket.orgId(), ticket.id()).orElse(null);
    if (c == null) {
      response.sendError(HttpServletResponse.SC_NOT_FOUND);
      return;
    }
    Subscribers.Subscriber person = previews.subscriber(ticket.orgId(), ticket.subscriberId()).orElse(null);
    Previews.Preview p = previews.draw(c, organizations.name(ticket.orgId()).orElse(""), person).preview();
    if (p instanceof Previews.Preview.Rendered r) frames.write(response, r.html(), true);
    else response.sendError(HttpServletResponse.SC_NOT_FOUND);
  }

  /**
   * Sends the preview's rendering (the chosen subscriber's, or the sample person's) to up to five addresses, subject
   * prefixed "[Test]", through the send API's checks and queue, tagged "test".
   */
  @PostMapping("/o/{org}/campaigns/{id}/test")
  @OnRefused(value = "/o/{org}/campaigns/{id}/preview#test-send", query = "subscriber", notFoundIsPage = true)
  String sendTest(OrganizationContext org, @PathVariable long id, @RequestParam(defaultValue = "") String to,
      @RequestParam(defaultValue = "0") long subscriber, RedirectAttributes flash) {
    Campaign c = find(org, id);
    List<String> addresses = addresses(to);
    Subscribers.Subscriber person = previews.subscriber(org.id(), subscriber).orElse(null);
    CampaignRenderer.Message m = previews.draw(c, org.name(), person).message();
    if (m == null) throw Refused.invalid("to", "The campaign cannot be rendered: fix the error shown above first.");
    TestMessages.TestMessage message = new TestMessages.TestMessage(c.fromAddress(), c.fromName(), c.replyTo(), "[Test] " + m.subject(),
        m.html(), m.text(), List.of("campaign-" + c.id()));
    try {
      tests.send(org.id(), message, addresses);
    } catch (Refused refused) {
      String field = refused.field();
      if (field != null && field.startsWith("to[")) throw Refused.invalid("to", refused.getMessage());
      if ("from".equals(field)) {
        throw Refused.invalid("to", "The campaign's sender " + (c.fromAddress().isBlank() ? "is missing" : c.fromAddress() + " cannot send")
            + ": " + refused.getMessage());
      }
      throw refused;
    }
    flash.addFlashAttribute("notice", "Test sent to " + String.join(", ", addresses) + ".");
    return "redirect:/o/" + org.slug() + "/campaigns/" + id + "/preview" + (subscriber > 0 ? "?subscriber=" + subscriber : "");
  }

  /** One to five whole addresses, separated by commas or spaces; a bad one is named. */
  static List<String> addresses(String to) {
    List<String> out = new ArrayList<>();
    for (String a : to.split("[,;\\s]+")) {
      if (a.isBlank()) continue;
      if (!(EmailAddress.parse(a.strip()) instanceof EmailAddress.Valid)) throw Refused.invalid("to", a.strip() + " is not an email address.");
      if (!out.contains(a.strip())) out.add(a.strip());
    }
    if (out.isEmpty()) throw Refused.invalid("to", "Enter the address to send the test to.");
    if (out.size() > MAX_TEST_ADDRESSES) throw Refused.invalid("to", "A test goes to at most " + MAX_TEST_ADDRESSES + " addresses.");
    return out;
  }

  private Campaign find(OrganizationContext org, long id) {
    return campaigns.find(org.id(), id).orElseThrow(() -> Refused.notFound("Campaign " + id));
  }
}
