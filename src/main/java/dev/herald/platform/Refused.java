package dev.herald.platform;

import java.time.Duration;
import java.util.Map;

/**
 * The exception that carries a {@link Refusal} out of a service. It has no stack trace: a refusal is
 * an answer, not a fault, and filling one in for every bad row of a bulk request costs time.
 */
public final class Refused extends RuntimeException {
  private final Refusal refusal;

  public Refused(Refusal refusal) {
    super(refusal.message(), null, false, false);
    this.refusal = refusal;
  }

  public Refusal refusal() {
    return refusal;
  }

  public String field() {
    return refusal.field();
  }

  /** For a page: field → message, "form" when no field is named, so the page shows it beside the field. */
  public Map<String, String> fieldErrors() {
    return Map.of(field() == null ? "form" : field(), getMessage());
  }

  public static Refused invalid(String field, String message) {
    return new Refused(new Refusal.Invalid(field, message));
  }

  /** {@code what} names the thing: "List", "Subscriber"; the message is "List not found". */
  public static Refused notFound(String what) {
    return new Refused(new Refusal.NotFound(what + " not found"));
  }

  public static Refused conflict(String field, String message) {
    return new Refused(new Refusal.Conflict(field, message));
  }

  public static Refused forbidden(String message) {
    return new Refused(new Refusal.Forbidden(message));
  }

  public static Refused limited(String message, Duration retryAfter) {
    return new Refused(new Refusal.Limited(message, retryAfter));
  }

  public static Refused unavailable(String message, Duration retryAfter) {
    return new Refused(new Refusal.Unavailable(message, retryAfter));
  }

  /** The paging parameters every listing takes: {@code page} from 0, {@code size} 1 to 1,000. */
  public static void checkPage(int page, int size) {
    if (size < 1 || size > 1000) throw invalid("size", "size is between 1 and 1000.");
    if (page < 0) throw invalid("page", "page starts at 0.");
  }
}
