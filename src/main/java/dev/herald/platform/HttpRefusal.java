package dev.herald.platform;

import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

/**
 * The one place where a {@link Refusal} becomes HTTP: its status and its Retry-After header, the same
 * for problem+json ({@link ApiProblemHandler}) and for pages ({@link PanelProblemHandler}, {@link Forms}).
 */
final class HttpRefusal {
  private HttpRefusal() {}

  static HttpStatus status(Refusal refusal) {
    return switch (refusal) {
      case Refusal.Invalid i -> HttpStatus.UNPROCESSABLE_CONTENT;
      case Refusal.NotFound n -> HttpStatus.NOT_FOUND;
      case Refusal.Conflict c -> HttpStatus.CONFLICT;
      case Refusal.Forbidden f -> HttpStatus.FORBIDDEN;
      case Refusal.Limited l -> HttpStatus.TOO_MANY_REQUESTS;
      case Refusal.Unavailable u -> HttpStatus.SERVICE_UNAVAILABLE;
    };
  }

  /** The Retry-After value in whole seconds (rounded up, at least 1), or null when the refusal names no wait. */
  static String retryAfter(Refusal refusal) {
    Duration wait = switch (refusal) {
      case Refusal.Limited l -> l.retryAfter();
      case Refusal.Unavailable u -> u.retryAfter();
      default -> null;
    };
    if (wait == null) return null;
    long seconds = wait.toSeconds() + (wait.toNanosPart() > 0 ? 1 : 0);
    return Long.toString(Math.max(1, seconds));
  }

  /** Sets the status and, when the refusal names a wait, Retry-After. */
  static void apply(Refusal refusal, HttpServletResponse response) {
    response.setStatus(status(refusal).value());
    String retry = retryAfter(refusal);
    if (retry != null) response.setHeader(HttpHeaders.RETRY_AFTER, retry);
  }
}
