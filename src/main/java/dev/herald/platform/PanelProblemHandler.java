package dev.herald.platform;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;

/**
 * An {@link ApiProblem} escaping a page controller becomes the error page with its status (404 for
 * another organization's id, 422 for bad input). REST controllers get problem+json from
 * {@link ApiProblemHandler}, which is asked first.
 */
@ControllerAdvice(annotations = Controller.class)
@Order(Ordered.LOWEST_PRECEDENCE)
class PanelProblemHandler {
  @ExceptionHandler(ApiProblem.class)
  void problem(ApiProblem problem, HttpServletResponse response) throws IOException {
    response.sendError(problem.status().value(), problem.getMessage());
  }
}
