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
