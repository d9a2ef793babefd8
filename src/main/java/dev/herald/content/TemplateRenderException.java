package dev.herald.content;

/**
 * A template that compiled but could not be rendered for one model: a bound was hit (time, output size, the size a
 * filter would build, loop iterations) or a filter was given something it cannot use. The message is for the user.
 */
public final class TemplateRenderException extends RuntimeException {

  TemplateRenderException(String message) {
    super(message, null, false, false);
  }
}
