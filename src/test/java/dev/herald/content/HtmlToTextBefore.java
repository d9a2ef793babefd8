package dev.herald.content;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Comment;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;

/**
 * HtmlToText as it was before its per-recipient cost was cut (session 8): the reference {@link HtmlToTextSameTextTest}
 * compares the faster one with, text for text. Not used anywhere else.
 */
final class HtmlToTextBefore {
  static final int WIDTH = 78;
  private static final Set<String> SKIPPED = Set.of("head", "title", "script", "style", "template", "noscript", "svg",
      "iframe", "object", "video", "audio", "button", "select", "input", "textarea");
  private static final Set<String> BLOCKS = Set.of("html", "body", "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul",
      "ol", "li", "blockquote", "pre", "hr", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "section",
      "article", "header", "footer", "nav", "aside", "main", "figure", "figcaption", "address", "center", "dl", "dt",
      "dd", "form", "fieldset", "details", "summary");
  private static final Pattern HIDDEN = Pattern.compile("display\\s*:\\s*none", Pattern.CASE_INSENSITIVE);
  private static final Pattern SPACES = Pattern.compile("[ \\t\\r\\n\\f\\u00a0]+");

  /** A {@code <br>} while inline content is collected (text's own line breaks are spaces in HTML). */
  private static final char BREAK = '\u2028';
  private final boolean markdown;
  private final Tags tags = new Tags();

  private HtmlToTextBefore(boolean markdown) {
    this.markdown = markdown;
  }

  /** The text of {@code html}; empty for null or empty input. */
  static String convert(String html) {
    return new HtmlToTextBefore(false).run(html);
  }

  /** The Markdown of {@code html}, for the editor's switch from HTML to Markdown. */
  static String toMarkdown(String html) {
    return new HtmlToTextBefore(true).run(html);
  }

  private String run(String html) {
    if (html == null || html.isBlank()) return "";
    List<String> blocks = blocks(Jsoup.parse(tags.hide(html)).body(), WIDTH);
    return String.join("\n\n", blocks).lines().map(String::stripTrailing)
        .reduce((a, b) -> a + "\n" + b).orElse("").replaceAll("\n{3,}", "\n\n").strip();
  }

  /** The blocks of the children of {@code parent}: runs of inline content become paragraphs, block elements their own. */
  private List<String> blocks(Element parent, int width) {
    List<String> blocks = new ArrayList<>();
    StringBuilder inline = new StringBuilder();
    for (Node child : parent.childNodes()) {
      if (child instanceof TextNode t) {
        inline.append(escape(t.getWholeText()));
      } else if (child instanceof Comment c && tags.tagOf(c.getData()) != null) {
        inline.append(' ').append(tags.tagOf(c.getData())).append(' ');
      } else if (child instanceof Element e && !skipped(e)) {
        if (BLOCKS.contains(e.normalName())) {
          paragraph(inline, blocks, width);
          blocks.addAll(block(e, width));
        } else {
          inline.append(inline(e));
        }
      }
    }
    paragraph(inline, blocks, width);
    return blocks;
  }

  private List<String> block(Element e, int width) {
    String name = e.normalName();
    return switch (name) {
      case "h1", "h2", "h3", "h4", "h5", "h6" -> heading(e, name.charAt(1) - '0', width);
      case "ul", "ol" -> List.of(list(e, name.equals("ol"), width)).stream().filter(s -> !s.isEmpty()).toList();
      case "blockquote" -> {
        List<String> inner = blocks(e, Math.max(20, width - 2));
        if (inner.isEmpty()) yield List.of();
        yield List.of(prefixLines(String.join("\n\n", inner), "> ", "> "));
      }
      case "pre" -> {
        String code = e.wholeText().stripTrailing();
        if (code.isBlank()) yield List.of();
        yield List.of(markdown ? "```\n" + code + "\n```" : code);
      }
      case "hr" -> List.of(markdown ? "---" : "-".repeat(Math.min(width, 40)));
      default -> blocks(e, width);
    };
  }

  private List<String> heading(Element e, int level, int width) {
    String text = oneLine(inline(e));
    if (text.isEmpty()) return List.of();
    if (markdown) return List.of("#".repeat(level) + " " + text);
    String wrapped = wrap(text, width);
    int longest = wrapped.lines().mapToInt(String::length).max().orElse(0);
    if (level == 1) return List.of(wrapped + "\n" + "=".repeat(longest));
    if (level == 2) return List.of(wrapped + "\n" + "-".repeat(longest));
    return List.of(wrapped);
  }

  /** A list as one block: each item's marker on its first line, the rest indented under it; nested lists inside. */
  private String list(Element list, boolean ordered, int width) {
    List<String> items = new ArrayList<>();
    int number = ordered ? parseStart(list.attr("start")) : 0;
    for (Node node : list.childNodes()) {
      // a loop over the items ({% for %} ... {% endfor %}) keeps its tags, each on its own line
      if (node instanceof Comment c && tags.tagOf(c.getData()) != null) items.add(tags.tagOf(c.getData()));
      if (!(node instanceof Element item) || skipped(item)) continue;
      String marker = ordered ? (number++) + ". " : "- ";
      List<String> inner = item.normalName().equals("li") ? blocks(item, Math.max(20, width - marker.length()))
          : block(item, Math.max(20, width - marker.length()));
      if (inner.isEmpty()) continue;
      items.add(prefixLines(String.join("\n", inner), marker, " ".repeat(marker.length())));
    }
    return String.join("\n", items);
  }

  private static int parseStart(String start) {
    try {
      return start.isBlank() ? 1 : Integer.parseInt(start.strip());
    } catch (NumberFormatException notANumber) {
      return 1;
    }
  }

  /** Inline content as one string: {@link #BREAK} where a {@code <br>} (or a block inside inline markup) breaks the line. */
  private String inline(Element e) {
    String name = e.normalName();
    switch (name) {
      case "br":
        return String.valueOf(BREAK);
      case "img":
        return image(e);
      default:
        break;
    }
    StringBuilder text = new StringBuilder();
    for (Node child : e.childNodes()) {
      if (child instanceof TextNode t) {
        text.append(escape(t.getWholeText()));
      } else if (child instanceof Comment c && tags.tagOf(c.getData()) != null) {
        text.append(tags.tagOf(c.getData()));
      } else if (child instanceof Element c && !skipped(c)) {
        boolean block = BLOCKS.contains(c.normalName());
        if (block) text.append(BREAK);
        text.append(block ? String.join(String.valueOf(BREAK), blocks(c, WIDTH)) : inline(c));
        if (block) text.append(BREAK);
      }
    }
    String inner = text.toString();
    return switch (name) {
      case "a" -> link(e, inner);
      case "strong", "b" -> markdown && !inner.isBlank() ? "**" + inner.strip() + "**" : inner;
      case "em", "i" -> markdown && !inner.isBlank() ? "*" + inner.strip() + "*" : inner;
      case "code" -> markdown && !inner.isBlank() ? "`" + e.wholeText() + "`" : inner;
      default -> inner;
    };
  }

  private String link(Element a, String inner) {
    String href = a.attr("href").strip();
    String text = oneLine(inner);
    if (href.isEmpty() || href.startsWith("#") || href.regionMatches(true, 0, "javascript:", 0, 11)) return inner;
    if (markdown) return "[" + (text.isEmpty() ? href : text) + "](" + href + ")";
    String shown = href.regionMatches(true, 0, "mailto:", 0, 7) ? href.substring(7) : href;
    if (text.isEmpty() || text.equals(href) || text.equals(shown) || href.endsWith("//" + text) || href.endsWith("//" + text + "/")) {
      return shown;
    }
    return text + " (" + shown + ")";
  }

  private String image(Element img) {
    String alt = oneLine(img.attr("alt"));
    if (markdown) return img.attr("src").isBlank() ? alt : "![" + alt + "](" + img.attr("src").strip() + ")";
    return alt;
  }

  private void paragraph(StringBuilder inline, List<String> blocks, int width) {
    List<String> lines = new ArrayList<>();
    for (String line : inline.toString().split(String.valueOf(BREAK), -1)) {
      String collapsed = oneLine(line);
      if (!collapsed.isEmpty()) lines.add(wrap(collapsed, width));
    }
    inline.setLength(0);
    if (lines.isEmpty()) return;
    // a <br> in Markdown is a backslash at the end of the line
    blocks.add(String.join(markdown ? "\\\n" : "\n", lines));
  }

  private String escape(String text) {
    if (!markdown) return text;
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("`", "\\`");
  }

  private static boolean skipped(Element e) {
    return SKIPPED.contains(e.normalName()) || HIDDEN.matcher(e.attr("style")).find() || e.hasAttr("hidden");
  }

  private static String oneLine(String text) {
    return SPACES.matcher(text).replaceAll(" ").strip();
  }

  private static String prefixLines(String text, String first, String rest) {
    StringBuilder out = new StringBuilder();
    boolean isFirst = true;
    for (String line : text.split("\n", -1)) {
      if (!isFirst) out.append('\n');
      out.append(isFirst ? first : rest).append(line);
      isFirst = false;
    }
    return out.toString();
  }

  /**
   * Greedy wrapping at {@code width}; a word longer than the width keeps its own line (a URL must not be broken).
   * A template tag is one word however many spaces it holds.
   */
  static String wrap(String text, int width) {
    StringBuilder out = new StringBuilder();
    int lineLength = 0;
    for (String word : words(text)) {
      if (lineLength > 0 && lineLength + 1 + word.length() > width) {
        out.append('\n');
        lineLength = 0;
      } else if (lineLength > 0) {
        out.append(' ');
        lineLength++;
      }
      out.append(word);
      lineLength += word.length();
    }
    return out.toString();
  }

  private static List<String> words(String text) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    String closing = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (closing == null && c == '{' && i + 1 < text.length() && (text.charAt(i + 1) == '{' || text.charAt(i + 1) == '%')) {
        closing = text.charAt(i + 1) == '{' ? "}}" : "%}";
      } else if (closing != null && text.startsWith(closing, i)) {
        word.append(closing);
        i++;
        closing = null;
        continue;
      }
      if (c == ' ' && closing == null) {
        if (!word.isEmpty()) words.add(word.toString());
        word.setLength(0);
      } else {
        word.append(c);
      }
    }
    if (!word.isEmpty()) words.add(word.toString());
    return words;
  }

  /** TemplateTags as it was. */
  static final class Tags {
    private static final Pattern BLOCK_TAG = Pattern.compile("\\{%.*?%}", Pattern.DOTALL);
    private static final Pattern COMMENT = Pattern.compile("herald-tag-(\\d+)");
    private static final Pattern PLACEHOLDER = Pattern.compile("(?:<|&lt;)!--herald-tag-(\\d+)--(?:>|&gt;)");
  
    private final List<String> tags = new ArrayList<>();
  
    /** {@code html} with each block tag replaced by a comment. */
    String hide(String html) {
      Matcher m = BLOCK_TAG.matcher(html);
      StringBuilder hidden = new StringBuilder();
      while (m.find()) {
        tags.add(m.group());
        m.appendReplacement(hidden, Matcher.quoteReplacement("<!--herald-tag-" + (tags.size() - 1) + "-->"));
      }
      m.appendTail(hidden);
      return hidden.toString();
    }
  
    /** The tag a comment of {@link #hide} stands for, or null for any other comment. */
    String tagOf(String commentData) {
      Matcher m = COMMENT.matcher(commentData);
      return m.matches() ? tags.get(Integer.parseInt(m.group(1))) : null;
    }
  
    /** {@code html} written by the parser, with the tags back where their comments are. */
    String restore(String html) {
      Matcher back = PLACEHOLDER.matcher(html);
      StringBuilder restored = new StringBuilder();
      while (back.find()) back.appendReplacement(restored, Matcher.quoteReplacement(tags.get(Integer.parseInt(back.group(1)))));
      back.appendTail(restored);
      return restored.toString();
    }
  }
}
