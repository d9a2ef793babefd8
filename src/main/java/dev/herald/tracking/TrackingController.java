package dev.herald.tracking;

import dev.herald.platform.RequestOrigin;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.IDN;
import java.nio.charset.StandardCharsets;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;

/**
 * The open pixel and the click redirect, on the public origin and the organizations' tracking hosts (the origin filter
 * serves {@code /t/} nowhere else). No cookies, nothing cached: every fetch is a fetch. A request the tracker does not
 * know gets the 404 page, never a redirect.
 *
 * <p>The paths as Herald writes them into mail are answered before Spring MVC by {@link TrackingFilter}, with the same
 * {@link #of} and {@link #answer}; these handlers answer the other spellings of the same paths (a percent-encoded
 * letter, a {@code ;parameter}), which the filter leaves to MVC's path resolution.
 */
@Controller
class TrackingController {
  /** The smallest transparent GIF: 1 × 1, one colour, 43 bytes. */
  static final byte[] PIXEL = {0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, (byte) 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
      (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x21, (byte) 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01,
      0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b};
  /** The whole body of a 503 from a full buffer. */
  static final byte[] BUSY = "Busy, try again later.\n".getBytes(StandardCharsets.US_ASCII);

  private final Tracker tracker;

  TrackingController(Tracker tracker) {
    this.tracker = tracker;
  }

  @GetMapping("/t/o/{token}")
  void open(@PathVariable String token, HttpServletRequest request, HttpServletResponse response) throws IOException {
    answer(tracker.open(token, of(request)), "HEAD".equals(request.getMethod()), response);
  }

  @GetMapping("/t/c/{token}")
  void click(@PathVariable String token, HttpServletRequest request, HttpServletResponse response) throws IOException {
    answer(tracker.click(token, of(request)), "HEAD".equals(request.getMethod()), response);
  }

  static Tracker.Request of(HttpServletRequest request) {
    return of(request.getServerName(), request.getRemoteAddr(), request.getHeader("User-Agent"), request.getHeader("DNT"),
        request.getHeader("Sec-GPC"), request.getMethod());
  }

  /** The same from the parts of a request as the tracking listener reads them ({@link TrackingListener}). */
  static Tracker.Request of(String serverName, String remoteAddr, String userAgent, String dnt, String secGpc, String method) {
    boolean doNotTrack = "1".equals(trim(dnt)) || "1".equals(trim(secGpc));
    return new Tracker.Request(RequestOrigin.host(serverName), remoteAddr, userAgent, doNotTrack, "GET".equals(method));
  }

  private static String trim(String value) {
    return value == null ? null : value.strip();
  }

  /**
   * The headers of every answer of the two endpoints, as name and value pairs: written by {@link #answer} here and by the
   * tracking listener ({@link TrackingListener}) from this one list, so both ports answer alike.
   */
  static final String[] HEADERS = {"Cache-Control", "no-store", "Referrer-Policy", "no-referrer", "X-Content-Type-Options", "nosniff"};
  static final String PIXEL_TYPE = "image/gif";
  static final String BUSY_TYPE = "text/plain;charset=US-ASCII";
  static final String BUSY_RETRY_AFTER = "5";

  static void answer(Tracker.Outcome outcome, boolean head, HttpServletResponse response) throws IOException {
    for (int i = 0; i < HEADERS.length; i += 2) response.setHeader(HEADERS[i], HEADERS[i + 1]);
    switch (outcome) {
      case Tracker.Outcome.Pixel p -> {
        response.setContentType(PIXEL_TYPE);
        response.setContentLength(PIXEL.length);
        if (!head) response.getOutputStream().write(PIXEL);
      }
      case Tracker.Outcome.Redirect r -> {
        response.setStatus(HttpServletResponse.SC_FOUND);
        response.setHeader("Location", r.location());
      }
      case Tracker.Outcome.NotFound n -> response.sendError(HttpServletResponse.SC_NOT_FOUND);
      case Tracker.Outcome.Busy b -> {
        // Written here, not by sendError: a full buffer comes with load, and the error page's dispatch and rendering
        // cost many times an answer (bench/tracking.sh saw its 503s as most of the p99).
        response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
        response.setHeader("Retry-After", BUSY_RETRY_AFTER);
        response.setContentType(BUSY_TYPE);
        response.setContentLength(BUSY.length);
        if (!head) response.getOutputStream().write(BUSY);
      }
    }
  }

  /**
   * The stored URL as a Location header can carry it: a header is ASCII, so an internationalized host is written in
   * its ASCII form and any other character outside printable ASCII as percent-encoded UTF-8.
   */
  static String location(String url) {
    int hostStart = url.indexOf("://") + 3;
    int hostEnd = hostStart;
    while (hostEnd < url.length() && "/?#".indexOf(url.charAt(hostEnd)) < 0) hostEnd++;
    String authority = url.substring(hostStart, hostEnd);
    if (!authority.chars().allMatch(c -> c < 0x80)) {
      int at = authority.lastIndexOf('@');
      int colon = authority.indexOf(':', at + 1);
      String host = authority.substring(at + 1, colon < 0 ? authority.length() : colon);
      try {
        authority = authority.substring(0, at + 1) + IDN.toASCII(host) + (colon < 0 ? "" : authority.substring(colon));
      } catch (IllegalArgumentException notAHost) {
        // left to the percent-encoding below: the browser then refuses it, and nothing else is reached
      }
    }
    String whole = url.substring(0, hostStart) + authority + url.substring(hostEnd);
    StringBuilder out = new StringBuilder(whole.length() + 16);
    for (byte b : whole.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c > 0x20 && c < 0x7f) out.append((char) c);
      else out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16))).append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
    }
    return out.toString();
  }
}
