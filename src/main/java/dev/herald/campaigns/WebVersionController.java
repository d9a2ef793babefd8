package dev.herald.campaigns;

import dev.herald.content.PreviewFrames;
import dev.herald.content.Previews;
import dev.herald.platform.HeraldProperties;
import dev.herald.tenancy.Organizations;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The web version of a campaign ({@code web_version_url}): the recipient's own rendering, on the public origin, under
 * the sandbox policy (it is the organization's HTML, so it must not run anything on Herald's origin). A link that is not
 * intact, or whose recipient or campaign is gone (erased, deleted), is a 404.
 */
@Controller
class WebVersionController {
  private final WebVersions webVersions;
  private final CampaignPreviews previews;
  private final Campaigns campaigns;
  private final Organizations organizations;
  private final PreviewFrames frames;
  private final HeraldProperties properties;

  WebVersionController(WebVersions webVersions, CampaignPreviews previews, Campaigns campaigns, Organizations organizations,
      PreviewFrames frames, HeraldProperties properties) {
    this.properties = properties;
    this.webVersions = webVersions;
    this.previews = previews;
    this.campaigns = campaigns;
    this.organizations = organizations;
    this.frames = frames;
  }

  @GetMapping("/p/web")
  void webVersion(@RequestParam(defaultValue = "") String token, HttpServletResponse response) throws IOException {
    var recipient = webVersions.open(token).orElse(null);
    var entry = recipient == null ? null : previews.ledgerEntry(recipient.campaignId(), recipient.ledgerId()).orElse(null);
    var campaign = entry == null ? null : campaigns.find(entry.organizationId(), entry.campaignId()).orElse(null);
    var subscriber = entry == null ? null : previews.subscriber(entry.organizationId(), entry.subscriberId()).orElse(null);
    if (campaign == null || subscriber == null) {
      response.sendError(HttpServletResponse.SC_NOT_FOUND);
      return;
    }
    String orgName = organizations.name(entry.organizationId()).orElse("");
    Previews.Preview preview = previews.render(campaign, orgName, subscriber, properties.publicLink("/p/web?token=" + token));
    if (preview instanceof Previews.Preview.Rendered rendered) {
      frames.write(response, rendered.html(), false);
    } else {
      response.sendError(HttpServletResponse.SC_NOT_FOUND);
    }
  }
}
