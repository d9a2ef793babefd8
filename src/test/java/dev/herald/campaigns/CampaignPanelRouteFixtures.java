package dev.herald.campaigns;

import dev.herald.testsupport.RouteFixtures;
import java.util.List;
import java.util.Map;

/** A draft campaign of the organization (its name in the campaign's), for the route walk of the campaign pages. */
class CampaignPanelRouteFixtures implements RouteFixtures {
  private final Campaigns campaigns;

  CampaignPanelRouteFixtures(Campaigns campaigns) {
    this.campaigns = campaigns;
  }

  @Override
  public Map<String, Long> create(Organization org) {
    Campaign c = campaigns.create(org.id(), new CampaignForm("News of " + org.name(), List.of(), "Hello", "", "", "", "", null,
        "<p>Hi</p>", "html", true, true, Campaign.Audience.none()));
    return Map.of("campaigns/{id}", c.id());
  }
}
