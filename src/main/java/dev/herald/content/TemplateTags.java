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
