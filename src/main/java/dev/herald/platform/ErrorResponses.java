package dev.herald.platform;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.servlet.ModelAndView;
import tools.jackson.databind.ObjectMapper;

/**
 * What the container shows for an error no controller answered: a filter's {@code sendError} (origin
 * separation, Spring Security), a path nothing maps, an exception thrown outside a controller. Under
 * {@code /api/} that is problem+json, as every API error is ({@link ApiProblemHandler} answers the ones
 * controllers raise); elsewhere the error page, which words each status for what it is.
 * It replaces Spring Boot's BasicErrorController, whose JSON has another shape.
 */
@Controller
class ErrorResponses implements ErrorController {
  private static final Logger log = LoggerFactory.getLogger(ErrorResponses.class);
  private final ObjectMapper json;

  ErrorResponses(ObjectMapper json) {
    this.json = json;
  }

  @RequestMapping("/error")
  ModelAndView error(HttpServletRequest request, HttpServletResponse response) throws IOException {
    HttpStatus status = status(request);
    String path = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI) instanceof String uri
        ? uri.substring(request.getContextPath().length()) : null;
    String errorId = null;
    if (status.is5xxServerError()) {
      errorId = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
      log.error("Unexpected error {} in {} {}", errorId, request.getMethod(), path,
          (Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION));
    }
    response.setStatus(status.value());
    if (path != null && path.startsWith("/api/")) {
      Map<String, Object> problem = new LinkedHashMap<>();
      problem.put("type", "about:blank");
      problem.put("title", status.getReasonPhrase());
      problem.put("status", status.value());
      problem.put("detail", detail(status, errorId));
      if (errorId != null) {
        problem.put("instance", "urn:herald:error:" + errorId);
        problem.put("errorId", errorId);
      }
      response.setContentType("application/problem+json");
      response.setCharacterEncoding("UTF-8");
      response.getWriter().write(json.writeValueAsString(problem));
      return null;
    }
    ModelAndView page = new ModelAndView("error");
    page.addObject("status", status.value());
    page.addObject("error", status.getReasonPhrase());
    page.addObject("path", path);
    page.addObject("errorId", errorId);
    page.setStatus(status);
    return page;
  }

  private static HttpStatus status(HttpServletRequest request) {
    Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    HttpStatus status = code instanceof Integer i ? HttpStatus.resolve(i) : null;
    return status == null ? HttpStatus.INTERNAL_SERVER_ERROR : status;
  }

  private static String detail(HttpStatus status, String errorId) {
    return switch (status) {
      case BAD_REQUEST -> "The request could not be read: check its path, parameters and body.";
      case UNAUTHORIZED -> "Authenticate with an API key (Authorization: Bearer hrld_...) or a signed-in session.";
      case FORBIDDEN -> "You do not have permission for this action.";
      case NOT_FOUND -> "Herald's API has nothing at this path. The API is described at /api/docs.";
      case METHOD_NOT_ALLOWED -> "This path does not take this method. The API is described at /api/docs.";
      case CONTENT_TOO_LARGE -> "The request is larger than this installation accepts.";
      case UNSUPPORTED_MEDIA_TYPE -> "This call does not take a body of this content type.";
      default -> status.is5xxServerError()
          ? "Herald could not complete this request because of an internal error (error id " + errorId
              + "). Please report the error id; the server's log has the details."
          : status.getReasonPhrase() + ".";
    };
  }
}
