package dev.herald.campaigns;

import dev.herald.messages.LinkTracking;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.web.util.HtmlUtils;

/**
 * A campaign's click and open tracking, worked out once per campaign on its template sources (before Liquid runs), so
 * the link table is one per campaign and a recipient's render costs only the token substitution
 * ({@link LinkTracking#personalize}) on the built bytes.
 *
 * <p>Because it reads the source, a link is tracked only when its URL is written out: an href holding Liquid
 * ({@code {{ unsubscribe_url }}}, {@code https://shop.example/?e={{ subscriber.email }}}) differs per recipient, could
 * not be stored once, and stays as written. That is also what keeps the unsubscribe, preference-centre and web-version
 * links direct (they are Liquid variables; RFC 8058 forbids redirecting one-click unsubscribe). The snippets the
 * campaign includes ({@code {% include 'footer' %}}) are rewritten with it, in one numbering, and the campaign is
 * compiled with the rewritten snippets: their sources are fixed for the campaign when it is handed off, so the
 * numbering cannot change under the stored link table.
 *
 * @param html the tracked source (the whole HTML, or the campaign template when the body is rendered apart)
 * @param body the tracked body source when it is rendered apart from the template, else null
 * @param snippets the tracked sources of the snippets, by name
 * @param links the tracked URLs, link number n at index n - 1
 */
record CampaignLinks(String html, String body, Map<String, String> snippets, List<String> links, Pattern tracked,
    Map<String, String> originals) {
  /** Never in a stored source: PostgreSQL text cannot hold NUL. */
  private static final String SPLIT = "\u0000";

  static CampaignLinks of(String html, String trackingHost, boolean opens, boolean clicks) {
    return of(html, null, Map.of(), trackingHost, opens, clicks);
  }

  /**
   * Tracks {@code body}, {@code template} and the {@code snippets} as one text, so their links share one numbering
   * (the body's first, then the template's, then the snippets' by name); the pixel goes into the template (before its
   * last {@code </body>}, or at its end), never into a snippet, which may be included any number of times.
   */
  static CampaignLinks of(String template, String body, Map<String, String> snippets, String trackingHost, boolean opens, boolean clicks) {
    List<String> names = snippets.keySet().stream().sorted().toList();
    List<String> parts = new ArrayList<>();
    if (body != null) parts.add(body);
    parts.add(template);
    for (String name : names) parts.add(snippets.get(name));
    String whole = String.join(SPLIT, parts);
    LinkTracking.Rewritten first = LinkTracking.rewrite(whole, trackingHost, false, clicks, Set.of());
    Set<String> personal = new HashSet<>();
    for (String url : first.links()) {
      if (url.contains("{{") || url.contains("{%")) personal.add(url);
    }
    LinkTracking.Rewritten done = personal.isEmpty() ? first : LinkTracking.rewrite(whole, trackingHost, false, clicks, personal);
    Pattern tracked = Pattern.compile(Pattern.quote("https://" + trackingHost.toLowerCase(java.util.Locale.ROOT) + LinkTracking.CLICK_PATH)
        + "([a-z0-9]{45})");
    // Link numbers follow first appearance, so the n-th distinct placeholder in the rewritten text is link n.
    Map<String, String> originals = new HashMap<>();
    Matcher m = tracked.matcher(done.html());
    while (m.find()) {
      if (!originals.containsKey(m.group()) && originals.size() < done.links().size()) {
        originals.put(m.group(), HtmlUtils.htmlEscape(done.links().get(originals.size())));
      }
    }
    if (originals.size() != done.links().size()) throw new IllegalStateException("tracked links do not line up with their placeholders");
    String[] split = done.html().split(SPLIT, -1);
    int at = 0;
    String trackedBody = body == null ? null : split[at++];
    String trackedTemplate = split[at++];
    if (opens) trackedTemplate = LinkTracking.rewrite(trackedTemplate, trackingHost, true, false, Set.of()).html();
    Map<String, String> trackedSnippets = new LinkedHashMap<>();
    for (String name : names) trackedSnippets.put(name, split[at++]);
    return new CampaignLinks(trackedTemplate, trackedBody, Map.copyOf(trackedSnippets), done.links(), tracked, Map.copyOf(originals));
  }

  /**
   * The rendered HTML with the tracked links back as written, for the text part: a text reader sees the URL itself,
   * and a long opaque tracking URL there would look like phishing.
   */
  String untracked(String renderedHtml) {
    if (originals.isEmpty()) return renderedHtml;
    return tracked.matcher(renderedHtml).replaceAll(m -> Matcher.quoteReplacement(originals.getOrDefault(m.group(), m.group())));
  }
}
