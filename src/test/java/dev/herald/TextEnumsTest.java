package dev.herald;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import dev.herald.audiences.Consent;
import dev.herald.audiences.ConsentChannel;
import dev.herald.audiences.ListVisibility;
import dev.herald.audiences.MailingLists;
import dev.herald.audiences.OptIn;
import dev.herald.audiences.Subscribers;
import dev.herald.audiences.SubscriptionStatus;
import dev.herald.domains.DkimAlgorithm;
import dev.herald.domains.KeyStatus;
import dev.herald.domains.RecordState;
import dev.herald.mail.EmailAddress;
import dev.herald.platform.Refused;
import dev.herald.platform.TextEnum;
import dev.herald.suppression.SuppressionKind;
import dev.herald.suppression.SuppressionReason;
import dev.herald.suppression.SuppressionScope;
import dev.herald.suppression.Suppressions;
import dev.herald.tenancy.TestOrganizations;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.web.servlet.MockMvc;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The closed sets kept as text (statuses, reasons, channels...): each enum is exactly what the column's
 * check constraint allows, every value comes back from the database as the constant that went in, and
 * JSON carries the same text.
 */
@SpringBootTest
@AutoConfigureMockMvc
@Import(TestOrganizations.class)
class TextEnumsTest {
  @Autowired MockMvc mvc;
  @Autowired JdbcClient jdbc;
  @Autowired ObjectMapper json;
  @Autowired TestOrganizations organizations;
  @Autowired MailingLists lists;
  @Autowired Subscribers subscribers;
  @Autowired Consent consent;
  @Autowired Suppressions suppressions;

  long org;
  static int counter;

  @BeforeEach
  void organization() {
    org = organizations.create("Text Enums " + (++counter), "lists:read").id();
  }

  /** The texts a check constraint on {@code table} allows in {@code column} (its {@code column = ANY (ARRAY[...])}). */
  List<String> allowed(String table, String column) {
    List<String> definitions = jdbc.sql("""
        select pg_get_constraintdef(c.oid) from pg_constraint c join pg_class t on t.oid = c.conrelid
        where t.relname = ? and c.contype = 'c'""").param(table).query(String.class).list();
    List<String> texts = new ArrayList<>();
    for (String d : definitions) {
      if (!d.contains("(" + column + " = ANY (ARRAY[")) continue;
      Matcher m = Pattern.compile("'([^']*)'::text").matcher(d);
      while (m.find()) texts.add(m.group(1));
    }
    return texts;
  }

  static <E extends Enum<E> & TextEnum> Set<String> texts(Class<E> type) {
    return Arrays.stream(type.getEnumConstants()).map(TextEnum::text).collect(Collectors.toSet());
  }

  /** Every TextEnum stored in a column with a check constraint: its class name → table.column. */
  static final java.util.Map<String, String> COLUMNS = java.util.Map.ofEntries(
      java.util.Map.entry("dev.herald.audiences.SubscriptionStatus", "subscription.status"),
      java.util.Map.entry("dev.herald.platform.personaldata.RetentionCategory", "retention_schedule.category"),
      java.util.Map.entry("dev.herald.privacy.RetentionRunStatus", "retention_run.status"),
      java.util.Map.entry("dev.herald.reports.SnapshotStatus", "campaign_report_snapshot.status"),
      java.util.Map.entry("dev.herald.content.TemplateKind", "template.kind"),
      java.util.Map.entry("dev.herald.content.ContentFormat", "template.format"),
      java.util.Map.entry("dev.herald.content.MediaFormat", "media.content_type"),
      java.util.Map.entry("dev.herald.audiences.ConsentChannel", "consent_record.channel"),
      java.util.Map.entry("dev.herald.audiences.ListVisibility", "mailing_list.visibility"),
      java.util.Map.entry("dev.herald.audiences.OptIn", "mailing_list.optin"),
      java.util.Map.entry("dev.herald.suppression.SuppressionReason", "suppression.reason"),
      java.util.Map.entry("dev.herald.suppression.RestrictionKind", "suppression_restriction.kind"),
      java.util.Map.entry("dev.herald.audiences.ImportStatus", "import_job.status"),
      java.util.Map.entry("dev.herald.audiences.ImportStep", "import_step.step"),
      java.util.Map.entry("dev.herald.domains.DkimAlgorithm", "dkim_key.algorithm"),
      java.util.Map.entry("dev.herald.domains.DkimSignatures", "sending_domain.dkim_signatures"),
      java.util.Map.entry("dev.herald.domains.KeyStatus", "dkim_key.status"),
      java.util.Map.entry("dev.herald.domains.RecordState", "domain_record_check.state"),
      java.util.Map.entry("dev.herald.privacy.JobStatus", "organization_export.status"),
      java.util.Map.entry("dev.herald.delivery.RecipientState", "outbound_recipient.state"),
      java.util.Map.entry("dev.herald.delivery.RecipientKind", "outbound_recipient.kind"),
      java.util.Map.entry("dev.herald.delivery.MessageSourceKind", "outbound_message.source"),
      java.util.Map.entry("dev.herald.delivery.AttemptOutcome", "outbound_attempt.outcome"),
      java.util.Map.entry("dev.herald.delivery.ServerTls", "delivery_server.tls_mode"),
      java.util.Map.entry("dev.herald.delivery.DeliveryMode", "delivery_setting.mode"),
      java.util.Map.entry("dev.herald.campaigns.CampaignState", "campaign.state"),
      java.util.Map.entry("dev.herald.campaigns.ThrottleUnit", "campaign.throttle_unit"),
      java.util.Map.entry("dev.herald.campaigns.LedgerState", "campaign_recipient.state"),
      java.util.Map.entry("dev.herald.tracking.EventKind", "tracking_event.kind"),
      java.util.Map.entry("dev.herald.tracking.MachineReason", "tracking_event.machine_reason"),
      java.util.Map.entry("dev.herald.tracking.TrackingMode", "tracking_privacy.mode"),
      java.util.Map.entry("dev.herald.tracking.IpStorage", "tracking_privacy.ip"),
      java.util.Map.entry("dev.herald.feedback.FeedbackClass", "feedback_event.feedback_class"),
      java.util.Map.entry("dev.herald.feedback.FeedbackSource", "feedback_event.source"),
      java.util.Map.entry("dev.herald.feedback.FeedbackAction", "feedback_event.action"),
      java.util.Map.entry("dev.herald.feedback.MailboxProtocol", "feedback_mailbox.protocol"),
      java.util.Map.entry("dev.herald.feedback.MailboxTls", "feedback_mailbox.tls"),
      java.util.Map.entry("dev.herald.feedback.AfterProcessing", "feedback_mailbox.after_processing"),
      java.util.Map.entry("dev.herald.feedback.AlertLevel", "sender_alert.level"),
      java.util.Map.entry("dev.herald.feedback.SenderMetric", "sender_alert.metric"),
      java.util.Map.entry("dev.herald.platform.personaldata.PersonalDataCategory", "breach_incident_category.category"),
      java.util.Map.entry("dev.herald.privacy.RequestType", "privacy_request.type"),
      java.util.Map.entry("dev.herald.privacy.RequestStatus", "privacy_request.status"),
      java.util.Map.entry("dev.herald.privacy.RequestChannel", "privacy_request.channel"),
      java.util.Map.entry("dev.herald.privacy.RequestAction", "privacy_request_step.action"));

  /** Every other TextEnum, with why no check constraint pins it. */
  static final java.util.Map<String, String> NOT_PINNED = java.util.Map.ofEntries(
      java.util.Map.entry("dev.herald.platform.personaldata.DataSubjectKind", "not stored: declared in code by each capability's PersonalDataHolder"),
      java.util.Map.entry("dev.herald.platform.personaldata.ErasureTreatment", "not stored: declared in code by each capability's PersonalDataHolder"),
      java.util.Map.entry("dev.herald.audiences.SegmentCondition$Type", "not stored in a column: inside segment.conditions' JSON"),
      java.util.Map.entry("dev.herald.audiences.SegmentCondition$Op", "not stored in a column: inside segment.conditions' JSON"),
      java.util.Map.entry("dev.herald.audiences.SegmentMatch", "not stored in a column: inside segment.conditions' JSON"),
      java.util.Map.entry("dev.herald.suppression.SuppressionKind", "not stored: derived from which suppression columns are set"),
      java.util.Map.entry("dev.herald.suppression.SuppressionScope", "not stored: derived from whether organization_id is null"),
      java.util.Map.entry("dev.herald.delivery.DeliverySettings$SystemMailPath", "not stored: derived from the delivery mode and the system sender's domain"),
      java.util.Map.entry("dev.herald.feedback.FeedbackReason", "stored in feedback_event.reason without a check: the taxonomy grows with the classifier, and old rows keep their reason"),
      java.util.Map.entry("dev.herald.feedback.ParsedFeedback$Kind", "not stored: what the parser read an inbound message as"),
      java.util.Map.entry("dev.herald.reports.DeliverabilityState", "not stored: the deliverability panel's judgement, made on each request"));

  /** Every enum in dev.herald implementing TextEnum, found on the classpath. */
  static Set<String> textEnums() {
    var scanner = new org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider(false) {
      @Override
      protected boolean isCandidateComponent(org.springframework.beans.factory.annotation.AnnotatedBeanDefinition definition) {
        return definition.getMetadata().isIndependent(); // enums, nested ones too; the filter below picks TextEnums
      }
    };
    scanner.addIncludeFilter(new org.springframework.core.type.filter.AssignableTypeFilter(TextEnum.class));
    return scanner.findCandidateComponents("dev.herald").stream().map(d -> d.getBeanClassName())
        .filter(name -> {
          try {
            return Class.forName(name).isEnum();
          } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
          }
        }).collect(Collectors.toSet());
  }

  @Test
  void every_text_enum_is_pinned_to_its_column_or_says_why_not() throws Exception {
    Set<String> found = textEnums();
    assertThat(found).as("the scan finds the enums it must").contains("dev.herald.audiences.ImportStatus", "dev.herald.audiences.SegmentCondition$Op");
    Set<String> declared = new java.util.HashSet<>(COLUMNS.keySet());
    declared.addAll(NOT_PINNED.keySet());
    assertThat(declared).as("a TextEnum with no column mapping in COLUMNS or reason in NOT_PINNED").containsAll(found);
    for (var e : COLUMNS.entrySet()) {
      String[] column = e.getValue().split("\\.");
      Set<String> texts = Arrays.stream(Class.forName(e.getKey()).getEnumConstants()).map(c -> ((TextEnum) c).text())
          .collect(Collectors.toSet());
      assertThat(allowed(column[0], column[1])).as(e.getKey() + " ↔ " + e.getValue()).containsExactlyInAnyOrderElementsOf(texts);
    }
  }

  @Test
  void each_stored_enum_is_exactly_what_its_columns_check_constraint_allows() {
    assertThat(allowed("subscription", "status")).containsExactlyInAnyOrderElementsOf(texts(SubscriptionStatus.class));
    assertThat(allowed("consent_record", "channel")).containsExactlyInAnyOrderElementsOf(texts(ConsentChannel.class));
    assertThat(allowed("mailing_list", "visibility")).containsExactlyInAnyOrderElementsOf(texts(ListVisibility.class));
    assertThat(allowed("mailing_list", "optin")).containsExactlyInAnyOrderElementsOf(texts(OptIn.class));
    assertThat(allowed("suppression", "reason")).containsExactlyInAnyOrderElementsOf(texts(SuppressionReason.class));
    // An import's "import as" is a status a client may ask for: never one that delivery feedback sets.
    assertThat(allowed("import_job", "import_as")).containsExactlyInAnyOrder(
        Arrays.stream(SubscriptionStatus.values()).filter(s -> !s.blocked()).map(SubscriptionStatus::text).toArray(String[]::new));
  }

  @Test
  void the_database_refuses_a_text_that_is_no_value() {
    long list = lists.create(org, new MailingLists.ListForm("News", null, null, null, null, null, null)).id();
    long id = subscribers.addToLists(org, new Subscribers.Input("ann@example.com", null, null, null), List.of(list),
        SubscriptionStatus.SUBSCRIBED, Consent.Evidence.panel("owner@test", "test", "127.0.0.1"), "test");
    assertThatThrownBy(() -> jdbc.sql("update subscription set status = 'Subscribed' where subscriber_id = ?").param(id).update())
        .isInstanceOf(DataIntegrityViolationException.class);
    assertThatThrownBy(() -> jdbc.sql("update mailing_list set optin = 'triple' where id = ?").param(list).update())
        .isInstanceOf(DataIntegrityViolationException.class);
    long entry = suppressions.add(org, new Suppressions.NewEntry("bob@example.com", null, null, null, null), "test").entry().id();
    assertThatThrownBy(() -> jdbc.sql("update suppression set reason = 'bored' where id = ?").param(entry).update())
        .isInstanceOf(DataIntegrityViolationException.class);
  }

  @Test
  void every_subscription_status_and_channel_comes_back_from_the_database_as_it_went_in() {
    for (ListVisibility visibility : ListVisibility.values()) {
      for (OptIn optin : OptIn.values()) {
        MailingLists.MailingList created = lists.create(org, new MailingLists.ListForm(visibility + " " + optin, null, visibility.text(),
            optin.text(), null, null, null));
        MailingLists.MailingList read = lists.find(org, created.id()).orElseThrow();
        assertThat(read.visibility()).isEqualTo(visibility);
        assertThat(read.optin()).isEqualTo(optin);
        assertThat(read.counts().keySet())
            .containsExactly(Arrays.stream(SubscriptionStatus.values()).map(SubscriptionStatus::text).toArray(String[]::new));
      }
    }

    long list = lists.create(org, new MailingLists.ListForm("Statuses", null, null, "single", null, null, null)).id();
    long id = subscribers.upsert(org, new Subscribers.Input("ann@example.com", null, null, null), "test");
    for (ConsentChannel channel : ConsentChannel.values()) {
      subscribers.subscribe(org, id, list, SubscriptionStatus.SUBSCRIBED,
          new Consent.Evidence(channel, "test", null, "test", "127.0.0.1", null));
    }
    assertThat(consent.of(org, id)).extracting(Consent.ConsentRecord::channel).containsExactlyInAnyOrder(ConsentChannel.values());

    // Bounced and complained come from delivery feedback, which has no service yet: set in the table.
    for (SubscriptionStatus status : SubscriptionStatus.values()) {
      jdbc.sql("update subscription set status = ? where subscriber_id = ?").params(status.text(), id).update();
      assertThat(subscribers.find(org, id).orElseThrow().lists()).extracting(Subscribers.Membership::status).containsExactly(status);
      assertThat(lists.find(org, list).orElseThrow().counts()).containsEntry(status.text(), 1L);
    }
  }

  @Test
  void every_suppression_reason_comes_back_from_the_database_as_it_went_in() {
    for (SuppressionReason reason : SuppressionReason.GIVEN) {
      Suppressions.Entry entry = suppressions.add(org, new Suppressions.NewEntry(reason.text() + "@example.com", null, reason, null, null),
          "test").entry();
      assertThat(entry.reason()).isEqualTo(reason);
      assertThat(entry.kind()).isEqualTo(SuppressionKind.ADDRESS);
    }
    assertThat(suppressions.add(null, new Suppressions.NewEntry(null, "example.net", null, null, null), "test").entry())
        .extracting(Suppressions.Entry::reason, Suppressions.Entry::kind).containsExactly(SuppressionReason.MANUAL, SuppressionKind.DOMAIN);

    long id = subscribers.upsert(org, new Subscribers.Input("cy@example.net", null, null, null), "test");
    subscribers.erase(org, id);
    String key = ((EmailAddress.Valid) EmailAddress.parse("cy@example.net")).address().key();
    assertThat(suppressions.check(org, key))
        .extracting(Suppressions.Match::scope, Suppressions.Match::kind, Suppressions.Match::reason)
        .containsExactly(
            tuple(SuppressionScope.ORGANIZATION, SuppressionKind.ERASED, SuppressionReason.ERASED),
            tuple(SuppressionScope.INSTALLATION, SuppressionKind.DOMAIN, SuppressionReason.MANUAL));
  }

  @Test
  void json_carries_the_stored_text_both_ways() {
    List<Enum<?>> all = new ArrayList<>();
    for (Class<? extends Enum<?>> type : List.of(SubscriptionStatus.class, ConsentChannel.class, ListVisibility.class, OptIn.class,
        SuppressionReason.class, SuppressionKind.class, SuppressionScope.class, DkimAlgorithm.class, KeyStatus.class, RecordState.class)) {
      all.addAll(Arrays.asList(type.getEnumConstants()));
    }
    for (Enum<?> constant : all) {
      String text = ((TextEnum) constant).text();
      assertThat(json.writeValueAsString(constant)).isEqualTo("\"" + text + "\"");
      assertThat(json.readValue("\"" + text + "\"", constant.getDeclaringClass())).isSameAs(constant);
      assertThat(constant.toString()).as("pages and messages show the text").isEqualTo(text);
    }
  }

  @Test
  void a_clients_text_is_parsed_or_refused_naming_the_field_and_the_values() {
    assertThat(TextEnum.parse(SubscriptionStatus.class, "status", " unconfirmed ")).isEqualTo(SubscriptionStatus.UNCONFIRMED);
    assertThat(TextEnum.parse(SubscriptionStatus.class, "status", "")).as("blank: the caller's default").isNull();
    assertThatThrownBy(() -> TextEnum.parse(SuppressionReason.class, "entries[2].reason", "HARD_BOUNCE"))
        .isInstanceOfSatisfying(Refused.class, r -> {
          assertThat(r.field()).isEqualTo("entries[2].reason");
          assertThat(r.getMessage()).isEqualTo("entries[2].reason is one of manual, hard_bounce, complaint, unsubscribe, erased.");
        });
    assertThatThrownBy(() -> TextEnum.fromText(SubscriptionStatus.class, "gone")).as("a bad text in the database is a bug, not a refusal")
        .isInstanceOf(IllegalArgumentException.class);
  }

  static List<String> values(JsonNode schema) {
    List<String> out = new ArrayList<>();
    schema.get("enum").forEach(v -> out.add(v.asString()));
    return out;
  }

  @Test
  void the_openapi_document_lists_the_values_of_each_enum_in_requests_and_responses() throws Exception {
    JsonNode doc = json.readTree(mvc.perform(get("/api/openapi.json")).andReturn().getResponse().getContentAsString());
    JsonNode schemas = doc.get("components").get("schemas");
    String[] statuses = {"unconfirmed", "subscribed", "unsubscribed", "bounced", "complained"};
    assertThat(values(schemas.get("Membership").get("properties").get("status"))).containsExactly(statuses);
    assertThat(values(schemas.get("SubscriberRequest").get("properties").get("status"))).containsExactly(statuses);
    JsonNode search = doc.get("paths").get("/api/v1/orgs/{org}/subscribers").get("get").get("parameters");
    JsonNode statusParameter = null;
    for (JsonNode p : search) if (p.get("name").asString().equals("status")) statusParameter = p;
    assertThat(values(statusParameter.get("schema"))).containsExactly(statuses);
    assertThat(values(schemas.get("ListForm").get("properties").get("visibility"))).containsExactly("public", "private");
    assertThat(values(schemas.get("MailingList").get("properties").get("optin"))).containsExactly("single", "double");
    assertThat(values(schemas.get("ConsentRecord").get("properties").get("channel"))).containsExactly("form", "import", "api", "panel");
    String[] reasons = {"manual", "hard_bounce", "complaint", "unsubscribe", "erased"};
    assertThat(values(schemas.get("EntryRequest").get("properties").get("reason"))).containsExactly(reasons);
    assertThat(values(schemas.get("Entry").get("properties").get("reason"))).containsExactly(reasons);
    assertThat(values(schemas.get("Entry").get("properties").get("kind"))).containsExactly("address", "domain", "erased");
    assertThat(values(schemas.get("Match").get("properties").get("scope"))).containsExactly("organization", "installation");
  }
}
