package dev.herald.content;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Comment;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;

/**
 * The plain-text part of a mail from its HTML, for when none was written: paragraphs and headings as blocks
 * separated by blank lines, links as {@code text (url)}, lists with their markers, quotes with {@code >}, lines
 * wrapped at {@value #WIDTH} characters (a word or URL longer than that keeps its own line). Scripts, styles and
 * elements hidden with {@code display:none} (the preheader) are left out. Template-language tags
 * ({@code {{ ... }}}, {@code {% ... %}}) are never split across lines, so a template can be converted before it
 * is rendered.
 *
 * <p>The same walk writes Markdown ({@link #toMarkdown}) when the editor switches HTML to Markdown: headings with
 * {@code #}, links as {@code [text](url)}, emphasis and images kept; layout (tables, columns, colours) is lost
 * either way.
 */
public final class HtmlToText {
  static final int WIDTH = 78;
  private static final Set<String> SKIPPED = Set.of("head", "title", "script", "style", "template", "noscript", "svg",
      "iframe", "object", "video", "audio", "button", "select", "input", "textarea");
  private static final Set<String> BLOCKS = Set.of("html", "body", "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul",
      "ol", "li", "blockquote", "pre", "hr", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "section",
      "article", "header", "footer", "nav", "aside", "main", "figure", "figcaption", "address", "center", "dl", "dt",
      "dd", "form", "fieldset", "details", "summary");
  private static final Pattern HIDDEN = Pattern.compile("display\\s*:\\s*none", Pattern.CASE_INSENSITIVE);

  /** A {@code <br>} while inline content is collected (text's own line breaks are spaces in HTML). */
  private static final char BREAK = '\u2028';
  private final boolean markdown;
  private final TemplateTags tags = new TemplateTags();

  private HtmlToText(boolean markdown) {
    this.markdown = markdown;
  }

  /** The text of {@code html}; empty for null or empty input. */
  public static String convert(String html) {
    return new HtmlToText(false).run(html);
  }

  /** The Markdown of {@code html}, for the editor's switch from HTML to Markdown. */
  static String toMarkdown(String html) {
    return new HtmlToText(true).run(html);
  }

  private String run(String html) {
    if (html == null || html.isBlank()) return "";
    List<String> blocks = blocks(Jsoup.parse(tags.hide(html)).body(), WIDTH);
    return atMostOneBlankLine(withoutTrailingSpace(String.join("\n\n", blocks))).strip();
  }

  /**
   * Each line without its trailing white space, lines ended as {@link String#lines} ends them (LF, CR or CRLF) and
   * joined with LF. Loops: the stream that did this joined the lines pairwise, a copy of the whole text per line, and
   * this with {@link #oneLine}'s regex was a third of a campaign message's CPU (bench/campaign.sh's profile).
   */
  static String withoutTrailingSpace(String text) {
    StringBuilder out = new StringBuilder(text.length());
    int n = text.length();
    for (int start = 0; start < n; ) {
      int end = start;
      while (end < n && text.charAt(end) != '\n' && text.charAt(end) != '\r') end++;
      if (start > 0) out.append('\n');
      int last = end;
      while (last > start) {
        int cp = text.codePointBefore(last);
        if (!Character.isWhitespace(cp)) break;
        last -= Character.charCount(cp);
      }
      out.append(text, start, last);
      start = end + (end + 1 < n && text.charAt(end) == '\r' && text.charAt(end + 1) == '\n' ? 2 : 1);
    }
    return out.toString();
  }

  /** Runs of three or more LFs as two: at most one blank line between blocks. */
  static String atMostOneBlankLine(String text) {
    if (!text.contains("\n\n\n")) return text;
    StringBuilder out = new StringBuilder(text.length());
    int run = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n') {
        if (++run <= 2) out.append(c);
      } else {
        run = 0;
        out.append(c);
      }
    }
    return out.toString();
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
    if (SKIPPED.contains(e.normalName())) return true;
    String style = e.attr("style");
    return !style.isEmpty() && HIDDEN.matcher(style).find() || e.hasAttr("hidden");
  }

  /** Every run of white space (space, tab, CR, LF, form feed, no-break space) as one space, stripped: a loop, see above. */
  static String oneLine(String text) {
    StringBuilder out = new StringBuilder(text.length());
    boolean inRun = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\u00a0') {
        if (!inRun) out.append(' ');
        inRun = true;
      } else {
        out.append(c);
        inRun = false;
      }
    }
    return out.toString().strip();
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
    // One pass over the text, each word copied once (a list of words, each built char by char, was a tenth of the
    // render of a campaign message). A word is a run without spaces, a template tag ({{ }} or {% %}) with its spaces.
    StringBuilder out = new StringBuilder(text.length() + 16);
    int lineLength = 0;
    int n = text.length();
    int start = -1;
    char closing = 0; // the first character of the open tag's closing pair ("}}" or "%}"), 0 outside a tag
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (closing == 0 && c == '{' && i + 1 < n && (text.charAt(i + 1) == '{' || text.charAt(i + 1) == '%')) {
        closing = text.charAt(i + 1) == '{' ? '}' : '%';
      } else if (closing != 0 && c == closing && i + 1 < n && text.charAt(i + 1) == '}') {
        if (start < 0) start = i;
        i++;
        closing = 0;
        continue;
      }
      if (c == ' ' && closing == 0) {
        if (start >= 0) lineLength = word(out, text, start, i, lineLength, width);
        start = -1;
      } else if (start < 0) {
        start = i;
      }
    }
    if (start >= 0) word(out, text, start, n, lineLength, width);
    return out.toString();
  }

  /** Writes the word {@code text[start, end)} after the line so far; the line's length after it. */
  private static int word(StringBuilder out, String text, int start, int end, int lineLength, int width) {
    int length = end - start;
    if (lineLength > 0 && lineLength + 1 + length > width) {
      out.append('\n');
      lineLength = 0;
    } else if (lineLength > 0) {
      out.append(' ');
      lineLength++;
    }
    out.append(text, start, end);
    return lineLength + length;
  }
}
