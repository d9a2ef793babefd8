package dev.herald.platform;

import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/**
 * The one place where a {@link Refusal} becomes HTTP: its status and its Retry-After header, the same
 * for problem+json ({@link ApiProblemHandler}) and for pages ({@link PanelProblemHandler}, {@link Forms}).
 */
public final class HttpRefusal {
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

  /**
   * The refusal as problem+json: its status, its message, and its field (if any) in {@code errors}. Public for
   * answers that carry several problems in one body, such as the send API's batch.
   */
  public static ProblemDetail problem(Refusal refusal) {
    ProblemDetail body = ProblemDetail.forStatusAndDetail(status(refusal), refusal.message());
    if (refusal.field() != null) {
      body.setProperty("errors", List.of(Map.of("field", refusal.field(), "message", refusal.message())));
    }
    return body;
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
