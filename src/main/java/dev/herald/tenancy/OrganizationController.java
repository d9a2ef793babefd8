package dev.herald.tenancy;

import dev.herald.platform.OnRefused;
import dev.herald.platform.PanelController;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** An organization's panel pages: overview, members and invitations, groups, API keys, audit log. */
@PanelController
class OrganizationController {
  private final Organizations organizations;
  private final Members members;
  private final Invitations invitations;
  private final Groups groups;
  private final ApiKeys apiKeys;
  private final AuditLog audit;
  private final ObjectProvider<OverviewSection> overviewSections;

  OrganizationController(Organizations organizations, Members members, Invitations invitations, Groups groups, ApiKeys apiKeys,
      AuditLog audit, ObjectProvider<OverviewSection> overviewSections) {
    this.overviewSections = overviewSections;
    this.organizations = organizations;
    this.members = members;
    this.invitations = invitations;
    this.groups = groups;
    this.apiKeys = apiKeys;
    this.audit = audit;
  }

  @GetMapping("/o/{org}")
  String overview(OrganizationContext org, Model model) {
    model.addAttribute("memberCount", organizations.members(org.id()).size());
    model.addAttribute("sections", overviewSections.orderedStream().flatMap(s -> s.draw(org).stream()).toList());
    return "tenancy/org-overview";
  }

  // ---- members -----------------------------------------------------------------------------

  @GetMapping("/o/{org}/members")
  String members(OrganizationContext org, Model model) {
    model.addAttribute("members", organizations.members(org.id()));
    model.addAttribute("invitations", org.can(Permission.MEMBERS_WRITE) ? invitations.open(org.id()) : List.of());
    model.addAttribute("roles", Role.values());
    return "tenancy/members";
  }

  @PostMapping("/o/{org}/members/invite")
  @OnRefused("/o/{org}/members")
  String invite(OrganizationContext org, @AuthenticationPrincipal HeraldUser me,
      @RequestParam(defaultValue = "") String email, @RequestParam(defaultValue = "member") String role, RedirectAttributes flash) {
    invitations.invite(org, me, email, role);
    flash.addFlashAttribute("notice", "Invitation sent to " + email.trim() + ".");
    return "redirect:/o/" + org.slug() + "/members";
  }

  @PostMapping("/o/{org}/members/{userId}/role")
  @OnRefused(value = "/o/{org}/members", notFoundIsPage = true)
  String changeRole(OrganizationContext org, @AuthenticationPrincipal HeraldUser me, @PathVariable long userId,
      @RequestParam(defaultValue = "") String role, RedirectAttributes flash) {
    members.changeRole(org.id(), me.id(), userId, role);
    flash.addFlashAttribute("notice", "Role changed.");
    return "redirect:/o/" + org.slug() + "/members";
  }

  @PostMapping("/o/{org}/members/{userId}/remove")
  @OnRefused(value = "/o/{org}/members", notFoundIsPage = true)
  String remove(OrganizationContext org, @AuthenticationPrincipal HeraldUser me, @PathVariable long userId,
      RedirectAttributes flash) {
    members.remove(org.id(), me.id(), userId);
    flash.addFlashAttribute("notice", "Member removed.");
    return "redirect:/o/" + org.slug() + "/members";
  }

  @PostMapping("/o/{org}/invitations/{id}/revoke")
  String revokeInvitation(OrganizationContext org, @PathVariable long id, RedirectAttributes flash) {
    if (!invitations.revoke(org.id(), id)) throw new ResponseStatusException(HttpStatus.NOT_FOUND);
    flash.addFlashAttribute("notice", "Invitation revoked.");
    return "redirect:/o/" + org.slug() + "/members";
  }

  // ---- groups ------------------------------------------------------------------------------

  @GetMapping("/o/{org}/groups")
  String groups(OrganizationContext org, Model model) {
    model.addAttribute("groups", groups.list(org.id()));
    model.addAttribute("members", organizations.members(org.id()));
    model.addAttribute("permissionGroups", PermissionGroups.OFFERED);
    return "tenancy/groups";
  }

  @PostMapping("/o/{org}/groups")
  @OnRefused("/o/{org}/groups")
  String createGroup(OrganizationContext org, @AuthenticationPrincipal HeraldUser me, @RequestParam(defaultValue = "") String name,
      @RequestParam(required = false) List<String> permissions, RedirectAttributes flash) {
    groups.create(org.id(), me.id(), name, permissions);
    flash.addFlashAttribute("notice", "Group created.");
    return "redirect:/o/" + org.slug() + "/groups";
  }

  @PostMapping("/o/{org}/groups/{id}")
  @OnRefused("/o/{org}/groups")
  String updateGroup(OrganizationContext org, @AuthenticationPrincipal HeraldUser me, @PathVariable long id,
      @RequestParam(required = false) List<String> permissions, @RequestParam(required = false) List<Long> members,
      RedirectAttributes flash) {
    if (!groups.update(org.id(), me.id(), id, permissions, members)) throw new ResponseStatusException(HttpStatus.NOT_FOUND);
    flash.addFlashAttribute("notice", "Group saved.");
    return "redirect:/o/" + org.slug() + "/groups";
  }

  @PostMapping("/o/{org}/groups/{id}/delete")
  String deleteGroup(OrganizationContext org, @PathVariable long id, RedirectAttributes flash) {
    if (!groups.delete(org.id(), id)) throw new ResponseStatusException(HttpStatus.NOT_FOUND);
    flash.addFlashAttribute("notice", "Group deleted.");
    return "redirect:/o/" + org.slug() + "/groups";
  }

  // ---- API keys ----------------------------------------------------------------------------

  @GetMapping("/o/{org}/api-keys")
  String apiKeys(OrganizationContext org, Model model) {
    model.addAttribute("keys", apiKeys.list(org.id()));
    model.addAttribute("scopes", ApiScope.offered());
    return "tenancy/api-keys";
  }

  @PostMapping("/o/{org}/api-keys")
  @OnRefused("/o/{org}/api-keys")
  String createApiKey(OrganizationContext org, @AuthenticationPrincipal HeraldUser me,
      @RequestParam(defaultValue = "") String name, @RequestParam(required = false) List<String> scopes,
      @RequestParam(defaultValue = "") String ipAllowlist, RedirectAttributes flash) {
    ApiKeys.Created created = apiKeys.create(org.id(), me.id(), org.permissions(), name, scopes,
        Arrays.asList(ipAllowlist.split("[,\\s]+")));
    flash.addFlashAttribute("createdKey", created.secret());
    return "redirect:/o/" + org.slug() + "/api-keys";
  }

  @PostMapping("/o/{org}/api-keys/{id}/revoke")
  String revokeApiKey(OrganizationContext org, @PathVariable long id, RedirectAttributes flash) {
    if (!apiKeys.revoke(org.id(), id)) throw new ResponseStatusException(HttpStatus.NOT_FOUND);
    flash.addFlashAttribute("notice", "API key revoked.");
    return "redirect:/o/" + org.slug() + "/api-keys";
  }

  // ---- audit log ---------------------------------------------------------------------------

  static final int AUDIT_PAGE_SIZE = 200;

  @GetMapping("/o/{org}/audit")
  String audit(OrganizationContext org, @RequestParam(defaultValue = "") String actor,
      @RequestParam(defaultValue = "") String action, @RequestParam(required = false) LocalDate from,
      @RequestParam(required = false) LocalDate to, @RequestParam(defaultValue = "0") int page, Model model) {
    auditPage(model, "/o/" + org.slug() + "/audit", audit.page(org.id(), filter(actor, action, from, to), Math.max(0, page),
        AUDIT_PAGE_SIZE), actor, action, from, to);
    return "tenancy/audit";
  }

  /** The audit page's model, the organization's or the operator's: a page of entries, the filters, and the pager's URL keeping them. */
  static void auditPage(Model model, String path, AuditLog.Page page, String actor, String action, LocalDate from, LocalDate to) {
    model.addAttribute("page", page);
    model.addAttribute("entries", page.items());
    model.addAllAttributes(java.util.Map.of("actor", actor, "action", action));
    model.addAttribute("from", from);
    model.addAttribute("to", to);
    // Every value encoded whole (URLEncoder turns a '+' of an address into %2B, which a builder's encode() leaves as a space).
    java.util.StringJoiner query = new java.util.StringJoiner("&", "?", "").setEmptyValue("");
    java.util.function.BiConsumer<String, Object> add = (name, value) -> query.add(name + "=" + URLEncoder.encode(value.toString(),
        StandardCharsets.UTF_8));
    if (!actor.isBlank()) add.accept("actor", actor.trim());
    if (!action.isBlank()) add.accept("action", action.trim());
    if (from != null) add.accept("from", from);
    if (to != null) add.accept("to", to);
    model.addAttribute("pagerUrl", path + query);
  }

  static AuditLog.Filter filter(String actor, String action, LocalDate from, LocalDate to) {
    Instant start = from == null ? null : from.atStartOfDay(ZoneOffset.UTC).toInstant();
    Instant end = to == null ? null : to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    return new AuditLog.Filter(actor, action, start, end);
  }
}
