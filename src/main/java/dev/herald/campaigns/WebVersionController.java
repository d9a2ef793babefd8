package dev.herald.campaigns;

import dev.herald.content.PreviewFrames;
import dev.herald.content.Previews;
import dev.herald.tenancy.Organizations;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The web version of a campaign ({@code web_version_url}): the recipient's own rendering, on the public origin, under
 * the sandbox policy (it is the organization's HTML, so it must not run anything on Herald's origin). A link that is not
 * intact, or whose recipient or campaign is gone (erased, deleted), is a 404. Drawn by {@link CampaignRenderer} as the
 * recipient's message was, without tracking (opening it in a browser is neither an open nor a click). A shared link
 * (in a copy forwarded to a friend) draws the campaign for nobody in particular.
 */
@Controller
class WebVersionController {
  private final WebVersions webVersions;
  private final CampaignPreviews previews;
  private final Organizations organizations;
  private final PreviewFrames frames;

  WebVersionController(WebVersions webVersions, CampaignPreviews previews, Organizations organizations, PreviewFrames frames) {
    this.webVersions = webVersions;
    this.previews = previews;
    this.organizations = organizations;
    this.frames = frames;
  }

  @GetMapping("/p/web")
  void webVersion(@RequestParam(defaultValue = "") String token, HttpServletResponse response) throws IOException {
    var recipient = webVersions.open(token).orElse(null);
    Long shared = recipient == null ? webVersions.openShared(token).orElse(null) : null;
    var drawn = recipient != null
        ? previews.webVersion(recipient.campaignId(), recipient.ledgerId(), org -> organizations.name(org).orElse("")).orElse(null)
        : shared != null ? previews.sharedWebVersion(shared, org -> organizations.name(org).orElse("")).orElse(null) : null;
    if (drawn != null && drawn.preview() instanceof Previews.Preview.Rendered rendered) {
      frames.write(response, rendered.html(), false);
    } else {
      response.sendError(HttpServletResponse.SC_NOT_FOUND);
    }
  }
}
