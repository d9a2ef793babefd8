package dev.herald.platform;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Where a page's form goes back to when a service refuses it. On a page controller's handler method,
 * a {@link Refused} thrown by the handler is not an error page: {@link PanelProblemHandler} flashes
 * {@code errors} (field → message; "form" when the refusal names no field) and {@code values} (what was
 * submitted, one value per name, so the form is filled in again; passwords, tokens and secrets are never kept),
 * {@code choices} (every value per name, a {@link FormChoices}, for multiple selects and same-named checkboxes:
 * {@code th:checked="${choices?.has('scopes', s.code())}"}) and redirects here. A handler without it gets the error page with the refusal's status.
 *
 * <pre>{@code
 * @PostMapping("/o/{org}/lists")
 * @OnRefused("/o/{org}/lists")
 * String createList(...) { ... lists.create(...) may throw Refused ... }
 * }</pre>
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface OnRefused {
  /** The page to go back to, with the handler's path variables and an optional anchor: {@code /o/{org}/fields#field-{id}}. */
  String value();

  /**
   * One error key for every refusal of this form, with path variables ({@code field-{id}}), for a page
   * that shows one row's error in one place; empty: the refusal's field, or "form".
   */
  String errorKey() default "";

  /** Request parameters that go back as query parameters when not blank (the search the page was showing). */
  String[] query() default {};

  /** NotFound is the 404 page, not an error on the form: the thing the form is about is gone. */
  boolean notFoundIsPage() default false;
}
