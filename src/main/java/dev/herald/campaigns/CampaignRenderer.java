package dev.herald.campaigns;

import dev.herald.audiences.Subscribers;
import dev.herald.content.CompiledTemplate;
import dev.herald.content.ContentFormat;
import dev.herald.content.CssInliner;
import dev.herald.content.HtmlToText;
import dev.herald.content.Markdown;
import dev.herald.content.Previews;
import dev.herald.content.SnippetLookup;
import dev.herald.content.TemplateEngine;
import dev.herald.content.TemplateError;
import dev.herald.content.TemplateModel;
import dev.herald.content.TemplateRenderException;
import dev.herald.content.Templates;
import dev.herald.platform.Refused;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import org.springframework.web.util.HtmlUtils;

/**
 * The one rendering of campaign content into one person's message, used by delivery ({@link CampaignMessageSource}),
 * the previews, test sends and web version ({@link CampaignPreviews}) and templates' previews (the {@link Previews}
 * port), so a preview is what the recipient gets: the subject, the HTML part and the text part.
 *
 * <p>Compiled once ({@link #compile}): the subject, preheader and body are compiled (the HTML ones escaping what they
 * insert, so a subscriber's name cannot add markup); Markdown becomes HTML first; the body is placed into the campaign
 * template where it writes {@code {{ content }}} and the CSS of the whole is inlined into the elements once
 * ({@link CssInliner} keeps Liquid tags), so per recipient only the Liquid is rendered. A template that uses
 * {@code content} otherwise (a filter on it, or twice) is rendered in two steps and inlined per recipient. With a
 * tracking host the sources and their snippets are rewritten by {@link CampaignLinks} before they are compiled.
 *
 * <p>Per person ({@link #render}): the model of {@link TemplateModel} (the campaign's subject in it is the person's
 * rendered subject), the preheader as the first, hidden element of the body, and the text part from the HTML with
 * the tracked links as written. A plain-text campaign is a text part alone, without template or preheader.
 */
@Component
class CampaignRenderer implements Previews {
  /** {@code {{ content }}} as a campaign template writes it, without filters. */
  static final Pattern CONTENT_TAG = Pattern.compile("\\{\\{-?\\s*content\\s*-?}}");
  /** Any other use of {@code content} in an output tag (with a filter, say). */
  static final Pattern CONTENT_USE = Pattern.compile("\\{\\{-?\\s*content\\b");
  private static final Pattern BODY_TAG = Pattern.compile("<body\\b[^>]*>", Pattern.CASE_INSENSITIVE);
  private static final Pattern POSITION = Pattern.compile("(?i)line (\\d+), column (\\d+)");

  private final TemplateEngine engine;
  private final LongFunction<SnippetLookup> liveSnippets;

  /** The organization's snippets as they are now: {@link Templates#snippets}. */
  @Autowired
  CampaignRenderer(TemplateEngine engine, Templates templates) {
    this(engine, templates::snippets);
  }

  /** With the organization's snippets found by {@code snippets} (tests give their own). */
  CampaignRenderer(TemplateEngine engine, LongFunction<SnippetLookup> snippets) {
    this.engine = engine;
    this.liveSnippets = snippets;
  }

  /**
   * What a campaign renders from. {@code snippets} are those fixed for a started campaign (null: the organization's as
   * they are now); {@code templateSource} null or blank is the body alone.
   */
  record Sources(long organizationId, String name, String subject, String preheader, ContentFormat format, String body,
      String templateSource, Map<String, String> snippets) {
    Sources {
      if (format == null) format = ContentFormat.RICHTEXT;
    }
  }

  /** Click and open tracking through {@code host}; {@link #NONE} tracks nothing. */
  record Tracking(String host, boolean opens, boolean clicks) {
    static final Tracking NONE = new Tracking(null, false, false);

    boolean any() {
      return host != null && (opens || clicks);
    }
  }

  /** Whom a message is for: the person, the list they get it through, the organization's name and their links. */
  record Recipient(String email, String name, Map<String, ?> fields, Instant createdAt, String listName, String organizationName,
      Previews.Links links) {
    static Recipient of(Subscribers.Subscriber person, String listName, String organizationName, Previews.Links links) {
      return new Recipient(person.email(), person.name(), person.fields(), person.createdAt(), listName == null ? "" : listName,
          organizationName, links);
    }

    /**
     * Nobody in particular (a copy forwarded to a friend, the shared web version): no subscriber and no list in the
     * template's values, only these links.
     */
    static Recipient nobody(String organizationName, Previews.Links links) {
      return new Recipient(null, null, null, null, null, organizationName, links);
    }
  }

  /** One person's message: {@code html} null for a plain-text campaign. */
  record Message(String subject, String html, String text) {}

  /**
   * A campaign compiled once for all its recipients. {@code html} null: a plain-text campaign ({@code text}); else
   * {@code text} is the text part's template, or null when each person's text part is converted from their HTML.
   */
  record Compiled(Sources sources, CompiledTemplate subject, CompiledTemplate preheader, CompiledTemplate html, boolean inlinedOnce,
      CompiledTemplate body, CompiledTemplate text, CampaignLinks links) {}

  /** A part that does not compile, with the engine's place for it when it named one. */
  static final class Failure extends RuntimeException {
    final transient Previews.Preview.Failed failed;

    Failure(Previews.Preview.Failed failed) {
      super("The " + failed.part() + " does not compile: " + failed.message(), null, false, false);
      this.failed = failed;
    }
  }

  /** One person's message drawn without tracking, or why it cannot be. */
  record Drawn(Message message, Previews.Preview.Failed failed) {
    Previews.Preview preview() {
      if (failed != null) return failed;
      String html = message.html() == null ? ContentFormat.TEXT.toHtml(message.text()) : message.html();
      return new Previews.Preview.Rendered(message.subject(), html, message.text());
    }
  }

  @Override
  public Previews.Preview render(long orgId, String organizationName, Draft draft, Subscribers.Subscriber subscriber, String listName,
      Links links) {
    Sources sources = new Sources(orgId, nz(draft.campaignName()), nz(draft.subject()), nz(draft.preheader()),
        draft.format() == null ? ContentFormat.RICHTEXT : draft.format(), nz(draft.body()), draft.templateSource(), null);
    return draw(sources, Recipient.of(subscriber == null ? SAMPLE : subscriber, nz(listName), nz(organizationName), links)).preview();
  }

  /** Compiles and renders for one person without tracking; a failure names its part (and place, when known). */
  Drawn draw(Sources sources, Recipient recipient) {
    Compiled compiled;
    try {
      compiled = compile(sources, Tracking.NONE);
    } catch (Failure f) {
      return new Drawn(null, f.failed);
    }
    try {
      return new Drawn(render(compiled, recipient), null);
    } catch (TemplateRenderException e) {
      return new Drawn(null, diagnose(compiled, recipient, e));
    }
  }

  /**
   * Compiles the campaign for all its recipients.
   *
   * @throws Failure naming the part that does not compile (subject, preheader, body or template)
   */
  Compiled compile(Sources s, Tracking tracking) {
    Map<String, String> included = new LinkedHashMap<>();
    SnippetLookup recording = recording(s, included);
    CompiledTemplate subject = part("subject", s.subject(), false, recording);
    CompiledTemplate preheader = nz(s.preheader()).isBlank() ? null : part("preheader", s.preheader(), false, recording);
    if (s.format() == ContentFormat.TEXT) {
      return new Compiled(s, subject, preheader, null, false, null, part("body", s.body(), false, recording), null);
    }
    String body = s.format() == ContentFormat.MARKDOWN ? Markdown.toHtml(nz(s.body())) : nz(s.body());
    String template = s.templateSource() == null || s.templateSource().isBlank() ? "{{ content }}" : s.templateSource();
    // Each part alone first: an error is placed in the part it is in, and the snippets they include are found.
    CompiledTemplate bodyAlone = part("body", body, true, recording);
    CompiledTemplate templateAlone = part("template", template, true, recording);
    Matcher tag = CONTENT_TAG.matcher(template);
    int tags = 0, uses = 0;
    while (tag.find()) tags++;
    for (Matcher use = CONTENT_USE.matcher(template); use.find(); ) uses++;
    if (tags == 1 && uses == 1) {
      // The body takes the tag's place in the source, so the template's CSS reaches the body's elements, inlined once.
      Matcher one = CONTENT_TAG.matcher(template);
      one.find();
      String combined = CssInliner.inline(template.substring(0, one.start()) + body + template.substring(one.end()));
      CampaignLinks links = tracking.any() ? CampaignLinks.of(combined, null, included, tracking.host(), tracking.opens(), tracking.clicks())
          : null;
      SnippetLookup snippets = links == null ? recording : lookup(links.snippets());
      return new Compiled(s, subject, preheader, part("template", links == null ? combined : links.html(), true, snippets), true, null,
          textPart(combined, recording), links);
    }
    if (!tracking.any()) return new Compiled(s, subject, preheader, templateAlone, false, bodyAlone, null, null);
    CampaignLinks links = CampaignLinks.of(template, body, included, tracking.host(), tracking.opens(), tracking.clicks());
    SnippetLookup snippets = lookup(links.snippets());
    return new Compiled(s, subject, preheader, part("template", links.html(), true, snippets), false,
        part("body", links.body(), true, snippets), null, links);
  }

  /**
   * The text part's template (ADR 0008), made once from the untracked HTML with its Liquid kept, its snippets made
   * into text the same way; null when {@link HtmlToText#template} cannot make it faithfully, and each person's text
   * part is then converted from their HTML.
   */
  private CompiledTemplate textPart(String html, SnippetLookup snippets) {
    boolean[] faithful = {true};
    SnippetLookup asText = name -> snippets.find(name).flatMap(source -> {
      Optional<String> text = HtmlToText.template(source);
      if (text.isEmpty()) faithful[0] = false;
      return text;
    });
    try {
      Optional<String> text = HtmlToText.template(html);
      if (text.isEmpty()) return null;
      CompiledTemplate compiled = engine.compile(text.get(), asText);
      return faithful[0] ? compiled : null;
    } catch (RuntimeException notFaithful) { // Refused too
      // A block tag that only compiled in its HTML context (never expected: every one is kept, in order): per person.
      return null;
    }
  }

  /** The snippets a campaign includes (directly or through other snippets), by name, as {@code s} finds them now. */
  Map<String, String> includedSnippets(Sources s) {
    Map<String, String> included = new LinkedHashMap<>();
    SnippetLookup recording = recording(s, included);
    boolean html = s.format() != ContentFormat.TEXT;
    for (String source : new String[] {s.subject(), s.preheader(), s.format() == ContentFormat.MARKDOWN ? Markdown.toHtml(nz(s.body())) : s.body(),
        html ? s.templateSource() : null}) {
      try {
        if (source != null) engine.compile(source, recording);
      } catch (Refused doesNotCompile) {
        // The snippets found so far are kept; the campaign itself fails when it is compiled to be sent.
      }
    }
    return included;
  }

  /** The sources' snippets (fixed, or the organization's now), each one found put into {@code included}. */
  private SnippetLookup recording(Sources s, Map<String, String> included) {
    SnippetLookup base = s.snippets() == null ? liveSnippets.apply(s.organizationId()) : lookup(s.snippets());
    return name -> {
      Optional<String> found = base.find(name);
      found.ifPresent(source -> included.put(name, source));
      return found;
    };
  }

  private static SnippetLookup lookup(Map<String, String> snippets) {
    return name -> Optional.ofNullable(snippets.get(name));
  }

  /** One person's message. */
  Message render(Compiled c, Recipient r) {
    Previews.Links links = r.links();
    TemplateModel.Builder model = TemplateModel.builder();
    // No email: nobody's copy (a forward to a friend), so subscriber.* is absent and the template's defaults show.
    if (r.email() != null) model.subscriber(r.email(), r.name(), r.fields(), r.createdAt());
    if (r.listName() != null) model.list(r.listName());
    model.organization(nz(r.organizationName()))
        .links(links.unsubscribe(), links.preferences(), links.webVersion(), links.forward());
    String subject = c.subject().render(model.campaign(c.sources().name(), c.sources().subject()).build()).strip()
        .replaceAll("[\\r\\n]+", " ");
    Map<String, Object> values = model.campaign(c.sources().name(), subject).build();
    if (c.html() == null) return new Message(subject, null, c.text().render(values));
    String html = c.inlinedOnce() ? c.html().render(values)
        : CssInliner.inline(c.html().render(TemplateModel.withContent(values, c.body().render(values))));
    String preheader = c.preheader() == null ? "" : c.preheader().render(values).strip();
    if (!preheader.isEmpty()) html = withPreheader(html, preheader);
    String text = c.text() != null ? HtmlToText.tidy(c.text().render(values))
        : HtmlToText.convert(c.links() == null ? html : c.links().untracked(html));
    return new Message(subject, html, text);
  }

  /**
   * The preheader as the first, hidden element of the body: inbox lists show it after the subject, the message does
   * not.
   */
  static String withPreheader(String html, String preheader) {
    String hidden = "<div style=\"display:none;max-height:0;overflow:hidden;mso-hide:all\" aria-hidden=\"true\">"
        + HtmlUtils.htmlEscape(preheader) + "</div>";
    int from = bodyTagCandidate(html);
    Matcher body = BODY_TAG.matcher(html);
    return from >= 0 && body.find(from) ? html.substring(0, body.end()) + hidden + html.substring(body.end()) : hidden + html;
  }

  /**
   * Where the first {@code <body} (any case) starts, or -1: the regex would find no match before it, and a
   * case-insensitive regex scanned the whole of every message's HTML for it (most campaigns have no template's body
   * tag at all).
   */
  private static int bodyTagCandidate(String html) {
    for (int at = html.indexOf('<'); at >= 0; at = html.indexOf('<', at + 1)) {
      if (html.regionMatches(true, at + 1, "body", 0, 4)) return at;
    }
    return -1;
  }

  /** Compiles one part; one that does not compile is a {@link Failure} at the place the engine names. */
  private CompiledTemplate part(String part, String source, boolean html, SnippetLookup snippets) {
    String s = nz(source);
    try {
      return html ? engine.compileHtml(s, snippets) : engine.compile(s, snippets);
    } catch (Refused refused) {
      TemplateError error = engine.check(s, snippets).orElse(new TemplateError(0, 0, refused.getMessage()));
      throw new Failure(new Previews.Preview.Failed(part, error.line(), error.column(), error.message()));
    }
  }

  /**
   * Which part a render error is in: the parts are rendered alone, in the order the message renders them, and the
   * first that fails is named (an error in the template and body rendered as one is placed in the body when the body
   * alone fails, else in the template).
   */
  private Previews.Preview.Failed diagnose(Compiled c, Recipient r, TemplateRenderException e) {
    Sources s = c.sources();
    long org = s.organizationId();
    Map<String, Sources> alone = new LinkedHashMap<>();
    alone.put("subject", new Sources(org, s.name(), s.subject(), "", ContentFormat.TEXT, "", null, s.snippets()));
    alone.put("preheader", new Sources(org, s.name(), "", s.preheader(), ContentFormat.HTML, "", null, s.snippets()));
    alone.put("body", new Sources(org, s.name(), "", "", s.format(), s.body(), null, s.snippets()));
    for (Map.Entry<String, Sources> part : alone.entrySet()) {
      try {
        render(compile(part.getValue(), Tracking.NONE), r);
      } catch (TemplateRenderException partError) {
        return failed(part.getKey(), partError);
      }
    }
    return failed("template", e);
  }

  private static Previews.Preview.Failed failed(String part, TemplateRenderException e) {
    Matcher m = POSITION.matcher(nz(e.getMessage()));
    return m.find() ? new Previews.Preview.Failed(part, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), e.getMessage())
        : new Previews.Preview.Failed(part, 0, 0, e.getMessage());
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}
