package dev.herald.content;

import dev.herald.platform.HeraldProperties;
import dev.herald.platform.SignedLinks;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Where user HTML is shown: never as a page of the panel's origin. A preview is drawn in an {@code <iframe sandbox>}
 * whose document comes from a separate address under {@code /p/} (the public origin when it is a host of its own),
 * named by a short-lived signed ticket rather than the panel session, and served with a Content-Security-Policy that
 * sandboxes it (an opaque origin: no cookies, no storage, no scripts, no forms) and allows only images and inline
 * styles. The web version of a campaign is served under the same policy.
 */
@Component
public class PreviewFrames {
  /** No scripts, plugins or forms; images from anywhere (mail links them), styles only inline (mail has no others). */
  public static final String SANDBOX_POLICY = "sandbox; default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'";
  /** A preview link is used at once by the page that asked for it; long enough for a slow reload, short for a leak. */
  static final Duration TICKET_VALIDITY = Duration.ofMinutes(30);
  private static final String PURPOSE = "preview";

  private final SignedLinks links;
  private final HeraldProperties properties;

  PreviewFrames(SignedLinks links, HeraldProperties properties) {
    this.links = links;
    this.properties = properties;
  }

  /** What a ticket names: the kind of thing previewed, its organization and id, and the subscriber (0 for sample data). */
  public record Ticket(String kind, long orgId, long id, long subscriberId) {}

  /**
   * The address of the frame's document for this path under {@code /p/} (e.g. {@code /p/preview/campaign}): on the
   * public origin when it is a host of its own, else a path on the page's own host (the frame's sandbox gives it an
   * origin of its own all the same).
   */
  public String link(String path, Ticket ticket) {
    String token = links.sign(PURPOSE, TICKET_VALIDITY, ticket.kind(), Long.toString(ticket.orgId()), Long.toString(ticket.id()),
        Long.toString(ticket.subscriberId()));
    String pathAndQuery = path + "?token=" + token;
    return properties.separatePublicOrigin() ? properties.publicLink(pathAndQuery) : pathAndQuery;
  }

  /** The ticket of an intact, unexpired token of this kind. */
  public Optional<Ticket> open(String kind, String token) {
    return links.verify(PURPOSE, token).filter(v -> v.size() == 4 && v.get(0).equals(kind)).flatMap(PreviewFrames::ticket);
  }

  private static Optional<Ticket> ticket(List<String> v) {
    try {
      return Optional.of(new Ticket(v.get(0), Long.parseLong(v.get(1)), Long.parseLong(v.get(2)), Long.parseLong(v.get(3))));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * Writes user HTML under the sandbox policy: {@code framed} for a preview, which only the panel may frame; a page
   * of its own (the web version) nobody may frame.
   */
  public void write(HttpServletResponse response, String html, boolean framed) throws IOException {
    response.setContentType("text/html;charset=UTF-8");
    // Set before Spring Security's header writers, which then leave them alone: the panel's own policy forbids framing.
    String ancestors = framed ? "frame-ancestors 'self' " + origin(properties.baseUrl()) : "frame-ancestors 'none'";
    response.setHeader("Content-Security-Policy", SANDBOX_POLICY + "; " + ancestors);
    response.setHeader("X-Frame-Options", framed ? "SAMEORIGIN" : "DENY");
    response.setHeader("Cache-Control", "no-store");
    response.setHeader("Referrer-Policy", "no-referrer");
    byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }

  private static String origin(java.net.URI uri) {
    return uri.getScheme() + "://" + uri.getRawAuthority();
  }
}
