package dev.herald.platform;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Every value a refused form sent, per name: what a multiple select or a group of same-named checkboxes needs to
 * show the choices again (the flashed {@code values} keep one value per name, which suits text fields). Flashed as
 * {@code choices} by {@link PanelProblemHandler}; a template asks {@code ${choices?.has('categories', c.text())}}, so a
 * page shown without a refusal (no {@code choices}) checks nothing. Serializable: flash attributes live in the session.
 */
public record FormChoices(Map<String, List<String>> sent) implements Serializable {
  public FormChoices {
    sent = Map.copyOf(sent);
  }

  /** Whether the form sent {@code value} (compared as text, so ids may be given as numbers) under {@code name}. */
  public boolean has(String name, Object value) {
    List<String> given = sent.get(name);
    return given != null && value != null && given.contains(Objects.toString(value));
  }

  /** Every value sent under {@code name}, in the order sent (empty when none). */
  public List<String> all(String name) {
    return sent.getOrDefault(name, List.of());
  }
}
