package dev.herald.content;

import dev.herald.audiences.Subscribers;
import dev.herald.platform.HeraldProperties;
import dev.herald.platform.PanelController;
import dev.herald.tenancy.OrganizationContext;
import dev.herald.tenancy.Organizations;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * A template as a chosen subscriber would get it: a campaign template around sample content, a snippet alone. The
 * HTML in a sandboxed frame from {@code /p/preview/template} (see {@link PreviewFrames}), the text part beside it, or
 * the error with its line and column.
 */
@PanelController
class PreviewController {
  static final String FRAME = "/p/preview/template";
  static final String SAMPLE_CONTENT = "<h1>A campaign's heading</h1><p>The campaign's own content goes where the template writes "
      + "<code>{{ content }}</code>.</p>";
  static final int SEARCH_RESULTS = 10;
  private final Templates templates;
  private final Previews previews;
  private final PreviewFrames frames;
  private final Subscribers subscribers;
  private final Organizations organizations;
  private final HeraldProperties properties;

  PreviewController(Templates templates, Previews previews, PreviewFrames frames, Subscribers subscribers, Organizations organizations,
      HeraldProperties properties) {
    this.templates = templates;
    this.previews = previews;
    this.frames = frames;
    this.subscribers = subscribers;
    this.organizations = organizations;
    this.properties = properties;
  }

  @GetMapping("/o/{org}/templates/{id}/preview")
  String preview(OrganizationContext org, @PathVariable long id, @RequestParam(defaultValue = "0") long subscriber,
      @RequestParam(defaultValue = "") String q, Model model) {
    Templates.Template template = templates.get(org.id(), id);
    Subscribers.Subscriber person = subscriber <= 0 ? null : subscribers.find(org.id(), subscriber).orElse(null);
    model.addAttribute("template", template);
    model.addAttribute("subscriber", person);
    model.addAttribute("q", q);
    if (!q.isBlank()) model.addAttribute("matches", subscribers.search(org.id(), q.strip(), null, null, 0, SEARCH_RESULTS).items());
    switch (render(org.id(), org.name(), template, person)) {
      case Previews.Preview.Rendered r -> {
        model.addAttribute("rendered", r);
        model.addAttribute("frame", frames.link(FRAME, new PreviewFrames.Ticket("template", org.id(), id, person == null ? 0 : person.id())));
      }
      case Previews.Preview.Failed f -> model.addAttribute("failed", f);
    }
    return "content/preview";
  }

  /** The frame's document: the HTML part under the sandbox policy, for whoever holds the page's short-lived ticket. */
  @GetMapping(FRAME)
  void frame(@RequestParam(defaultValue = "") String token, HttpServletResponse response) throws IOException {
    PreviewFrames.Ticket ticket = frames.open("template", token).orElse(null);
    Templates.Template template = ticket == null ? null : templates.find(ticket.orgId(), ticket.id()).orElse(null);
    if (template == null) {
      response.sendError(HttpServletResponse.SC_NOT_FOUND);
      return;
    }
    Subscribers.Subscriber person = ticket.subscriberId() <= 0 ? null : subscribers.find(ticket.orgId(), ticket.subscriberId()).orElse(null);
    if (render(ticket.orgId(), organizations.name(ticket.orgId()).orElse(""), template, person) instanceof Previews.Preview.Rendered r) {
      frames.write(response, r.html(), true);
    } else {
      response.sendError(HttpServletResponse.SC_NOT_FOUND);
    }
  }

  private Previews.Preview render(long orgId, String orgName, Templates.Template template, Subscribers.Subscriber person) {
    Previews.Draft draft = template.kind() == TemplateKind.CAMPAIGN
        ? new Previews.Draft("Sample campaign", "Sample subject", "", ContentFormat.HTML, SAMPLE_CONTENT, template.source())
        : new Previews.Draft("Sample campaign", "Sample subject", "", template.format(), template.source(), null);
    String inert = properties.publicLink("/p/preferences");
    return previews.render(orgId, orgName, draft, person, "Sample list", new Previews.Links(inert, inert, inert, inert));
  }
}
