package dev.herald.platform;

import org.springframework.http.HttpStatus;

/**
 * A request the API refuses, rendered as RFC 9457 problem+json. {@code field} names the offending
 * input, so a client can show the error beside it.
 */
public class ApiProblem extends RuntimeException {
  private final HttpStatus status;
  private final String field;

  public ApiProblem(HttpStatus status, String detail) {
    this(status, null, detail);
  }

  public ApiProblem(HttpStatus status, String field, String detail) {
    super(detail);
    this.status = status;
    this.field = field;
  }

  public static ApiProblem notFound(String what) {
    return new ApiProblem(HttpStatus.NOT_FOUND, what + " not found");
  }

  public static ApiProblem invalid(String field, String detail) {
    return new ApiProblem(HttpStatus.UNPROCESSABLE_CONTENT, field, detail);
  }

  /** The paging parameters every listing of the API takes: {@code page} from 0, {@code size} 1 to 1,000. */
  public static void checkPage(int page, int size) {
    if (size < 1 || size > 1000) throw invalid("size", "size is between 1 and 1000.");
    if (page < 0) throw invalid("page", "page starts at 0.");
  }

  /** For a page: field → message, "form" when no field is named, so the page shows it beside the field. */
  public java.util.Map<String, String> fieldErrors() {
    return java.util.Map.of(field == null ? "form" : field, getMessage());
  }

  public HttpStatus status() {
    return status;
  }

  public String field() {
    return field;
  }
}
