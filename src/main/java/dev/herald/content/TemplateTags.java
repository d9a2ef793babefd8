package dev.herald.content;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hides the template language's block tags ({@code {% ... %}}) from an HTML parser as comments and puts them back.
 * A parser moves text that stands where HTML allows none (a {@code {% for %}} between two table rows goes before
 * the table); a comment stays where it is, so a template survives being parsed and written again.
 */
final class TemplateTags {
  private static final Pattern COMMENT = Pattern.compile("herald-tag-(\\d+)");
  private static final Pattern PLACEHOLDER = Pattern.compile("(?:<|&lt;)!--herald-tag-(\\d+)--(?:>|&gt;)");

  private final List<String> tags = new ArrayList<>();

  /**
   * {@code html} with each block tag (from a {@code {%} to the first {@code %}} after it) replaced by a comment. By
   * index, not a regex: the text part of every campaign message passes here (bench/campaign.sh's profile).
   */
  String hide(String html) {
    int open = html.indexOf("{%");
    if (open < 0) return html;
    StringBuilder hidden = new StringBuilder(html.length() + 64);
    int copied = 0;
    while (open >= 0) {
      int close = html.indexOf("%}", open + 2);
      if (close < 0) break;
      tags.add(html.substring(open, close + 2));
      hidden.append(html, copied, open).append("<!--herald-tag-").append(tags.size() - 1).append("-->");
      copied = close + 2;
      open = html.indexOf("{%", copied);
    }
    return hidden.append(html, copied, html.length()).toString();
  }

  /** Starts an output tag's token in {@link #hideAll}'s text; {@link #TOKEN_END} ends it. Private-use: never in a mail. */
  static final char OUTPUT_TOKEN = '\uE000';
  /** Starts a block tag's token in the text {@link HtmlToText#template} writes. */
  static final char BLOCK_TOKEN = '\uE002';
  static final char TOKEN_END = '\uE001';
  /** Output filters after which an HTML template inserts the value without escaping it (LiquidNodeVisitor's list). */
  private static final java.util.Set<String> UNESCAPED_LAST = java.util.Set.of("raw", "escape", "escape_once", "h");

  private boolean outputsFaithful = true;

  /**
   * Like {@link #hide}, and each output tag ({@code {{ ... }}}) becomes a token of private-use characters: the parser
   * then neither decodes entities in it nor reads a {@code <} in a filter's argument as markup, and in an attribute it
   * stays as it is.
   */
  String hideAll(String html) {
    StringBuilder hidden = new StringBuilder(html.length() + 64);
    int copied = 0;
    for (int open = nextTag(html, 0); open >= 0; open = nextTag(html, copied)) {
      boolean block = html.charAt(open + 1) == '%';
      int close = html.indexOf(block ? "%}" : "}}", open + 2);
      if (close < 0) break;
      String tag = html.substring(open, close + 2);
      tags.add(tag);
      hidden.append(html, copied, open);
      if (block) hidden.append("<!--herald-tag-").append(tags.size() - 1).append("-->");
      else {
        if (UNESCAPED_LAST.contains(lastFilter(tag))) outputsFaithful = false;
        hidden.append(OUTPUT_TOKEN).append(tags.size() - 1).append(TOKEN_END);
      }
      copied = close + 2;
    }
    return hidden.append(html, copied, html.length()).toString();
  }

  private static int nextTag(String html, int from) {
    for (int at = html.indexOf('{', from); at >= 0 && at + 1 < html.length(); at = html.indexOf('{', at + 1)) {
      char next = html.charAt(at + 1);
      if (next == '{' || next == '%') return at;
    }
    return -1;
  }

  /**
   * Whether every output tag {@link #hideAll} saw is escaped in an HTML template: one that is not ({@code raw}, or a
   * filter that escapes by itself) inserts markup or entities, which only a conversion of the rendered HTML turns
   * into text.
   */
  boolean outputsFaithful() {
    return outputsFaithful;
  }

  /** The name of an output tag's last filter ({@code {{ a | b: 'x|y' | raw }}} gives raw), or "" without one. */
  static String lastFilter(String outputTag) {
    int bar = -1;
    char quote = 0;
    for (int i = 0; i < outputTag.length(); i++) {
      char c = outputTag.charAt(i);
      if (quote != 0) {
        if (c == quote) quote = 0;
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '|') {
        bar = i;
      }
    }
    if (bar < 0) return "";
    int start = bar + 1;
    while (start < outputTag.length() && Character.isWhitespace(outputTag.charAt(start))) start++;
    int end = start;
    while (end < outputTag.length() && (Character.isLetterOrDigit(outputTag.charAt(end)) || outputTag.charAt(end) == '_')) end++;
    return outputTag.substring(start, end);
  }

  /** The index of the block tag a comment of {@link #hide} stands for, or -1 for any other comment. */
  int indexOf(String commentData) {
    Matcher m = COMMENT.matcher(commentData);
    return m.matches() ? Integer.parseInt(m.group(1)) : -1;
  }

  /** How many tags were hidden. */
  int count() {
    return tags.size();
  }

  /** Whether tag {@code index} is a block tag ({@code {% ... %}}). */
  boolean isBlock(int index) {
    return tags.get(index).startsWith("{%");
  }

  /** The source of tag {@code index}. */
  String source(int index) {
    return tags.get(index);
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
