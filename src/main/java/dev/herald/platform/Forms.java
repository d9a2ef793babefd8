package dev.herald.platform;

import jakarta.servlet.http.HttpServletResponse;
import org.springframework.ui.Model;

/**
 * For a page that shows a refused form again in the same response instead of redirecting (sign-up,
 * setup, the hosted subscription form: pages whose model the controller builds). A form that goes back
 * by redirect declares {@link OnRefused} instead.
 */
public final class Forms {
  private Forms() {}

  /**
   * Puts the refusal's {@code errors} (field → message, "form" when no field) in the model and sets the
   * response status the refusal maps to (422 for bad input, 403 for closed sign-up...). The caller adds
   * what its page needs and returns the view.
   */
  public static void refused(Refused refused, Model model, HttpServletResponse response) {
    model.addAttribute("errors", refused.fieldErrors());
    HttpRefusal.apply(refused.refusal(), response);
  }
}
