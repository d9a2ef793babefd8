package dev.herald.platform;

import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import org.springframework.web.util.UriUtils;

/**
 * A request's host and path as the servlet container and Spring MVC will understand them, for the
 * checks that must not be fooled by another spelling of the same address: {@code LISTS.example.:443}
 * is the host {@code lists.example}, and {@code /%70//./subscribe;x/2} is the path {@code /p/subscribe/2}.
 */
public final class RequestOrigin {
  private RequestOrigin() {}

  /** Lower case, without port or trailing dots (DNS treats {@code lists.example.} as {@code lists.example}). */
  public static String host(String host) {
    if (host == null) return "";
    String h = host.trim().toLowerCase(Locale.ROOT);
    int end = h.startsWith("[") ? h.indexOf(']') + 1 : h.indexOf(':'); // an IPv6 literal keeps its colons
    if (end > 0 && end < h.length()) h = h.substring(0, end);
    while (h.endsWith(".")) h = h.substring(0, h.length() - 1);
    return h;
  }

  /**
   * The path without context path, each segment's {@code ;parameters} removed and percent-decoded (an
   * encoded slash separates segments here), empty and {@code .} segments dropped and {@code ..} applied.
   * Null when the path cannot be decoded: nobody can serve it.
   */
  static String path(HttpServletRequest request) {
    String raw = request.getRequestURI().substring(request.getContextPath().length());
    Deque<String> segments = new ArrayDeque<>();
    for (String segment : raw.split("/")) {
      int parameters = segment.indexOf(';');
      if (parameters >= 0) segment = segment.substring(0, parameters);
      String decoded;
      try {
        decoded = UriUtils.decode(segment, java.nio.charset.StandardCharsets.UTF_8);
      } catch (IllegalArgumentException malformed) {
        return null;
      }
      for (String part : decoded.split("/")) {
        if (part.isEmpty() || part.equals(".")) continue;
        if (part.equals("..")) segments.pollLast();
        else segments.addLast(part);
      }
    }
    return "/" + String.join("/", segments);
  }
}
