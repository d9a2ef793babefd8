package dev.herald.platform;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;

/**
 * A {@link Refused} escaping a page controller becomes the error page with the refusal's status (404
 * for another organization's id, 422 for bad input; see {@link HttpRefusal}). REST controllers get
 * problem+json from {@link ApiProblemHandler}, which is asked first.
 */
@ControllerAdvice(annotations = Controller.class)
@Order(Ordered.LOWEST_PRECEDENCE)
class PanelProblemHandler {
  @ExceptionHandler(Refused.class)
  void refused(Refused refused, HttpServletResponse response) throws IOException {
    HttpRefusal.apply(refused.refusal(), response);
    response.sendError(HttpRefusal.status(refused.refusal()).value(), refused.getMessage());
  }
}
