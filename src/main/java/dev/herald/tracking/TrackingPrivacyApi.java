package dev.herald.tracking;

import dev.herald.campaigns.Campaigns;
import dev.herald.platform.Refused;
import dev.herald.tenancy.OrganizationContext;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * REST API for the tracking privacy settings, what the page {@code /o/{org}/tracking} shows and changes: the
 * organization's setting and the campaigns' own, which win over it. Reading needs {@code campaigns:read}, changing
 * {@code campaigns:write}, like the page (tracking is a campaign's option). {org} is the organization's slug.
 */
@RestController
@Tag(name = "Tracking", description = "What opens and clicks record: per organization, and per campaign")
class TrackingPrivacyApi {
  private final TrackingPrivacy privacy;
  private final Campaigns campaigns;

  TrackingPrivacyApi(TrackingPrivacy privacy, Campaigns campaigns) {
    this.privacy = privacy;
    this.campaigns = campaigns;
  }

  /** A setting to store; both fields are required. */
  record SettingRequest(@Schema(implementation = TrackingMode.class) String mode, @Schema(implementation = IpStorage.class) String ip) {}

  /** A campaign's setting: its own when {@code own}, the organization's otherwise. */
  record CampaignSetting(long campaignId, boolean own, TrackingMode mode, IpStorage ip) {}

  record Privacy(@Schema(description = "the organization's setting (the defaults when it never chose one)") TrackingPrivacy.Setting organization,
      @Schema(description = "what an organization that never chose has") TrackingPrivacy.Setting defaults,
      @Schema(description = "the campaigns with a setting of their own") List<CampaignSetting> campaigns) {}

  @GetMapping("/api/v1/orgs/{org}/tracking/privacy")
  @Operation(summary = "The organization's tracking privacy setting, the defaults, and the campaigns with their own")
  Privacy read(OrganizationContext org) {
    List<CampaignSetting> own = new ArrayList<>();
    privacy.campaigns(org.id()).forEach((id, s) -> own.add(new CampaignSetting(id, true, s.mode(), s.ip())));
    return new Privacy(privacy.organization(org.id()), TrackingPrivacy.DEFAULT, own);
  }

  @PutMapping("/api/v1/orgs/{org}/tracking/privacy")
  @Operation(summary = "Set the organization's tracking privacy: mode identified|anonymous|off, ip none|truncated|full")
  TrackingPrivacy.Setting save(OrganizationContext org, @RequestBody(required = false) SettingRequest body) {
    SettingRequest r = body == null ? new SettingRequest(null, null) : body;
    privacy.saveOrganization(org.id(), r.mode(), r.ip());
    return privacy.organization(org.id());
  }

  @GetMapping("/api/v1/orgs/{org}/tracking/privacy/campaigns/{id}")
  @Operation(summary = "The setting a campaign's opens and clicks follow: its own, or the organization's")
  CampaignSetting campaign(OrganizationContext org, @PathVariable long id) {
    requireCampaign(org, id);
    return effective(org, id);
  }

  @PutMapping("/api/v1/orgs/{org}/tracking/privacy/campaigns/{id}")
  @Operation(summary = "Give a campaign a setting of its own, which wins over the organization's")
  CampaignSetting saveCampaign(OrganizationContext org, @PathVariable long id, @RequestBody(required = false) SettingRequest body) {
    requireCampaign(org, id);
    SettingRequest r = body == null ? new SettingRequest(null, null) : body;
    privacy.saveCampaign(org.id(), id, r.mode(), r.ip());
    return effective(org, id);
  }

  @DeleteMapping("/api/v1/orgs/{org}/tracking/privacy/campaigns/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Put a campaign back on the organization's setting (404 when it has none of its own)")
  void clearCampaign(OrganizationContext org, @PathVariable long id) {
    requireCampaign(org, id);
    privacy.clear(org.id(), id);
  }

  private void requireCampaign(OrganizationContext org, long id) {
    if (campaigns.find(org.id(), id).isEmpty()) throw Refused.notFound("Campaign " + id);
  }

  private CampaignSetting effective(OrganizationContext org, long id) {
    return privacy.campaign(org.id(), id).map(s -> new CampaignSetting(id, true, s.mode(), s.ip()))
        .orElseGet(() -> {
          TrackingPrivacy.Setting s = privacy.organization(org.id());
          return new CampaignSetting(id, false, s.mode(), s.ip());
        });
  }
}
