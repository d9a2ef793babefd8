package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Column mapping suggestions. */
class SubscriberFileMappingTest {
  static Map<String, String> suggest(String... headers) {
    return SubscriberFileReader.suggestMapping(List.of(headers));
  }

  @Test
  void mailchimp_layout_maps_completely() {
    Map<String, String> mapping = suggest("Email Address", "First Name", "Last Name", "MEMBER_RATING", "OPTIN_TIME",
        "OPTIN_IP", "CONFIRM_TIME", "CONFIRM_IP", "LATITUDE", "LONGITUDE", "GMTOFF", "DSTOFF", "TIMEZONE", "CC", "REGION",
        "LAST_CHANGED", "LEID", "EUID", "NOTES", "CLEAN_TIME", "CLEAN_CAMPAIGN_TITLE", "CLEAN_CAMPAIGN_ID", "UNSUB_TIME",
        "UNSUB_CAMPAIGN_TITLE", "UNSUB_CAMPAIGN_ID", "UNSUB_REASON", "UNSUB_REASON_OTHER", "TAGS");
    assertThat(mapping).containsExactly(
        Map.entry("Email Address", "email"), Map.entry("First Name", "first_name"), Map.entry("Last Name", "last_name"),
        Map.entry("MEMBER_RATING", "ignore"), Map.entry("OPTIN_TIME", "optin_time"), Map.entry("OPTIN_IP", "optin_ip"),
        Map.entry("CONFIRM_TIME", "confirm_time"), Map.entry("CONFIRM_IP", "confirm_ip"), Map.entry("LATITUDE", "ignore"),
        Map.entry("LONGITUDE", "ignore"), Map.entry("GMTOFF", "ignore"), Map.entry("DSTOFF", "ignore"),
        Map.entry("TIMEZONE", "ignore"), Map.entry("CC", "ignore"), Map.entry("REGION", "ignore"),
        Map.entry("LAST_CHANGED", "ignore"), Map.entry("LEID", "ignore"), Map.entry("EUID", "ignore"),
        Map.entry("NOTES", "ignore"), Map.entry("CLEAN_TIME", "bounced_at"), Map.entry("CLEAN_CAMPAIGN_TITLE", "ignore"),
        Map.entry("CLEAN_CAMPAIGN_ID", "ignore"), Map.entry("UNSUB_TIME", "unsubscribed_at"),
        Map.entry("UNSUB_CAMPAIGN_TITLE", "ignore"), Map.entry("UNSUB_CAMPAIGN_ID", "ignore"),
        Map.entry("UNSUB_REASON", "ignore"), Map.entry("UNSUB_REASON_OTHER", "ignore"), Map.entry("TAGS", "tags"));
  }

  @Test
  void common_email_and_name_spellings() {
    for (String email : List.of("email", "E-Mail", "e-mail address", "Email", "mail", "EMAIL", "E-Mail-Adresse", "Courriel")) {
      assertThat(suggest(email)).as(email).containsEntry(email, "email");
    }
    assertThat(suggest("Name")).containsEntry("Name", "name");
    assertThat(suggest("Full name")).containsEntry("Full name", "name");
    assertThat(suggest("FNAME", "LNAME")).containsEntry("FNAME", "first_name").containsEntry("LNAME", "last_name");
    assertThat(suggest("Prénom", "Nom")).containsEntry("Prénom", "first_name").containsEntry("Nom", "last_name");
  }

  @Test
  void german_headers() {
    assertThat(suggest("E-Mail", "Vorname", "Nachname", "Anrede", "Geburtsdatum (TT.MM.JJJJ)", "Straße"))
        .containsExactly(Map.entry("E-Mail", "email"), Map.entry("Vorname", "first_name"),
            Map.entry("Nachname", "last_name"), Map.entry("Anrede", "field:anrede"),
            Map.entry("Geburtsdatum (TT.MM.JJJJ)", "field:geburtsdatum_tt_mm_jjjj"), Map.entry("Straße", "field:strasse"));
  }

  @Test
  void other_columns_become_custom_fields_with_valid_unique_keys() {
    Map<String, String> mapping = suggest("email", "Company", "2nd Phone", "   ", "★", "Region", "Notes",
        "A very long column heading that goes on and on beyond forty characters", "company!", "Email");
    assertThat(mapping).containsEntry("Company", "field:company")
        .containsEntry("2nd Phone", "field:f_2nd_phone")
        .containsEntry("", "ignore")
        .containsEntry("★", "field:column_5")
        .containsEntry("Region", "field:region") // only Mailchimp's upper-case REGION is bookkeeping
        .containsEntry("Notes", "field:notes")
        .containsEntry("company!", "field:company_2")
        .containsEntry("Email", "field:email"); // the first email column wins
    String longKey = mapping.get("A very long column heading that goes on and on beyond forty characters");
    assertThat(longKey).isEqualTo("field:a_very_long_column_heading_that_goes_on");
    assertThat(mapping.values()).filteredOn(t -> t.startsWith("field:"))
        .allSatisfy(t -> assertThat(t.substring(6)).matches("[a-z][a-z0-9_]{0,39}"));
  }

  /** Regression: re-importing Herald's CSV export made eleven custom fields of its own columns. */
  @Test
  void heralds_export_maps_its_own_columns_and_keeps_custom_fields() {
    assertThat(suggest("email", "name", "tags", "created_at", "source", "city", "fields.status", "status", "subscribed_at",
        "confirmed_at", "unsubscribed_at", "consent_given_at", "consent_channel", "consent_basis", "consent_ip",
        "consent_confirmed_at", "consent_withdrawn_at", "consent_text")).containsExactly(
        Map.entry("email", "email"), Map.entry("name", "name"), Map.entry("tags", "tags"), Map.entry("created_at", "ignore"),
        Map.entry("source", "ignore"), Map.entry("city", "field:city"), Map.entry("fields.status", "field:status"),
        Map.entry("status", "status"), Map.entry("subscribed_at", "ignore"), Map.entry("confirmed_at", "ignore"),
        Map.entry("unsubscribed_at", "ignore"), Map.entry("consent_given_at", "optin_time"), Map.entry("consent_channel", "ignore"),
        Map.entry("consent_basis", "ignore"), Map.entry("consent_ip", "optin_ip"), Map.entry("consent_confirmed_at", "confirm_time"),
        Map.entry("consent_withdrawn_at", "ignore"), Map.entry("consent_text", "ignore"));
  }

  @Test
  void a_state_column_of_an_address_is_not_taken_for_kits_subscriber_state() {
    assertThat(suggest("Email", "first_name", "state")).containsEntry("state", "field:state");
    assertThat(ImportLayouts.recognize(List.of("Email", "first_name", "state")).recognized()).isFalse();
  }

  @Test
  void status_cells_name_one_state_or_each_lists_and_columns_combine_to_the_stricter() {
    var words = ImportLayouts.COMMON_STATUS_WORDS;
    assertThat(ImportLayouts.status(List.of("Active"), words)).isEqualTo(SubscriptionStatus.SUBSCRIBED);
    assertThat(ImportLayouts.status(List.of("needs approval"), words)).isEqualTo(SubscriptionStatus.UNCONFIRMED);
    assertThat(ImportLayouts.status(List.of(""), words)).as("blank: the import's own choice").isNull();
    assertThat(ImportLayouts.status(List.of("unsubscribed", "subscribed"), words)).as("subscribed to one list").isEqualTo(SubscriptionStatus.SUBSCRIBED);
    assertThat(ImportLayouts.status(List.of("subscribed", "bounced"), words)).as("the address bounces").isEqualTo(SubscriptionStatus.BOUNCED);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ImportLayouts.status(List.of("gold"), words))
        .isInstanceOf(ImportLayouts.UnknownStatus.class).hasMessage("gold");
    assertThat(ImportLayouts.stricter(SubscriptionStatus.SUBSCRIBED, SubscriptionStatus.UNSUBSCRIBED)).isEqualTo(SubscriptionStatus.UNSUBSCRIBED);
    assertThat(ImportLayouts.stricter(SubscriptionStatus.UNCONFIRMED, null)).isEqualTo(SubscriptionStatus.UNCONFIRMED);
    assertThat(ImportLayouts.stricter(SubscriptionStatus.BOUNCED, SubscriptionStatus.COMPLAINED)).isEqualTo(SubscriptionStatus.COMPLAINED);
  }
}
