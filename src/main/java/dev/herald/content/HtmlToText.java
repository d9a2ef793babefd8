package dev.herald.content;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Attribute;
import org.jsoup.nodes.Comment;
import org.jsoup.nodes.Document;
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
 *
 * <p>And it writes a campaign's text part once as a template ({@link #template}, ADR 0008): the HTML template's
 * Liquid tags are kept in the text, so per recipient only Liquid runs and no HTML is parsed.
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
  /** Block tags that write something where they stand. */
  private static final Pattern WRITING_TAG = Pattern.compile("\\{%-?\\s*(?:include|render|cycle|echo)\\b");
  private static final Pattern TAG_COMMENT = Pattern.compile("herald-tag-(\\d+)");
  private final boolean markdown;
  /** Writing a template ({@link #template}): tags are tokens in the text, and every block tag must come out once, in order. */
  private final boolean templating;
  /** The block tags written so far, in the order written (templating only). */
  private final List<Integer> written = new ArrayList<>();
  /** False once the walk met what a template cannot say for every person (templating only). */
  private boolean faithful = true;
  private final TemplateTags tags = new TemplateTags();

  private HtmlToText(boolean markdown, boolean templating) {
    this.markdown = markdown;
    this.templating = templating;
  }

  /** The text of {@code html}; empty for null or empty input. */
  public static String convert(String html) {
    return new HtmlToText(false, false).run(html);
  }

  /** The Markdown of {@code html}, for the editor's switch from HTML to Markdown. */
  static String toMarkdown(String html) {
    return new HtmlToText(true, false).run(html);
  }

  /**
   * The text part's template for an HTML template, its Liquid tags kept: rendered and then {@link #tidy tidied} for
   * a person, it gives what {@link #convert} gives for the HTML rendered for them, but for where lines wrap (computed
   * on the template) and blank lines around a block tag. An output tag stays where its value would be; a block tag
   * ({@code {% if %}}, {@code {% for %}}) stands at the start of the block or line that follows it, so a loop
   * repeats whole paragraphs or list items and a condition drops them without leaving blank lines; tags in skipped
   * elements (the head, a hidden preheader, a style) are kept, content-less, so assignments still run and blocks
   * still close.
   *
   * <p>Empty when the text could differ in more than that, and the caller converts each rendered HTML instead: an
   * output tag that an HTML template does not escape ({@code raw}, {@code escape}: its value is markup or entities
   * that only a parse of the rendered HTML turns into text), a block tag the parser moved or lost (inside a
   * {@code <pre>}, an HTML comment, an unused attribute after a used one), or text that would read as Liquid once its
   * entities are decoded ({@code &#123;&#123;}).
   */
  public static Optional<String> template(String htmlTemplate) {
    return new HtmlToText(false, true).runTemplate(htmlTemplate);
  }

  /**
   * A rendered {@link #template} as the text part: lines without trailing white space, at most one blank line
   * between blocks, no blank lines at the start or end.
   */
  public static String tidy(String rendered) {
    return atMostOneBlankLine(withoutEmptyQuoteEnds(withoutTrailingSpace(rendered))).strip();
  }

  /**
   * Without the lines of quote markers alone ({@code >}, {@code > >}) that end a quote, before a blank line or the
   * end: a block tag closing a quote ({@code {% endif %}</blockquote>}) stands on such a line of its own.
   */
  static String withoutEmptyQuoteEnds(String text) {
    if (!text.startsWith(">") && !text.contains("\n>")) return text;
    String[] lines = text.split("\n", -1);
    boolean[] dropped = new boolean[lines.length];
    boolean blankAfter = true;
    for (int i = lines.length - 1; i >= 0; i--) {
      String line = lines[i];
      boolean markers = !line.isEmpty() && line.chars().allMatch(c -> c == '>' || c == ' ');
      if (markers && blankAfter) {
        dropped[i] = true;
        continue;
      }
      blankAfter = line.isEmpty();
    }
    StringBuilder out = new StringBuilder(text.length());
    boolean first = true;
    for (int i = 0; i < lines.length; i++) {
      if (dropped[i]) continue;
      if (!first) out.append('\n');
      out.append(lines[i]);
      first = false;
    }
    return out.toString();
  }

  private Optional<String> runTemplate(String html) {
    if (html == null || html.isBlank()) return Optional.of("");
    String hidden = tags.hideAll(html);
    if (!tags.outputsFaithful()) return Optional.empty();
    Document document = Jsoup.parse(hidden);
    Element body = document.body();
    List<Integer> inBody = blockTagsIn(body.outerHtml());
    List<Integer> outside = blockTagsIn(document.outerHtml());
    outside.removeAll(inBody);
    int firstInBody = inBody.isEmpty() ? Integer.MAX_VALUE : inBody.getFirst();
    List<String> blocks = new ArrayList<>();
    blocks.add(blockTokens(outside.stream().filter(i -> i < firstInBody).toList()));
    blocks.addAll(blocks(body, WIDTH));
    blocks.add(blockTokens(outside.stream().filter(i -> i > firstInBody).toList()));
    String text = atMostOneBlankLine(withoutTrailingSpace(joinBlocks(blocks.stream().filter(b -> !b.isEmpty()).toList(), "\n\n"))).strip();
    List<Integer> every = new ArrayList<>();
    for (int i = 0; i < tags.count(); i++) if (tags.isBlock(i)) every.add(i);
    if (!faithful || !written.equals(every) || text.contains("{{") || text.contains("{%")) return Optional.empty();
    return Optional.of(restore(text));
  }

  /** The indices of the block tags hidden in {@code html} (as comments, or as their text in an attribute or a style). */
  private static List<Integer> blockTagsIn(String html) {
    List<Integer> found = new ArrayList<>();
    for (Matcher m = TAG_COMMENT.matcher(html); m.find(); ) found.add(Integer.parseInt(m.group(1)));
    return found;
  }

  /** The tokens of these block tags, each written. */
  private String blockTokens(List<Integer> indices) {
    StringBuilder out = new StringBuilder();
    for (int index : indices) out.append(blockToken(index));
    return out.toString();
  }

  private String blockToken(int index) {
    written.add(index);
    return "" + TemplateTags.BLOCK_TOKEN + index + TemplateTags.TOKEN_END;
  }

  /** {@code value} (an attribute's) with its hidden block tags as tokens, each written. */
  private String withTokens(String value) {
    if (!templating || !value.contains("herald-tag-")) return value;
    return Pattern.compile("<!--herald-tag-(\\d+)-->").matcher(value).replaceAll(m -> Matcher.quoteReplacement(blockToken(Integer.parseInt(m.group(1)))));
  }

  /**
   * Templating: the block tags of an element that is left out, or of its attributes that are not read, as tokens
   * (content-less, so that blocks still open and close in the text); "" otherwise.
   */
  private String unreadTags(Element e, boolean skipped) {
    if (!templating) return "";
    if (skipped) return blockTokens(blockTagsIn(e.outerHtml()));
    StringBuilder out = new StringBuilder();
    for (Attribute a : e.attributes()) {
      boolean read = a.getKey().equals("href") && e.normalName().equals("a") || a.getKey().equals("alt") && e.normalName().equals("img");
      if (!read) out.append(blockTokens(blockTagsIn(a.getValue())));
    }
    return out.toString();
  }

  /** A comment's block tag as it goes into the text: the tag itself, or its token when templating; null for any other comment. */
  private String tagText(Comment c) {
    if (!templating) return tags.tagOf(c.getData());
    int index = tags.indexOf(c.getData());
    return index < 0 ? null : blockToken(index);
  }

  /**
   * {@code parts} joined with {@code separator}, except that a part of block tags alone goes straight before the part
   * after it: a {@code {% for %}} then repeats that part with its separator, an {@code {% if %}} that is false leaves
   * no blank line behind.
   */
  private String joinBlocks(List<String> parts, String separator) {
    if (!templating) return String.join(separator, parts);
    StringBuilder out = new StringBuilder();
    boolean glued = false;
    for (int i = 0; i < parts.size(); i++) {
      if (i > 0 && !glued) out.append(separator);
      out.append(parts.get(i));
      glued = onlyBlockTags(parts.get(i));
    }
    return out.toString();
  }

  /** Whether {@code part} is block tags that write nothing themselves (an include writes its snippet: a block of its own). */
  private boolean onlyBlockTags(String part) {
    boolean any = false;
    for (int i = 0; i < part.length(); i++) {
      char c = part.charAt(i);
      if (c == TemplateTags.BLOCK_TOKEN) {
        any = true;
        int end = part.indexOf(TemplateTags.TOKEN_END, i);
        if (WRITING_TAG.matcher(tags.source(Integer.parseInt(part, i + 1, end, 10))).lookingAt()) return false;
        i = end;
      } else if (!Character.isWhitespace(c)) {
        return false;
      }
    }
    return any;
  }

  /**
   * The tokens back as their tags. Whitespace control ({@code {%-}, {@code -}}}) is dropped: in the HTML it trimmed
   * white space the conversion collapses anyway, in the text it would eat the line breaks between blocks.
   */
  private String restore(String text) {
    StringBuilder out = new StringBuilder(text.length() + 256);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != TemplateTags.BLOCK_TOKEN && c != TemplateTags.OUTPUT_TOKEN) {
        out.append(c);
        continue;
      }
      int end = text.indexOf(TemplateTags.TOKEN_END, i);
      String tag = tags.source(Integer.parseInt(text, i + 1, end, 10));
      String open = tag.substring(0, 2);
      String close = tag.substring(tag.length() - 2);
      int from = tag.charAt(2) == '-' ? 3 : 2;
      int to = tag.length() - 2 > from && tag.charAt(tag.length() - 3) == '-' ? tag.length() - 3 : tag.length() - 2;
      out.append(open).append(tag, from, to).append(close);
      i = end;
    }
    return out.toString();
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
      } else if (child instanceof Comment c && tagText(c) instanceof String tag) {
        inline.append(' ').append(tag).append(' ');
      } else if (child instanceof Element e && !skipped(e)) {
        String unread = unreadTags(e, false);
        if (!unread.isEmpty()) inline.append(' ').append(unread).append(' ');
        if (BLOCKS.contains(e.normalName())) {
          paragraph(inline, blocks, width);
          blocks.addAll(block(e, width));
        } else {
          inline.append(inline(e));
        }
      } else if (child instanceof Element e && templating) {
        inline.append(' ').append(unreadTags(e, true)).append(' ');
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
        yield List.of(prefixLines(joinBlocks(inner, "\n\n"), "> ", "> "));
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
      if (node instanceof Comment c && tagText(c) instanceof String tag) items.add(tag);
      if (node instanceof Element item && skipped(item) && templating) items.add(unreadTags(item, true));
      if (!(node instanceof Element item) || skipped(item)) continue;
      String unread = unreadTags(item, false);
      if (!unread.isEmpty()) items.add(unread);
      String marker = ordered ? (number++) + ". " : "- ";
      List<String> inner = item.normalName().equals("li") ? blocks(item, Math.max(20, width - marker.length()))
          : block(item, Math.max(20, width - marker.length()));
      if (inner.isEmpty()) continue;
      items.add(prefixLines(joinBlocks(inner, "\n"), marker, " ".repeat(marker.length())));
    }
    // an ordered list's numbers are counted here: with a condition or loop between its items they differ per person
    if (ordered && templating && items.stream().anyMatch(item -> item.indexOf(TemplateTags.BLOCK_TOKEN) >= 0 && onlyBlockTags(item))) {
      faithful = false;
    }
    return joinBlocks(items.stream().filter(item -> !item.isEmpty()).toList(), "\n");
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
    // an href's block tags come before the link's content, as in the source
    String href = name.equals("a") ? withTokens(e.attr("href").strip()) : null;
    StringBuilder text = new StringBuilder();
    for (Node child : e.childNodes()) {
      if (child instanceof TextNode t) {
        text.append(escape(t.getWholeText()));
      } else if (child instanceof Comment c && tagText(c) instanceof String tag) {
        text.append(tag);
      } else if (child instanceof Element c && !skipped(c)) {
        text.append(unreadTags(c, false));
        boolean block = BLOCKS.contains(c.normalName());
        if (block) text.append(BREAK);
        text.append(block ? String.join(String.valueOf(BREAK), blocks(c, WIDTH)) : inline(c));
        if (block) text.append(BREAK);
      } else if (child instanceof Element c) {
        text.append(unreadTags(c, true));
      }
    }
    String inner = text.toString();
    return switch (name) {
      case "a" -> link(href, inner);
      case "strong", "b" -> markdown && !inner.isBlank() ? "**" + inner.strip() + "**" : inner;
      case "em", "i" -> markdown && !inner.isBlank() ? "*" + inner.strip() + "*" : inner;
      case "code" -> markdown && !inner.isBlank() ? "`" + e.wholeText() + "`" : inner;
      default -> inner;
    };
  }

  private String link(String href, String inner) {
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
    String alt = oneLine(withTokens(img.attr("alt")));
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
    blocks.add(joinBlocks(lines, markdown ? "\\\n" : "\n"));
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
