package dev.herald.content;

import java.util.List;
import org.commonmark.Extension;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

/**
 * Markdown to HTML with commonmark-java (CommonMark, plus GitHub's tables, which newsletters use). Raw HTML in
 * the Markdown is kept: the author is the organization, whose HTML templates are HTML anyway, and the preview runs
 * sandboxed. Parser and renderer are immutable and thread-safe, so one of each serves every call.
 */
public final class Markdown {
  private static final List<Extension> EXTENSIONS = List.of(TablesExtension.create());
  private static final Parser PARSER = Parser.builder().extensions(EXTENSIONS).build();
  private static final HtmlRenderer RENDERER = HtmlRenderer.builder().extensions(EXTENSIONS).build();

  private Markdown() {}

  public static String toHtml(String markdown) {
    if (markdown == null || markdown.isEmpty()) return "";
    return RENDERER.render(PARSER.parse(markdown));
  }
}
