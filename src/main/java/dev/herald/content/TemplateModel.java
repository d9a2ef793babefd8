package dev.herald.content;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The model templates are rendered with, in one shape for campaigns, test sends and previews:
 * {@code subscriber.email}, {@code subscriber.name}, {@code subscriber.fields.<key>}, {@code subscriber.created_at},
 * {@code list.name}, {@code campaign.name}, {@code campaign.subject}, {@code organization.name},
 * {@code unsubscribe_url}, {@code preferences_url}, {@code web_version_url}, {@code forward_url} and {@code content}.
 *
 * <pre>{@code
 * Map<String, Object> model = TemplateModel.builder()
 *     .subscriber(email, name, fields, createdAt).list(listName).campaign(name, subject).organization(orgName)
 *     .links(unsubscribeUrl, preferencesUrl, webVersionUrl).build();
 * String body = compiledBody.render(model);
 * String mail = compiledCampaignTemplate.render(TemplateModel.withContent(model, body));
 * }</pre>
 * A part left out is simply absent: the template's {@code default} filter and {@code if} tags see nothing there.
 */
public final class TemplateModel {
  private TemplateModel() {}

  public static Builder builder() {
    return new Builder();
  }

  /** {@code model} with {@code content} set: the rendered body a campaign template places with {@code {{ content }}}. */
  public static Map<String, Object> withContent(Map<String, Object> model, String content) {
    Map<String, Object> copy = new LinkedHashMap<>(model);
    copy.put("content", content);
    return Collections.unmodifiableMap(copy);
  }

  public static final class Builder {
    private final Map<String, Object> model = new LinkedHashMap<>();

    private Builder() {}

    /**
     * {@code fields} are the subscriber's custom fields by key; their values strings, numbers, booleans, dates or
     * lists of these. Null name, fields or date are left out.
     */
    public Builder subscriber(String email, String name, Map<String, ?> fields, Instant createdAt) {
      Map<String, Object> subscriber = new LinkedHashMap<>();
      subscriber.put("email", email);
      if (name != null) subscriber.put("name", name);
      subscriber.put("fields", fields == null ? Map.of() : fields);
      if (createdAt != null) subscriber.put("created_at", createdAt);
      model.put("subscriber", subscriber);
      return this;
    }

    /** The list through which this person gets the message. */
    public Builder list(String name) {
      model.put("list", named(name));
      return this;
    }

    public Builder campaign(String name, String subject) {
      Map<String, Object> campaign = new LinkedHashMap<>();
      campaign.put("name", name);
      campaign.put("subject", subject);
      model.put("campaign", campaign);
      return this;
    }

    public Builder organization(String name) {
      model.put("organization", named(name));
      return this;
    }

    /** The recipient's own links; a null one is left out. */
    public Builder links(String unsubscribeUrl, String preferencesUrl, String webVersionUrl) {
      return links(unsubscribeUrl, preferencesUrl, webVersionUrl, null);
    }

    /** The recipient's own links with their forward-to-a-friend page ({@code forward_url}); a null one is left out. */
    public Builder links(String unsubscribeUrl, String preferencesUrl, String webVersionUrl, String forwardUrl) {
      if (unsubscribeUrl != null) model.put("unsubscribe_url", unsubscribeUrl);
      if (preferencesUrl != null) model.put("preferences_url", preferencesUrl);
      if (webVersionUrl != null) model.put("web_version_url", webVersionUrl);
      if (forwardUrl != null) model.put("forward_url", forwardUrl);
      return this;
    }

    private static Map<String, Object> named(String name) {
      Map<String, Object> named = new LinkedHashMap<>();
      named.put("name", name);
      return named;
    }

    public Builder content(String content) {
      model.put("content", content);
      return this;
    }

    /**
     * The model, checked and copied: only maps, lists, strings, numbers, booleans (dates as ISO-8601 text) remain.
     *
     * @throws IllegalArgumentException when a field holds anything else
     */
    public Map<String, Object> build() {
      return Collections.unmodifiableMap(LiquidValues.copy(model));
    }
  }
}
