package dev.herald.privacy;

import dev.herald.platform.Forms;
import dev.herald.platform.Refused;
import dev.herald.platform.TextEnum;
import dev.herald.tenancy.Organizations;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;

/**
 * The hosted pages (public origin, no account, no cookie, no tracking) where a person asks an organization for a copy
 * of their data or its erasure, confirms it from the mailed link, and downloads their archive through a signed link.
 * Like the subscription form: no CSRF token (it would need a session), a honeypot and rate limits instead; the signed
 * links guard the rest. An organization the operator suspended answers 404.
 */
@Controller
class SelfServiceController {
  private final SelfServiceRequests selfService;
  private final Organizations organizations;
  private final DataSubjectRequests requests;
  private final Archives archives;
  private final ArchiveLinks archiveLinks;

  SelfServiceController(SelfServiceRequests selfService, Organizations organizations, DataSubjectRequests requests, Archives archives,
      ArchiveLinks archiveLinks) {
    this.archiveLinks = archiveLinks;
    this.selfService = selfService;
    this.organizations = organizations;
    this.requests = requests;
    this.archives = archives;
  }

  @ModelAttribute
  void notTracking(HttpServletResponse response) {
    response.setHeader("Tk", "N");
  }

  private Organizations.Named organization(String slug) {
    Organizations.Named o = organizations.namedBySlug(slug).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
    if (organizations.isSuspended(o.id())) throw new ResponseStatusException(HttpStatus.NOT_FOUND);
    return o;
  }

  @GetMapping("/p/privacy/o/{slug}")
  String form(@PathVariable String slug, Model model) {
    model.addAttribute("target", organization(slug));
    return "privacy/public-request";
  }

  /**
   * The same answer for every address, known to the organization or not, limited or not: a page saying a link was
   * mailed if the address is right. Only a wrong kind or a malformed address is refused, which says nothing about the
   * organization's data.
   */
  @PostMapping("/p/privacy/o/{slug}")
  String ask(@PathVariable String slug, @RequestParam(defaultValue = "") String email, @RequestParam(defaultValue = "") String type,
      @RequestParam(defaultValue = "") String website, HttpServletRequest request, HttpServletResponse response, Model model) {
    Organizations.Named o = organization(slug);
    model.addAttribute("target", o);
    model.addAttribute("email", email);
    model.addAttribute("type", type);
    if (!selfService.allowNetwork(request.getRemoteAddr())) {
      response.setStatus(HttpStatus.TOO_MANY_REQUESTS.value());
      model.addAttribute("errors", Map.of("form", "Too many requests from your network. Try again in a few minutes."));
      return "privacy/public-request";
    }
    if (!website.isBlank()) return sent(model);
    try {
      selfService.ask(o.id(), o.name(), TextEnum.find(RequestType.class, type).orElse(null), email);
    } catch (Refused refused) {
      Forms.refused(refused, model, response);
      return "privacy/public-request";
    }
    return sent(model);
  }

  private static String sent(Model model) {
    model.addAttribute("sent", true);
    return "privacy/public-request";
  }

  /** A button, not an action on GET: mail scanners open links, people press buttons. */
  @GetMapping("/p/privacy/confirm")
  String confirmPage(@RequestParam(defaultValue = "") String token, HttpServletResponse response, Model model) {
    model.addAttribute("token", token);
    Optional<SelfServiceRequests.Pending> p = selfService.pending(token);
    if (p.isEmpty()) return invalid(token, response, model);
    return state("pending", about(p.get(), model), model);
  }

  @PostMapping("/p/privacy/confirm")
  String confirm(@RequestParam(defaultValue = "") String token, HttpServletResponse response, Model model) {
    Optional<SelfServiceRequests.Pending> p = selfService.pending(token);
    if (p.isEmpty()) return invalid(token, response, model);
    about(p.get(), model);
    SelfServiceRequests.Confirmed c = selfService.confirm(p.get());
    model.addAttribute("request", c.request());
    model.addAttribute("archiveLink", c.archiveLink());
    return state(c.request().status() == RequestStatus.COMPLETED ? "completed" : "received", p.get(), model);
  }

  private SelfServiceRequests.Pending about(SelfServiceRequests.Pending p, Model model) {
    model.addAttribute("organizationName", organizations.activeName(p.organizationId())
        .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND)));
    model.addAttribute("pending", p);
    return p;
  }

  private String invalid(String token, HttpServletResponse response, Model model) {
    boolean expired = selfService.expired(token);
    response.setStatus(expired ? HttpStatus.GONE.value() : 422);
    model.addAttribute("state", expired ? "expired" : "invalid");
    return "privacy/public-confirm";
  }

  private static String state(String state, SelfServiceRequests.Pending p, Model model) {
    model.addAttribute("state", state);
    model.addAttribute("kind", p.type().text());
    return "privacy/public-confirm";
  }

  /**
   * The archive of a completed self-service access request, through its signed link only, without a login; each
   * download recorded in the request's history. A link tampered with, past its time, or whose archive is gone (expired,
   * or erased since) gets a page saying so, never the archive.
   */
  @GetMapping("/p/privacy/archive")
  Object archive(@RequestParam(defaultValue = "") String token, HttpServletResponse response, Model model) {
    ArchiveLinks.Verified verified = archiveLinks.verify(token);
    if (!(verified instanceof ArchiveLinks.Valid link)) {
      boolean expired = verified instanceof ArchiveLinks.Expired;
      return archiveRefused(expired ? HttpStatus.GONE.value() : 422, expired ? "expired" : "invalid", response, model);
    }
    Optional<Archives.Archive> found = archives.find(link.organizationId(), link.requestId());
    if (found.isEmpty()) return archiveRefused(HttpStatus.GONE.value(), "gone", response, model);
    Archives.Archive a = found.get();
    requests.step(link.requestId(), RequestAction.ARCHIVE_DOWNLOADED, Actors.SELF_SERVICE, a.fileName());
    return ResponseEntity.ok().contentType(MediaType.parseMediaType("application/zip"))
        .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(a.fileName()).build().toString())
        .header(HttpHeaders.CACHE_CONTROL, "no-store").body(a.content());
  }

  private static String archiveRefused(int status, String state, HttpServletResponse response, Model model) {
    response.setStatus(status);
    response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    model.addAttribute("state", state);
    return "privacy/public-archive";
  }
}
