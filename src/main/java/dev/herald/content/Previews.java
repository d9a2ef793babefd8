package dev.herald.content;

import dev.herald.audiences.Subscribers;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Draws a campaign or template as one subscriber would get it (or a sample person): the subject, the HTML part and
 * the text part, or the error of the part that does not compile or render with its line and column, so a preview
 * shows where instead of a frame.
 *
 * <p>A port: the campaigns capability implements it with the renderer its delivery uses
 * ({@code campaigns.CampaignRenderer}), so a template's preview is drawn exactly as a campaign's mail is, and there is
 * one rendering of campaign content to keep right, not two.
 */
public interface Previews {
  /** Who a preview is for when no subscriber was chosen. */
  Subscribers.Subscriber SAMPLE = new Subscribers.Subscriber(0, "subscriber@example.com", false, "Sam Sample",
      Map.of(), List.of(), "sample", Instant.EPOCH, Instant.EPOCH, List.of());

  /**
   * What is drawn: a campaign's fields and the source of its campaign template (null: the body alone), or a template
   * alone as the body.
   */
  record Draft(String campaignName, String subject, String preheader, ContentFormat format, String body, String templateSource) {}

  /**
   * The links a real message carries; a preview passes inert ones. A null link is left out of the template's values
   * ({@code forward} is null in a copy forwarded to a friend, whose unsubscribe and preference links are null too).
   */
  record Links(String unsubscribe, String preferences, String webVersion, String forward) {
    /** Without a forward link (previews of templates, which have no campaign to forward). */
    public Links(String unsubscribe, String preferences, String webVersion) {
      this(unsubscribe, preferences, webVersion, null);
    }
  }

  sealed interface Preview {
    /** {@code html} is the HTML part, or for a plain-text message its text shown as HTML. */
    record Rendered(String subject, String html, String text) implements Preview {}

    /** {@code part} is "subject", "preheader", "body" or "template"; line and column are 0 when the engine named none. */
    record Failed(String part, int line, int column, String message) implements Preview {}
  }

  /**
   * Renders for the subscriber (null: {@link #SAMPLE}), as they get it through the list named {@code listName}, with the
   * organization's snippets as they are now.
   */
  Preview render(long orgId, String organizationName, Draft draft, Subscribers.Subscriber subscriber, String listName, Links links);
}
