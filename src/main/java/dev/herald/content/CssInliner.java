package dev.herald.content;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.htmlunit.cssparser.dom.AbstractCSSRuleImpl;
import org.htmlunit.cssparser.dom.CSSStyleDeclarationImpl;
import org.htmlunit.cssparser.dom.CSSStyleRuleImpl;
import org.htmlunit.cssparser.dom.Property;
import org.htmlunit.cssparser.parser.CSSErrorHandler;
import org.htmlunit.cssparser.parser.CSSOMParser;
import org.htmlunit.cssparser.parser.CSSParseException;
import org.htmlunit.cssparser.parser.InputSource;
import org.htmlunit.cssparser.parser.selector.Selector;
import org.htmlunit.cssparser.parser.selector.SelectorSpecificity;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.select.Elements;

/**
 * Copies the CSS of {@code <style>} blocks into each element's {@code style} attribute, for the mail clients that
 * strip {@code <style>} (several webmail and older Outlook versions). What cannot be inlined stays in a
 * {@code <style>} block: {@code @media} rules (a responsive layout's mobile rules), {@code @font-face}, and rules
 * whose selector needs a state or a pseudo-element ({@code :hover}, {@code ::before}).
 *
 * <p>Why these libraries: the CSS is parsed by htmlunit-cssparser (Apache 2.0, maintained with HtmlUnit, CSS3
 * with {@code @media}, and it computes each selector's specificity), and matched with jsoup's own selector engine
 * on the document jsoup parsed. jStyleParser (cz.vutbr.web) would do both, but it is LGPL, brings its own DOM
 * model and is barely maintained; a hand-written CSS tokenizer would get comments, strings and nested at-rules
 * wrong. The cascade follows CSS: declarations in order of specificity then position, {@code !important} above
 * normal ones, the element's own {@code style} above the sheet's normal declarations.
 *
 * <p>Template tags survive: {@code {% ... %}} is hidden from the HTML parser while it works (a tag between two
 * table rows would otherwise be moved out of the table), so a template can be inlined once before it is rendered
 * for every recipient.
 */
public final class CssInliner {
  /** States and pseudo-elements that no style attribute can express. */
  private static final Pattern NOT_INLINABLE = Pattern.compile(
      "::|:(?:hover|active|focus|focus-within|focus-visible|visited|link|target|checked|disabled|enabled|before|after"
          + "|first-line|first-letter|placeholder|selection|root)\\b", Pattern.CASE_INSENSITIVE);
  private static final Pattern WHOLE_DOCUMENT = Pattern.compile("<html[\\s>]", Pattern.CASE_INSENSITIVE);

  private CssInliner() {}

  /** One declaration of the sheet that applies to elements: in cascade order by specificity, then position. */
  private record Declared(String selector, SelectorSpecificity specificity, int position, List<Property> properties) {}

  private record Value(String text, boolean important) {}

  public static String inline(String html) {
    if (html == null || html.isBlank() || !html.toLowerCase(java.util.Locale.ROOT).contains("<style")) return html;
    TemplateTags tags = new TemplateTags();
    Document doc = Jsoup.parse(tags.hide(html));
    doc.outputSettings().prettyPrint(false);
    List<Declared> declared = new ArrayList<>();
    for (Element style : doc.select("style")) {
      String kept = collect(style.data(), declared);
      if (kept.isBlank()) style.remove();
      else style.text(kept);
    }
    apply(doc, declared);

    String out = WHOLE_DOCUMENT.matcher(html).find() ? doc.outerHtml() : doc.head().html() + doc.body().html();
    return tags.restore(out);
  }

  /** Adds the inlinable rules of {@code css} to {@code declared}; returns the CSS that must stay in a style block. */
  private static String collect(String css, List<Declared> declared) {
    CSSOMParser parser = new CSSOMParser();
    parser.setErrorHandler(IGNORE_ERRORS);
    List<AbstractCSSRuleImpl> rules;
    try {
      rules = parser.parseStyleSheet(new InputSource(new StringReader(css)), null).getCssRules().getRules();
    } catch (IOException | RuntimeException unreadable) {
      return css; // left as written: the clients that read <style> may understand it
    }
    StringBuilder kept = new StringBuilder();
    for (AbstractCSSRuleImpl rule : rules) {
      if (!(rule instanceof CSSStyleRuleImpl styleRule)) {
        kept.append(rule.getCssText()).append('\n');
        continue;
      }
      List<Property> properties = styleRule.getStyle().getProperties();
      for (Selector selector : styleRule.getSelectors()) {
        String text = selector.toString();
        if (NOT_INLINABLE.matcher(text).find() || !jsoupCanMatch(text)) {
          kept.append(text).append(" { ").append(styleRule.getStyle().getCssText()).append(" }\n");
        } else {
          declared.add(new Declared(text, selector.getSelectorSpecificity(), declared.size(), properties));
        }
      }
    }
    return kept.toString().strip();
  }

  private static boolean jsoupCanMatch(String selector) {
    try {
      org.jsoup.select.QueryParser.parse(selector);
      return true;
    } catch (RuntimeException unsupported) { // jsoup's SelectorParseException
      return false;
    }
  }

  private static void apply(Document doc, List<Declared> declared) {
    declared.sort(Comparator.comparing(Declared::specificity).thenComparingInt(Declared::position));
    Map<Element, Map<String, Value>> computed = new IdentityHashMap<>();
    for (Declared d : declared) {
      Elements matched = doc.body().select(d.selector());
      for (Element e : matched) {
        Map<String, Value> values = computed.computeIfAbsent(e, x -> new LinkedHashMap<>());
        for (Property p : d.properties()) put(values, p.getName(), new Value(p.getValue().getCssText(), p.isImportant()));
      }
    }
    CSSOMParser parser = new CSSOMParser();
    parser.setErrorHandler(IGNORE_ERRORS);
    computed.forEach((element, values) -> {
      // The element's own declarations come last: above the sheet's normal ones, below its !important ones.
      for (Property own : ownStyle(parser, element.attr("style"))) {
        put(values, own.getName(), new Value(own.getValue().getCssText(), own.isImportant()));
      }
      StringBuilder style = new StringBuilder();
      values.forEach((name, value) -> {
        if (!style.isEmpty()) style.append(' ');
        style.append(name).append(": ").append(value.text()).append(';');
      });
      element.attr("style", style.toString());
    });
  }

  private static void put(Map<String, Value> values, String name, Value value) {
    Value before = values.get(name);
    if (before != null && before.important() && !value.important()) return;
    values.remove(name); // re-added at the end: a later shorthand and its longhands keep their order
    values.put(name, value);
  }

  private static List<Property> ownStyle(CSSOMParser parser, String style) {
    if (style.isBlank()) return List.of();
    try {
      CSSStyleDeclarationImpl declaration = parser.parseStyleDeclaration(style);
      return declaration == null ? List.of() : declaration.getProperties();
    } catch (IOException | RuntimeException unreadable) {
      return List.of();
    }
  }

  /** A declaration the parser cannot read is skipped, as a browser skips it. */
  private static final CSSErrorHandler IGNORE_ERRORS = new CSSErrorHandler() {
    @Override
    public void warning(CSSParseException e) {}

    @Override
    public void error(CSSParseException e) {}

    @Override
    public void fatalError(CSSParseException e) {}
  };
}
