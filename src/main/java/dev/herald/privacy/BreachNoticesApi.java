package dev.herald.privacy;

import dev.herald.campaigns.Campaign;
import dev.herald.platform.Refused;
import dev.herald.tenancy.HeraldUser;
import dev.herald.tenancy.OrganizationContext;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** An organization's breach notices over the API: the incidents, acknowledging one (a person's), and the draft campaign. */
@RestController
@Tag(name = "Breach notices", description = "Personal-data breaches that affected the organization")
class BreachNoticesApi {
  private final BreachNotices notices;

  BreachNoticesApi(BreachNotices notices) {
    this.notices = notices;
  }

  record Acknowledged(long id, boolean changed) {}

  @GetMapping("/api/v1/orgs/{org}/breach-notices")
  @Operation(summary = "Incidents that affected the organization, with which members acknowledged them (and the caller, when a person)")
  List<BreachNotices.OrganizationView> list(OrganizationContext org, Principal caller) {
    return notices.forOrganization(org.id(), person(caller) == null ? null : person(caller).id());
  }

  @PostMapping("/api/v1/orgs/{org}/breach-notices/{id}/acknowledgement")
  @Operation(summary = "Acknowledge the notice as the signed-in person (an API key is no person: 422); changed is false when done already")
  Acknowledged acknowledge(OrganizationContext org, @PathVariable long id, Principal caller) {
    HeraldUser me = person(caller);
    if (me == null) throw Refused.invalid("caller", "An acknowledgement is a person's: call with a signed-in session, not an API key.");
    return new Acknowledged(id, notices.acknowledge(org.id(), id, me));
  }

  @PostMapping("/api/v1/orgs/{org}/breach-notices/{id}/campaign")
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(summary = "Create (or return) the draft campaign that tells the organization's subscribers of the incident")
  Campaign campaign(OrganizationContext org, @PathVariable long id) {
    return notices.draftCampaign(org.id(), id);
  }

  private static HeraldUser person(Principal caller) {
    return caller instanceof Authentication a && a.getPrincipal() instanceof HeraldUser u ? u : null;
  }
}
