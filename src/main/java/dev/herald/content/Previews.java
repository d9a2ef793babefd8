package dev.herald.content;

import dev.herald.audiences.Subscribers;
import dev.herald.platform.Refused;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * A campaign or template drawn as one subscriber would get it (or a sample person), with the real template engine and
 * the model of {@link TemplateModel}: the subject, the body in its format wrapped in its campaign template, the
 * preheader, CSS inlined, and the text part. A part that does not compile or render comes back as a
 * {@link Preview.Failed} naming the part, line and column, so the preview shows where instead of a frame.
 */
@Component
public class Previews {
  /** Who a preview is for when no subscriber was chosen. */
  static final Subscribers.Subscriber SAMPLE = new Subscribers.Subscriber(0, "subscriber@example.com", false, "Sam Sample",
      Map.of(), List.of(), "sample", Instant.EPOCH, Instant.EPOCH, List.of());
  private static final Pattern POSITION = Pattern.compile("(?i)line (\\d+), column (\\d+)");

  private final TemplateEngine engine;
  private final LongFunction<SnippetLookup> snippets;

  /** The organization's snippets as {@code {% include %}} reaches them: {@link Templates#snippets}. */
  @Autowired
  Previews(TemplateEngine engine, Templates templates) {
    this(engine, templates::snippets);
  }

  /** With the organization's snippets found by {@code snippets} (tests give their own). */
  Previews(TemplateEngine engine, LongFunction<SnippetLookup> snippets) {
    this.engine = engine;
    this.snippets = snippets;
  }

  /**
   * What is drawn: a campaign's fields and the source of its campaign template (null: the body alone), or a template
   * alone as the body.
   */
  public record Draft(String campaignName, String subject, String preheader, ContentFormat format, String body, String templateSource) {}

  /** The links a real message carries; a preview passes inert ones. */
  public record Links(String unsubscribe, String preferences, String webVersion) {}

  public sealed interface Preview {
    record Rendered(String subject, String html, String text) implements Preview {}

    /** {@code part} is "subject", "body" or "template"; line and column are 0 when the engine named none. */
    record Failed(String part, int line, int column, String message) implements Preview {}
  }

  /** Renders for the subscriber (null: a sample person), as they get it through the list named {@code listName}. */
  public Preview render(long orgId, String organizationName, Draft draft, Subscribers.Subscriber subscriber, String listName, Links links) {
    Subscribers.Subscriber person = subscriber == null ? SAMPLE : subscriber;
    SnippetLookup snippets = this.snippets.apply(orgId);
    TemplateModel.Builder model = TemplateModel.builder()
        .subscriber(person.email(), person.name(), person.fields(), person.createdAt())
        .list(nz(listName)).organization(nz(organizationName)).links(links.unsubscribe(), links.preferences(), links.webVersion());
    String subject, body, html;
    try {
      subject = render(draft.subject(), snippets, model.campaign(nz(draft.campaignName()), nz(draft.subject())).build(), false);
    } catch (Failure f) {
      return f.at("subject");
    }
    Map<String, Object> values = model.campaign(nz(draft.campaignName()), subject).build();
    // As campaigns.CampaignMessageSource sends it: Markdown becomes HTML first; HTML is rendered with its outputs
    // escaped (compileHtml), so a subscriber's value is text; a plain-text body is rendered as text.
    ContentFormat format = draft.format() == null ? ContentFormat.RICHTEXT : draft.format();
    boolean plainBody = format == ContentFormat.TEXT;
    try {
      body = render(format == ContentFormat.MARKDOWN ? Markdown.toHtml(nz(draft.body())) : draft.body(), snippets, values, !plainBody);
    } catch (Failure f) {
      return f.at("body");
    }
    html = plainBody ? format.toHtml(body) : body;
    if (draft.templateSource() != null) {
      try {
        html = render(draft.templateSource(), snippets, TemplateModel.withContent(values, html), true);
      } catch (Failure f) {
        return f.at("template");
      }
    }
    html = CssInliner.inline(withPreheader(html, draft.preheader()));
    return new Preview.Rendered(subject, html, plainBody && draft.templateSource() == null ? body : HtmlToText.convert(html));
  }

  /** A part that did not compile or render, with the engine's place for it when it named one. */
  private static final class Failure extends Exception {
    final transient TemplateError error;

    Failure(TemplateError error) {
      super(error.message(), null, false, false);
      this.error = error;
    }

    Preview.Failed at(String part) {
      return new Preview.Failed(part, error.line(), error.column(), error.message());
    }
  }

  private String render(String source, SnippetLookup snippets, Map<String, Object> model, boolean html) throws Failure {
    String s = source == null ? "" : source;
    CompiledTemplate compiled;
    try {
      compiled = html ? engine.compileHtml(s, snippets) : engine.compile(s, snippets);
    } catch (Refused refused) {
      throw new Failure(engine.check(s, snippets).orElse(new TemplateError(0, 0, refused.getMessage())));
    }
    try {
      return compiled.render(model);
    } catch (TemplateRenderException e) {
      Matcher m = POSITION.matcher(e.getMessage());
      throw new Failure(m.find() ? new TemplateError(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), e.getMessage())
          : new TemplateError(0, 0, e.getMessage()));
    }
  }

  /** The preheader is the first text a mail program shows after the subject: hidden in the body, before everything. */
  static String withPreheader(String html, String preheader) {
    if (preheader == null || preheader.isBlank()) return html;
    String hidden = "<div style=\"display:none;max-height:0;overflow:hidden\">" + escape(preheader) + "</div>";
    Matcher body = Pattern.compile("(?i)<body[^>]*>").matcher(html);
    return body.find() ? html.substring(0, body.end()) + hidden + html.substring(body.end()) : hidden + html;
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
