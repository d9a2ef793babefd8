package dev.herald.platform;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.tomcat.util.http.fileupload.InvalidFileNameException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.util.DisconnectedClientHelper;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.MismatchedInputException;

/**
 * Every REST error as RFC 9457 problem+json; validation errors list each field and why
 * ({@code errors: [{field, message}]}). Spring's own exceptions keep their status through
 * {@link ResponseEntityExceptionHandler} (415, 404, 405, an {@code ErrorResponseException}'s body...);
 * unreadable JSON and wrong parameter types get a message naming the field. Anything else is a bug:
 * a 500 with a short error id that is also in the log, and nothing of the exception (no stack trace,
 * no SQL) in the body.
 */
@RestControllerAdvice(annotations = org.springframework.web.bind.annotation.RestController.class)
@org.springframework.core.annotation.Order(org.springframework.core.Ordered.HIGHEST_PRECEDENCE)
class ApiProblemHandler extends ResponseEntityExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(ApiProblemHandler.class);

  /** A service's refusal: its status from {@link HttpRefusal}, the field (if any) in {@code errors}, Retry-After when it names a wait. */
  @ExceptionHandler(Refused.class)
  ResponseEntity<ProblemDetail> refused(Refused refused) {
    Refusal refusal = refused.refusal();
    ResponseEntity.BodyBuilder answer = ResponseEntity.status(HttpRefusal.status(refusal));
    String retryAfter = HttpRefusal.retryAfter(refusal);
    if (retryAfter != null) answer.header(HttpHeaders.RETRY_AFTER, retryAfter);
    return answer.body(HttpRefusal.problem(refusal));
  }

  /**
   * The safety net: an exception no other handler claims. The more specific handlers of
   * {@link ResponseEntityExceptionHandler} win over this one (Spring picks the closest type), and
   * exceptions that belong to someone else are passed on untouched.
   */
  @ExceptionHandler(Exception.class)
  ResponseEntity<ProblemDetail> unexpected(Exception ex, HttpServletRequest request, HttpServletResponse response) throws Exception {
    // Spring Security's filters turn these into 401/403 (problem+json for the API, see SecurityConfiguration).
    if (ex instanceof AccessDeniedException || ex instanceof AuthenticationException) throw ex;
    // A streamed download that failed half-way cannot become a problem document any more.
    if (response.isCommitted()) throw ex;
    if (DisconnectedClientHelper.isClientDisconnectedException(ex)) return null; // nobody is listening for an answer
    ResponseStatus declared = AnnotatedElementUtils.findMergedAnnotation(ex.getClass(), ResponseStatus.class);
    if (declared != null) {
      // As Spring's ResponseStatusExceptionResolver would answer, but as problem+json: the declared reason only.
      HttpStatus status = declared.code();
      return ResponseEntity.status(status).body(ProblemDetail.forStatusAndDetail(status,
          declared.reason().isEmpty() ? status.getReasonPhrase() : declared.reason()));
    }
    String errorId = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    log.error("Unexpected error {} in {} {}", errorId, request.getMethod(), request.getRequestURI(), ex);
    ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
        "Herald could not complete this request because of an internal error (error id " + errorId
            + "). Please report the error id; the server's log has the details.");
    body.setInstance(URI.create("urn:herald:error:" + errorId));
    body.setProperty("errorId", errorId);
    return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR).body(body);
  }

  /**
   * A multipart body the server cannot parse: Tomcat refuses a file name holding a NUL, which answered a 500 from
   * outside any handler. Multipart requests are resolved lazily (application.yml), so the parsing happens while the
   * handler's arguments are read, and this answers it. A body past the size limit is Spring's 413, handled apart.
   */
  @ExceptionHandler(MultipartException.class)
  ResponseEntity<ProblemDetail> unreadableMultipart(MultipartException ex) {
    String detail = cause(ex, InvalidFileNameException.class) != null
        ? "The file name holds a NUL character, which no file name can; rename the file and send it again."
        : "The multipart/form-data body could not be read.";
    ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
    body.setProperty("errors", List.of(Map.of("field", "file", "message", detail)));
    return ResponseEntity.badRequest().body(body);
  }

  @Override
  protected ResponseEntity<Object> handleMethodArgumentNotValid(
      MethodArgumentNotValidException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.UNPROCESSABLE_CONTENT, "The request has invalid fields.");
    body.setProperty("errors", ex.getBindingResult().getFieldErrors().stream()
        .map(e -> Map.of("field", e.getField(), "message", String.valueOf(e.getDefaultMessage())))
        .toList());
    return ResponseEntity.status(HttpStatus.UNPROCESSABLE_CONTENT).body(body);
  }

  /**
   * A body that is not JSON, or JSON of the wrong shape: 400 saying where. Spring's default says only
   * "Failed to read request"; Jackson's own message names Java classes, which mean nothing to a client.
   */
  @Override
  protected ResponseEntity<Object> handleHttpMessageNotReadable(
      HttpMessageNotReadableException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    JacksonException json = cause(ex, JacksonException.class);
    String field = json == null ? null : path(json);
    String detail;
    if (json == null) {
      detail = ex.getMessage() != null && ex.getMessage().startsWith("Required request body is missing")
          ? "Send a JSON body with this request." : "The request body could not be read as JSON.";
    } else if (json instanceof StreamReadException && !(json instanceof MismatchedInputException)) {
      TokenStreamLocation at = json.getLocation();
      detail = "The request body is not valid JSON" + (at != null && at.getLineNr() > 0
          ? " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")." : ".");
    } else if (field != null) {
      Class<?> expected = json instanceof MismatchedInputException m ? m.getTargetType() : null;
      detail = field + " has the wrong type" + (expected == null ? "." : ": expected " + describe(expected) + ".");
    } else {
      detail = "The request body is JSON of the wrong shape for this call.";
    }
    ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
    if (field != null) body.setProperty("errors", List.of(Map.of("field", field, "message", detail)));
    return handleExceptionInternal(ex, body, headers, HttpStatus.BAD_REQUEST, request);
  }

  /** {@code ?page=abc}, {@code /lists/abc}: 400 naming the parameter and what it takes. */
  @Override
  protected ResponseEntity<Object> handleTypeMismatch(TypeMismatchException ex, HttpHeaders headers, HttpStatusCode status,
      WebRequest request) {
    String name = ex instanceof MethodArgumentTypeMismatchException m ? m.getName() : ex.getPropertyName();
    String value = String.valueOf(ex.getValue());
    if (value.length() > 40) value = value.substring(0, 40) + "…";
    String detail = name + " must be " + describe(ex.getRequiredType()) + "; '" + value + "' is not.";
    ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
    if (name != null) body.setProperty("errors", List.of(Map.of("field", name, "message", detail)));
    return handleExceptionInternal(ex, body, headers, HttpStatus.BAD_REQUEST, request);
  }

  @Override
  protected ResponseEntity<Object> handleMissingServletRequestParameter(MissingServletRequestParameterException ex,
      HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    String detail = "The parameter " + ex.getParameterName() + " is required.";
    ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
    body.setProperty("errors", List.of(Map.of("field", ex.getParameterName(), "message", detail)));
    return handleExceptionInternal(ex, body, headers, HttpStatus.BAD_REQUEST, request);
  }

  /** Where in the JSON document: {@code lists[0]}, {@code [2].email}, {@code fields}; null at the top. */
  private static String path(JacksonException e) {
    StringBuilder out = new StringBuilder();
    for (JacksonException.Reference r : e.getPath()) {
      if (r.getPropertyName() != null) {
        if (!out.isEmpty()) out.append('.');
        out.append(r.getPropertyName());
      } else if (r.getIndex() >= 0) {
        out.append('[').append(r.getIndex()).append(']');
      }
    }
    return out.isEmpty() ? null : out.toString();
  }

  /** What a client would call the expected type. */
  private static String describe(Class<?> type) {
    if (type == null) return "a value of another type";
    if (type == String.class || type == char.class || type == Character.class) return "text";
    if (type == boolean.class || type == Boolean.class) return "true or false";
    if (type == int.class || type == long.class || type == short.class || type == Integer.class || type == Long.class
        || type == Short.class || type == java.math.BigInteger.class) {
      return "a whole number";
    }
    if (type.isPrimitive() || Number.class.isAssignableFrom(type)) return "a number";
    if (type == java.time.LocalDate.class) return "a date (YYYY-MM-DD)";
    if (java.time.temporal.Temporal.class.isAssignableFrom(type)) return "an ISO 8601 time";
    if (type.isEnum()) return "one of the documented values";
    if (type.isArray() || Collection.class.isAssignableFrom(type)) return "an array";
    return "an object";
  }

  private static <T extends Throwable> T cause(Throwable t, Class<T> type) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (type.isInstance(c)) return type.cast(c);
    }
    return null;
  }
}
