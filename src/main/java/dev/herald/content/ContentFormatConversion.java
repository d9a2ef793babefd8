package dev.herald.content;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Attribute;
import org.jsoup.nodes.Element;

/**
 * The editor's format switch: a source converted from one format to another, and a warning in words when the
 * target cannot hold all of it (HTML to Markdown or text loses layout; the rich-text editor keeps only the formats
 * it has). The panel shows the warning before it applies the switch, so nothing is lost without being asked.
 */
final class ContentFormatConversion {
  /** What the rich-text editor (Quill, configured in static/content/editor.js) can represent. */
  private static final Set<String> RICHTEXT_TAGS = Set.of("p", "br", "h1", "h2", "h3", "strong", "b", "em", "i", "u",
      "s", "a", "ul", "ol", "li", "blockquote", "pre", "code", "img", "span");
  private static final Set<String> RICHTEXT_ATTRIBUTES = Set.of("href", "src", "alt", "target", "rel");
  /** What Markdown writes (and its converter in {@link HtmlToText} keeps). */
  private static final Set<String> MARKDOWN_TAGS = Set.of("p", "br", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "b",
      "em", "i", "a", "ul", "ol", "li", "blockquote", "pre", "code", "img", "hr");
  private static final Set<String> MARKDOWN_ATTRIBUTES = Set.of("href", "src", "alt", "title", "start");
  /** Wrappers that carry nothing when they have no attributes. */
  private static final Set<String> NEUTRAL = Set.of("html", "head", "body", "div", "span");

  private ContentFormatConversion() {}

  /** {@code warning} is null when nothing is lost. */
  record Converted(String source, String warning) {}

  static Converted convert(String source, ContentFormat from, ContentFormat to) {
    String s = source == null ? "" : source;
    if (from == to) return new Converted(s, null);
    String html = from.toHtml(s);
    return switch (to) {
      case HTML -> new Converted(html, null);
      case RICHTEXT -> new Converted(html, lost(html, RICHTEXT_TAGS, RICHTEXT_ATTRIBUTES)
          .map(what -> "The rich-text editor keeps text, headings, lists, links, images and emphasis; it drops " + what + ".")
          .orElse(null));
      case MARKDOWN -> new Converted(HtmlToText.toMarkdown(html), from == ContentFormat.TEXT ? null
          : lost(html, MARKDOWN_TAGS, MARKDOWN_ATTRIBUTES)
              .map(what -> "Markdown keeps headings, paragraphs, lists, links, images and emphasis; the layout is lost: " + what + ".")
              .orElse(null));
      case TEXT -> new Converted(HtmlToText.convert(html), lost(html, Set.of("p", "br"), Set.of())
          .map(what -> "Plain text keeps the words and the addresses of links; all formatting is lost: " + what + ".")
          .orElse(null));
    };
  }

  /** The elements and attributes of {@code html} outside the kept sets, in words; empty when there are none. */
  private static java.util.Optional<String> lost(String html, Set<String> tags, Set<String> attributes) {
    Set<String> lost = new LinkedHashSet<>();
    Set<String> lostAttributes = new LinkedHashSet<>();
    boolean hasHead = html.toLowerCase(java.util.Locale.ROOT).contains("<style");
    if (hasHead) lost.add("<style>");
    for (Element e : Jsoup.parse(html).body().getAllElements()) {
      String name = e.normalName();
      boolean neutral = NEUTRAL.contains(name);
      if (!neutral && !tags.contains(name)) lost.add("<" + name + ">");
      for (Attribute a : e.attributes()) {
        if (!attributes.contains(a.getKey()) && !(neutral && e.attributesSize() == 0)) lostAttributes.add(a.getKey());
      }
    }
    if (lost.isEmpty() && lostAttributes.isEmpty()) return java.util.Optional.empty();
    List<String> parts = new java.util.ArrayList<>();
    if (!lost.isEmpty()) parts.add(lost.stream().limit(6).collect(Collectors.joining(", ")));
    if (!lostAttributes.isEmpty()) {
      parts.add("the attributes " + lostAttributes.stream().limit(6).collect(Collectors.joining(", ")) + " (styles and sizes)");
    }
    return java.util.Optional.of(String.join(" and ", parts));
  }
}
