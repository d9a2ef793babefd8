package dev.herald.audiences;

import java.text.Normalizer;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Guesses what each column of an uploaded file holds; see {@link SubscriberFileReader#suggestMapping(List)}. */
final class SubscriberFileMapping {
  static final int MAX_KEY_LENGTH = 40;
  private static final Pattern MARKS = Pattern.compile("\\p{M}+");
  private static final Pattern NOT_SLUG = Pattern.compile("[^a-z0-9]+");

  /**
   * Targets by header reduced to lower-case letters and digits, so "E-Mail", "e-mail address" and "Email Address"
   * all look alike. English, German (common among self-hosters), French and Spanish, and Mailchimp's merge tags.
   */
  private static final Map<String, String> TARGETS = targets(
      "email", "email emailaddress mail mailaddress emailadresse mailadresse courriel adressemail adresseemail "
          + "correo correoelectronico",
      "name", "name fullname displayname nomcomplet nombrecompleto vollstandigername",
      "first_name", "firstname fname givenname forename vorname prenom nombre",
      "last_name", "lastname lname surname familyname nachname familienname nom apellido apellidos",
      "tags", "tags tag",
      // a status column is read with the common status words; a value they do not know sets its row aside
      "status", "status subscriptionstatus",
      // Mailchimp's consent evidence: when and from where the subscriber opted in and confirmed
      "optin_time", "optintime",
      "optin_ip", "optinip",
      "confirm_time", "confirmtime",
      "confirm_ip", "confirmip");

  /**
   * Mailchimp's bookkeeping columns, matched as Mailchimp spells them: a user's own "Region" or "Notes" column is
   * data worth keeping, Mailchimp's REGION and NOTES are not.
   */
  private static final Set<String> MAILCHIMP_IGNORED = Set.of("MEMBER_RATING", "LATITUDE", "LONGITUDE", "GMTOFF",
      "DSTOFF", "TIMEZONE", "CC", "REGION", "LAST_CHANGED", "LEID", "EUID", "NOTES",
      "CLEAN_CAMPAIGN_TITLE", "CLEAN_CAMPAIGN_ID", "UNSUB_CAMPAIGN_TITLE", "UNSUB_CAMPAIGN_ID",
      "UNSUB_REASON", "UNSUB_REASON_OTHER");

  /**
   * Mailchimp's status columns: in its unsubscribed export UNSUB_TIME says when each person left, in the
   * cleaned export CLEAN_TIME when their address bounced for good. Mapped, so those people keep that
   * status in Herald instead of becoming whatever the import is "imported as".
   */
  private static final Map<String, String> MAILCHIMP_STATUS = Map.of("UNSUB_TIME", "unsubscribed_at", "CLEAN_TIME", "bounced_at");

  /** Targets several columns may share: each status column has its say, and what is not imported is "ignore". */
  private static final Set<String> MANY = Set.of("ignore", "status");

  private SubscriberFileMapping() {}

  static Map<String, String> suggest(List<String> headers) {
    ImportLayouts.Layout layout = ImportLayouts.recognize(headers);
    Map<String, String> mapping = new LinkedHashMap<>();
    Set<String> taken = new HashSet<>();
    for (int i = 0; i < headers.size(); i++) {
      String header = headers.get(i) == null ? "" : headers.get(i).strip();
      if (mapping.containsKey(header)) continue; // a repeated header name: the map has room for the first only
      String target;
      String known = layout.target(header);
      if (known != null && (MANY.contains(known) || taken.add(known))) {
        target = known;
      } else if (header.isEmpty() || MAILCHIMP_IGNORED.contains(header)) {
        target = "ignore";
      } else if (MAILCHIMP_STATUS.containsKey(header) && taken.add(MAILCHIMP_STATUS.get(header))) {
        target = MAILCHIMP_STATUS.get(header);
      } else {
        target = TARGETS.get(compact(header));
        if ("status".equals(target)) {
          mapping.put(header, target);
          continue;
        }
        // A second column asking for email or name would compete with the first; keep it as a custom field instead.
        if (target == null || !taken.add(target)) target = "field:" + uniqueKey(header, i, taken);
      }
      mapping.put(header, target);
    }
    return mapping;
  }

  /** A custom-field key: [a-z][a-z0-9_]*, at most 40 characters, not used by an earlier column. */
  private static String uniqueKey(String header, int index, Set<String> taken) {
    String base = slug(header.startsWith("fields.") ? header.substring("fields.".length()) : header);
    if (base.isEmpty()) base = "column_" + (index + 1);
    String key = base;
    for (int n = 2; !taken.add("field:" + key); n++) {
      String suffix = "_" + n;
      key = trimUnderscores(base.substring(0, Math.min(base.length(), MAX_KEY_LENGTH - suffix.length()))) + suffix;
    }
    return key;
  }

  /** "Geburtsdatum (TT.MM.JJJJ)" → "geburtsdatum_tt_mm_jjjj"; "2nd phone" → "f_2nd_phone". */
  static String slug(String text) {
    String s = NOT_SLUG.matcher(foldAccents(text).toLowerCase(Locale.ROOT)).replaceAll("_");
    s = trimUnderscores(s);
    if (!s.isEmpty() && !Character.isLetter(s.charAt(0))) s = "f_" + s;
    return trimUnderscores(s.substring(0, Math.min(s.length(), MAX_KEY_LENGTH)));
  }

  private static String compact(String header) {
    return foldAccents(header).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
  }

  /** "Prénom" → "Prenom", "Müller" → "Muller", so accented headings match and slugs stay ASCII. */
  private static String foldAccents(String text) {
    return MARKS.matcher(Normalizer.normalize(text.replace("ß", "ss"), Normalizer.Form.NFD)).replaceAll("");
  }

  private static String trimUnderscores(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && s.charAt(start) == '_') start++;
    while (end > start && s.charAt(end - 1) == '_') end--;
    return s.substring(start, end);
  }

  private static Map<String, String> targets(String... targetAndHeaders) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < targetAndHeaders.length; i += 2) {
      for (String header : targetAndHeaders[i + 1].split(" ")) map.put(header.replace("_", ""), targetAndHeaders[i]);
    }
    return Map.copyOf(map);
  }
}
