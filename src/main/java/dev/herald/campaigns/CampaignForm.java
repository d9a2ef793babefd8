package dev.herald.campaigns;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/**
 * What a member or an API client sends to create or change a campaign; checked by {@link Campaigns}. Absent values
 * are blank (or, for the tracking flags, on). The campaign need not be complete to be saved as a draft: what it must
 * hold to be sent (a subject, a sender on a verified domain, content, an audience) is checked when it is scheduled.
 */
public record CampaignForm(String name, List<String> tags,
    @Schema(description = "a Liquid template: {{ subscriber.name | default: 'friend' }}") String subject, String preheader,
    @Schema(description = "an address on a verified sending domain of the organization") String fromAddress, String fromName,
    String replyTo, @Schema(description = "a campaign template of content.Templates, which wraps the body through {{ content }}")
    Long templateId, String body, @Schema(implementation = dev.herald.content.ContentFormat.class, description = "richtext when absent")
    String bodyFormat, @Schema(description = "on when absent") Boolean trackOpens, @Schema(description = "on when absent") Boolean trackClicks,
    Campaign.Audience audience) {}
