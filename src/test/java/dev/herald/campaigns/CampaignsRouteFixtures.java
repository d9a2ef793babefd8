package dev.herald.campaigns;

import dev.herald.testsupport.RouteFixtures;
import java.util.List;
import java.util.Map;

/** A draft campaign, for the route walk. */
class CampaignsRouteFixtures implements RouteFixtures {
  private final Campaigns campaigns;

  CampaignsRouteFixtures(Campaigns campaigns) {
    this.campaigns = campaigns;
  }

  @Override
  public Map<String, Object> create(Organization org) {
    Campaign c = campaigns.create(org.id(), new CampaignForm(org.name() + " spring news", List.of(), "Spring", "", "", "", "", null,
        "<p>Hello</p>", "html", null, null, null));
    return Map.of("campaigns/{id}", c.id());
  }
}
