package dev.herald.content;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;
import org.jsoup.nodes.Entities;

/**
 * How a template's or a body's source is written: {@code template.format}. Whatever the format, mail carries HTML
 * (and a plain-text part made from it): {@link #toHtml} is that one step. Render the template language first, then
 * convert, so that a Markdown template's {@code {{ subscriber.name }}} is text by the time Markdown reads it.
 */
public enum ContentFormat implements TextEnum {
  /** HTML written in the rich-text (WYSIWYG) editor: only what that editor can represent. */
  RICHTEXT("richtext"),
  HTML("html"),
  /** CommonMark with GitHub's tables: {@link Markdown}. */
  MARKDOWN("markdown"),
  /** Plain text: paragraphs at blank lines, line breaks kept. */
  TEXT("text");

  private final String text;

  ContentFormat(String text) {
    this.text = text;
  }

  @JsonValue
  @Override
  public String text() {
    return text;
  }

  @Override
  public String toString() {
    return text;
  }

  /** As the panel shows it. */
  public String words() {
    return switch (this) {
      case RICHTEXT -> "Rich text";
      case HTML -> "HTML";
      case MARKDOWN -> "Markdown";
      case TEXT -> "Plain text";
    };
  }

  /** The HTML of {@code source} written in this format. */
  public String toHtml(String source) {
    return switch (this) {
      case RICHTEXT, HTML -> source;
      case MARKDOWN -> Markdown.toHtml(source);
      case TEXT -> textToHtml(source);
    };
  }

  /** Paragraphs at blank lines, {@code <br>} at the other line breaks, everything else escaped. */
  static String textToHtml(String text) {
    StringBuilder html = new StringBuilder();
    for (String paragraph : text.strip().split("\\R\\s*\\R")) {
      if (paragraph.isBlank()) continue;
      if (!html.isEmpty()) html.append('\n');
      html.append("<p>").append(String.join("<br>\n", paragraph.strip().lines().map(ContentFormat::escape).toList())).append("</p>");
    }
    return html.toString();
  }

  private static String escape(String line) {
    return Entities.escape(line);
  }
}
