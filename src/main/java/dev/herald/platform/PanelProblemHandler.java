package dev.herald.platform;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.util.UriUtils;

/**
 * A {@link Refused} escaping a page controller. A handler marked {@link OnRefused} sends its form back:
 * the errors and what was submitted are flashed, and the browser is redirected to the page the form is
 * on. Any other handler answers the error page with the refusal's status (404 for another
 * organization's id, 422 for bad input; see {@link HttpRefusal}). REST controllers get problem+json
 * from {@link ApiProblemHandler}, which is asked first.
 */
@ControllerAdvice(annotations = Controller.class)
@Order(Ordered.LOWEST_PRECEDENCE)
class PanelProblemHandler {
  /**
   * The error page says what was refused when it was a value (its message is written for people, as on forms).
   * A request attribute: the error page, rendered in the same request, reads it as a variable.
   */
  static final String INVALID = "refusedValue";

  private static final Pattern VARIABLE = Pattern.compile("\\{([A-Za-z0-9_]+)}");

  /** Never flashed into the session, nor shown again: the CSRF token and anything secret. */
  private static final Pattern SECRET = Pattern.compile("_csrf|.*(password|token|secret).*");

  @ExceptionHandler(Refused.class)
  String refused(Refused refused, HandlerMethod handler, HttpServletRequest request, HttpServletResponse response,
      RedirectAttributes flash) throws IOException {
    Refusal refusal = refused.refusal();
    OnRefused form = handler.getMethodAnnotation(OnRefused.class);
    if (form == null || (form.notFoundIsPage() && refusal instanceof Refusal.NotFound)) {
      HttpRefusal.apply(refusal, response);
      if (refusal instanceof Refusal.Invalid) request.setAttribute(INVALID, refusal.message());
      response.sendError(HttpRefusal.status(refusal).value(), refusal.message());
      return null;
    }
    Map<String, String> variables = pathVariables(request);
    String key = !form.errorKey().isEmpty() ? expand(form.errorKey(), variables, false)
        : refusal.field() != null ? refusal.field() : "form";
    flash.addFlashAttribute("errors", Map.of(key, refusal.message()));
    flash.addFlashAttribute("values", submitted(request));
    flash.addFlashAttribute("choices", choices(request));
    for (String name : form.query()) {
      String value = request.getParameter(name);
      if (value != null && !value.isBlank()) flash.addAttribute(name, value);
    }
    return "redirect:" + expand(form.value(), variables, true);
  }

  /** What the form sent, one value per name (the first), without secrets. */
  private static Map<String, String> submitted(HttpServletRequest request) {
    Map<String, String> values = new LinkedHashMap<>();
    request.getParameterMap().forEach((name, given) -> {
      if (given.length > 0 && !SECRET.matcher(name.toLowerCase(Locale.ROOT)).matches()) values.put(name, given[0]);
    });
    return values;
  }

  /** What the form sent, every value per name (multiple selects, same-named checkboxes), without secrets. */
  private static FormChoices choices(HttpServletRequest request) {
    Map<String, List<String>> values = new LinkedHashMap<>();
    request.getParameterMap().forEach((name, given) -> {
      if (given.length > 0 && !SECRET.matcher(name.toLowerCase(Locale.ROOT)).matches()) values.put(name, List.of(given));
    });
    return new FormChoices(values);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> pathVariables(HttpServletRequest request) {
    Object variables = request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE);
    return variables == null ? Map.of() : (Map<String, String>) variables;
  }

  /** {@code {name}} → the handler's path variable; a name the path does not have is a mistake in the annotation. */
  private static String expand(String template, Map<String, String> variables, boolean encode) {
    Matcher m = VARIABLE.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = variables.get(m.group(1));
      if (value == null) throw new IllegalStateException("@OnRefused(\"" + template + "\") names {" + m.group(1) + "}, not a path variable");
      m.appendReplacement(out, Matcher.quoteReplacement(encode ? UriUtils.encodePathSegment(value, "UTF-8") : value));
    }
    m.appendTail(out);
    return out.toString();
  }
}
