package dev.herald.audiences;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The export layouts of Herald and of the newsletter tools people move from, recognized by their headers: which
 * column goes where, what the words in their status columns mean, and how their tag cells separate tags. One table
 * per layout, so a tool whose export changes is fixed here and nowhere else.
 *
 * <p>Herald's own words for a person's state on a list are subscribed, unconfirmed, unsubscribed, bounced and
 * complained. A status value that a layout does not know sets the row aside with its line: someone whose state in
 * the source is unclear is never imported as subscribed.
 */
final class ImportLayouts {
  private static final SubscriptionStatus SUBSCRIBED = SubscriptionStatus.SUBSCRIBED;
  private static final SubscriptionStatus UNCONFIRMED = SubscriptionStatus.UNCONFIRMED;
  private static final SubscriptionStatus UNSUBSCRIBED = SubscriptionStatus.UNSUBSCRIBED;
  private static final SubscriptionStatus BOUNCED = SubscriptionStatus.BOUNCED;
  private static final SubscriptionStatus COMPLAINED = SubscriptionStatus.COMPLAINED;

  /** Tags in a cell: "a, b", "a|b", "a; b" all hold two. */
  private static final Pattern ANY_SEPARATOR = Pattern.compile("[,;|]");
  private static final Pattern COMMA = Pattern.compile(",");

  /** What a status word means when the layout has no table of its own for the column (a column mapped by hand). */
  static final Map<String, SubscriptionStatus> COMMON_STATUS_WORDS = words(Map.of(
      SUBSCRIBED, "subscribed active confirmed enabled opted_in optin",
      UNCONFIRMED, "unconfirmed pending validating needs_approval not_confirmed",
      UNSUBSCRIBED, "unsubscribed inactive cancelled canceled disabled opted_out optout blocklisted blacklisted",
      BOUNCED, "bounced cleaned hard_bounced",
      COMPLAINED, "complained spam junk marked_as_spam complaint"));

  /**
   * A recognized layout.
   *
   * @param name      shown in the mapping step and the API's import detail
   * @param signature headers that must all be present (compared ignoring case) for the file to be this layout
   * @param columns   header (lower case) → target; headers not listed get the usual guess
   * @param statuses  header (lower case) of a status column → its values (lower case) → Herald status
   * @param tagSplit  what separates tags in a tag cell
   */
  record Layout(String name, Set<String> signature, Map<String, String> columns, Map<String, Map<String, SubscriptionStatus>> statuses,
      Pattern tagSplit) {

    String target(String header) {
      return columns.get(header.strip().toLowerCase(Locale.ROOT));
    }

    /** The value table of a status column: the layout's own, else the common words. */
    Map<String, SubscriptionStatus> statusWords(String header) {
      return statuses.getOrDefault(header.strip().toLowerCase(Locale.ROOT), COMMON_STATUS_WORDS);
    }

    boolean recognized() {
      return !signature.isEmpty();
    }
  }

  /** A file whose headers match no layout: the usual guesses, the common status words, tags split on , ; or |. */
  static final Layout UNRECOGNIZED = new Layout(null, Set.of(), Map.of(), Map.of(), ANY_SEPARATOR);

  /**
   * Herald's "lists" column (an export of everyone) names each list's state; empty, the person is on no list, so
   * not subscribed to anything in the source.
   */
  private static final Map<String, SubscriptionStatus> HERALD_LISTS = withBlank(COMMON_STATUS_WORDS, UNSUBSCRIBED);
  private static final Map<String, SubscriptionStatus> TRUE_MEANS_UNSUBSCRIBED = flag(UNSUBSCRIBED, SUBSCRIBED);
  private static final Map<String, SubscriptionStatus> TRUE_MEANS_SUBSCRIBED = flag(SUBSCRIBED, UNSUBSCRIBED);

  /**
   * Most specific first: a file is the first layout whose signature it has. Sources for each are in the test
   * files under src/test/resources/imports/.
   */
  static final List<Layout> LAYOUTS = List.of(
      // audiences/Exports, a list: email, name, tags, created_at, source, fields, status and times, latest consent
      new Layout("Herald export (CSV or XLSX)", Set.of("email", "name", "tags", "created_at", "source", "consent_given_at"),
          columns("email", "email", "name", "name", "tags", "tags", "status", "status", "lists", "status",
              "created_at", "ignore", "source", "ignore", "subscribed_at", "ignore", "confirmed_at", "ignore",
              "unsubscribed_at", "ignore", "consent_given_at", "optin_time", "consent_ip", "optin_ip",
              "consent_confirmed_at", "confirm_time", "consent_channel", "ignore", "consent_basis", "ignore",
              "consent_withdrawn_at", "ignore", "consent_text", "ignore", "consent_list", "ignore"),
          Map.of("lists", HERALD_LISTS), COMMA),
      // audiences/Exports as JSON: the API's shape, "fields" an object, "lists" and "consent" arrays of objects
      new Layout("Herald export (JSON)", Set.of("email", "name", "tags", "source", "createdat", "updatedat"),
          columns("id", "ignore", "email", "email", "name", "name", "tags", "tags", "source", "ignore", "createdat", "ignore",
              "updatedat", "ignore", "lists", "status", "consent", "ignore"),
          Map.of("lists", HERALD_LISTS), COMMA),
      // Mailchimp's three audience exports; its columns are mapped by SubscriberFileMapping's Mailchimp rules
      new Layout("Mailchimp audience export", Set.of("email address", "member_rating", "leid"), Map.of(), Map.of(), COMMA),
      // listmonk: cmd/subscribers.go writes uuid, email, name, attributes (JSON), status, created_at, updated_at
      new Layout("listmonk subscribers export", Set.of("uuid", "email", "name", "attributes", "status"),
          columns("uuid", "ignore", "email", "email", "name", "name", "attributes", "attributes", "status", "status",
              "created_at", "ignore", "updated_at", "ignore"),
          Map.of("status", words(Map.of(SUBSCRIBED, "enabled", UNSUBSCRIBED, "disabled blocklisted"))), COMMA),
      // Ghost: members-csv writes id, email, name, note, subscribed_to_emails, complimentary_plan, stripe_customer_id,
      // created_at, deleted_at, labels, tiers
      new Layout("Ghost members export", Set.of("email", "subscribed_to_emails", "complimentary_plan"),
          columns("id", "ignore", "email", "email", "name", "name", "subscribed_to_emails", "status", "labels", "tags",
              "created_at", "optin_time"),
          Map.of("subscribed_to_emails", TRUE_MEANS_SUBSCRIBED), COMMA),
      // Substack: email_list.*.csv with email, active_subscription, expiry, plan, email_disabled, created_at, ...
      new Layout("Substack subscribers export", Set.of("email", "active_subscription", "email_disabled"),
          columns("email", "email", "email_disabled", "status", "created_at", "optin_time"),
          Map.of("email_disabled", TRUE_MEANS_UNSUBSCRIBED), COMMA),
      // Kit (ConvertKit): email_address, first_name, state (active, inactive, cancelled, bounced, complained), tags
      // (email_address in the signature: "state" alone is as often a postal address's state)
      new Layout("Kit (ConvertKit) subscribers export", Set.of("email_address", "first_name", "state"),
          columns("id", "ignore", "email_address", "email", "email", "email", "first_name", "first_name", "state", "status",
              "tags", "tags", "created_at", "optin_time"),
          Map.of("state", words(Map.of(SUBSCRIBED, "active", UNCONFIRMED, "inactive", UNSUBSCRIBED, "cancelled canceled",
              BOUNCED, "bounced", COMPLAINED, "complained"))), COMMA),
      // Beehiiv: email, status (active, inactive, pending, validating, needs approval), utm_* columns, tier
      new Layout("Beehiiv subscribers export", Set.of("email", "status", "utm_source"),
          columns("email", "email", "status", "status", "created", "optin_time", "created_at", "optin_time"),
          Map.of("status", words(Map.of(SUBSCRIBED, "active", UNCONFIRMED, "pending validating needs_approval",
              UNSUBSCRIBED, "inactive unsubscribed"))), COMMA),
      // MailerLite: email, name, last_name, status (active, unsubscribed, unconfirmed, bounced, junk), groups
      new Layout("MailerLite subscribers export", Set.of("email", "status", "groups"),
          columns("email", "email", "name", "first_name", "last_name", "last_name", "status", "status", "groups", "tags",
              "subscribed", "optin_time", "ip_address", "optin_ip"),
          Map.of("status", words(Map.of(SUBSCRIBED, "active", UNCONFIRMED, "unconfirmed", UNSUBSCRIBED, "unsubscribed",
              BOUNCED, "bounced", COMPLAINED, "junk"))), COMMA),
      // Brevo: EMAIL, FIRSTNAME, LASTNAME, attributes, ADDED_TIME, MODIFIED_TIME, and the blocklist flag
      new Layout("Brevo contacts export", Set.of("email", "added_time", "modified_time"),
          columns("email", "email", "firstname", "first_name", "lastname", "last_name", "prenom", "first_name",
              "nom", "last_name", "added_time", "optin_time", "modified_time", "ignore", "email_blacklisted", "status",
              "blacklisted", "status", "email_blocklisted", "status"),
          Map.of("email_blacklisted", TRUE_MEANS_UNSUBSCRIBED, "blacklisted", TRUE_MEANS_UNSUBSCRIBED,
              "email_blocklisted", TRUE_MEANS_UNSUBSCRIBED), COMMA),
      // Sendy: name, email, custom fields, and its subscriber flags (1 or 0) for unsubscribed, bounced, complaint
      new Layout("Sendy subscribers export", Set.of("email", "unsubscribed", "bounced"),
          columns("name", "name", "email", "email", "unsubscribed", "status", "bounced", "status", "bounce_soft", "ignore",
              "complaint", "status", "confirmed", "status", "join_date", "optin_time", "timestamp", "ignore",
              "last_campaign", "ignore", "last_activity", "ignore", "list", "ignore", "userid", "ignore", "id", "ignore"),
          Map.of("unsubscribed", flag(UNSUBSCRIBED, SUBSCRIBED), "bounced", flag(BOUNCED, SUBSCRIBED),
              "complaint", flag(COMPLAINED, SUBSCRIBED), "confirmed", flag(SUBSCRIBED, UNCONFIRMED)), COMMA));

  private ImportLayouts() {}

  static Layout recognize(List<String> headers) {
    Set<String> present = new java.util.HashSet<>();
    for (String h : headers) if (h != null) present.add(h.strip().toLowerCase(Locale.ROOT));
    for (Layout layout : LAYOUTS) if (present.containsAll(layout.signature())) return layout;
    return UNRECOGNIZED;
  }

  /**
   * Herald's status for one status cell, or null when it is blank (the import's "import as" then applies, unless the
   * column's table says what blank means). A cell
   * may name several lists' states ("News:subscribed; Offers:unsubscribed" from Herald's export of everyone, or a
   * JSON array of {"status": ...}): then a complaint or bounce of the address wins, else subscribed to any list,
   * else unconfirmed, else unsubscribed.
   *
   * @throws UnknownStatus a value the table does not know
   */
  static SubscriptionStatus status(List<String> values, Map<String, SubscriptionStatus> words) {
    SubscriptionStatus best = null;
    for (String raw : values) {
      String value = raw.strip().toLowerCase(Locale.ROOT).replace(' ', '_').replace('-', '_');
      if (value.isEmpty() && !words.containsKey("")) continue;
      SubscriptionStatus status = words.get(value);
      if (status == null) throw new UnknownStatus(raw.strip());
      if (best == null || cellRank(status) > cellRank(best)) best = status;
    }
    return best;
  }

  /** Of two statuses from different columns, the one that mails less: a single "no" in the source is enough. */
  static SubscriptionStatus stricter(SubscriptionStatus a, SubscriptionStatus b) {
    if (a == null) return b;
    if (b == null) return a;
    return strictness(a) >= strictness(b) ? a : b;
  }

  static final class UnknownStatus extends RuntimeException {
    UnknownStatus(String value) {
      super(value, null, false, false);
    }
  }

  /** Exhaustive, so a new status must be ranked here before it compiles. */
  private static int cellRank(SubscriptionStatus status) {
    return switch (status) {
      case COMPLAINED -> 5;
      case BOUNCED -> 4;
      case SUBSCRIBED -> 3;
      case UNCONFIRMED -> 2;
      case UNSUBSCRIBED -> 1;
    };
  }

  private static int strictness(SubscriptionStatus status) {
    return switch (status) {
      case COMPLAINED -> 5;
      case BOUNCED -> 4;
      case UNSUBSCRIBED -> 3;
      case UNCONFIRMED -> 2;
      case SUBSCRIBED -> 1;
    };
  }

  private static Map<String, SubscriptionStatus> flag(SubscriptionStatus whenTrue, SubscriptionStatus whenFalse) {
    return words(Map.of(whenTrue, "true yes 1", whenFalse, "false no 0"));
  }

  private static Map<String, SubscriptionStatus> withBlank(Map<String, SubscriptionStatus> words, SubscriptionStatus blank) {
    Map<String, SubscriptionStatus> map = new HashMap<>(words);
    map.put("", blank);
    return Map.copyOf(map);
  }

  private static Map<String, String> columns(String... headerAndTarget) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < headerAndTarget.length; i += 2) map.put(headerAndTarget[i], headerAndTarget[i + 1]);
    return Map.copyOf(map);
  }

  /** Status → its words, separated by spaces; returns word → status. */
  private static Map<String, SubscriptionStatus> words(Map<SubscriptionStatus, String> wordsByStatus) {
    Map<String, SubscriptionStatus> map = new HashMap<>();
    wordsByStatus.forEach((status, words) -> {
      for (String word : words.split(" ")) map.put(word, status);
    });
    return Map.copyOf(map);
  }
}
