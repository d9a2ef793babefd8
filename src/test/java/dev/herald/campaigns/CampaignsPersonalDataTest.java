package dev.herald.campaigns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.audiences.Subscribers;
import dev.herald.audiences.SubscriptionStatus;
import dev.herald.delivery.PersonalDataScan;
import dev.herald.mail.AddressDigest;
import dev.herald.platform.personaldata.DataSubject;
import dev.herald.platform.personaldata.PersonalDataHolder;
import dev.herald.platform.personaldata.RetentionCategory;
import dev.herald.reports.CampaignReport;
import dev.herald.reports.CampaignReports;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.SmtpSink;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Campaigns' part of the personal-data map, on a campaign really sent: scheduled, started and handed off by the worker,
 * delivered by the MTA to Postfix's smtp-sink. Access exports the person's ledger row with the campaign, the time it was
 * handed off and their forwards; erasure (campaigns, then delivery, then audiences, as privacy calls them) leaves nothing
 * naming the person in the ledger or the queue, another recipient's rows as they were, and the campaign's report
 * figures unchanged; a row still pending is skipped, never handed off.
 */
@SpringBootTest(properties = {"herald.roles=web,delivery,worker", "herald.delivery.worker.poll=50ms", "herald.delivery.route=static",
    "herald.campaigns.poll=100ms", "herald.sending.tracking-host=t.herald.test"})
@Import({TestOrganizations.class, CampaignFixtures.class})
class CampaignsPersonalDataTest {
  static SmtpSink sink;

  @DynamicPropertySource
  static void peers(DynamicPropertyRegistry registry) throws Exception {
    sink = SmtpSink.forStaticRoute(registry);
  }

  @AfterAll
  static void stopSink() throws Exception {
    sink.close();
  }

  @Autowired List<PersonalDataHolder> holders;
  @Autowired CampaignFixtures fixtures;
  @Autowired Campaigns campaigns;
  @Autowired CampaignReports reports;
  @Autowired Subscribers subscribers;
  @Autowired JdbcClient jdbc;

  static final String ANN = "Ann.Reader@One.example";
  static final String ANN_KEY = "ann.reader@one.example";

  PersonalDataHolder holder(String capability) {
    return holders.stream().filter(h -> h.capability().equals(capability)).findFirst().orElseThrow();
  }

  @Test
  void the_declarations_cover_every_text_column_of_every_campaigns_table() {
    PersonalDataScan.assertDeclaredAsMigrated(jdbc, holder("campaigns"));
    assertThat(holder("campaigns").tables()).extracting(t -> t.table()).containsExactly("campaign", "campaign_audience",
        "campaign_recipient", "campaign_send", "campaign_forward", "campaign_forward_by_recipient");
    for (RetentionCategory c : RetentionCategory.values()) {
      assertThat(holder("campaigns").purge(c, null, Instant.now(), 10)).as("the ledger lives with the account").isZero();
    }
  }

  @Test
  void a_sent_campaigns_recipient_is_exported_and_erased_and_its_report_keeps_every_figure() throws Exception {
    CampaignFixtures.Org org = fixtures.organization();
    long list = fixtures.list(org, "Readers");
    long ann = fixtures.subscriber(org, ANN, SubscriptionStatus.SUBSCRIBED, list);
    long bob = fixtures.subscriber(org, "bob@two.example", SubscriptionStatus.SUBSCRIBED, list);
    Campaign c = campaigns.create(org.id(), new CampaignForm("Spring", List.of(), "Spring for {{ subscriber.email }}", "", org.from(),
        "Shop", "", null, "<p>Hello {{ subscriber.email }}, <a href=\"https://shop.example/spring\">spring</a></p>", "html", true, true,
        CampaignFixtures.lists(list)));
    campaigns.schedule(org.id(), c.id(), null, null);
    waitFor("both delivered", () -> jdbc.sql("""
        select count(*) from outbound_recipient r join campaign c on c.message_id = r.message_id where c.id = ? and r.state = 'delivered'""")
        .param(c.id()).query(Long.class).single() == 2);
    assertThat(sink.captured()).as("the sink got her copy").anySatisfy(d -> assertThat(d.recipients().toString()).containsIgnoringCase(ANN));
    long annRow = jdbc.sql("select id from campaign_recipient where campaign_id = ? and subscriber_id = ?").params(c.id(), ann)
        .query(Long.class).single();
    // she forwarded it twice (what campaigns.Forwards counts per ledger row)
    jdbc.sql("insert into campaign_forward_by_recipient (ledger_id, forwards) values (?, 2)").param(annRow).update();
    // the report of the finished campaign (its state and finish time are figures of the report too)
    waitFor("the campaign finished", () -> jdbc.sql("select state from campaign where id = ?").param(c.id()).query(String.class).single()
        .equals("finished"));
    CampaignReport before = reports.of(org.id(), c.id());
    DataSubject person = new DataSubject(org.id(), ANN, ANN_KEY, AddressDigest.of(ANN_KEY), List.of(ann));

    PersonalDataScan.Archive archive = new PersonalDataScan.Archive();
    holder("campaigns").export(person, archive);
    holder("delivery").export(person, archive);
    assertThat(archive.sections.get("campaigns")).singleElement().satisfies(r -> {
      assertThat(r).containsEntry("campaign", c.id()).containsEntry("name", "Spring").containsEntry("state", "handed_off")
          .containsEntry("list", list).containsEntry("forwards", 2).containsEntry("from", org.from());
      assertThat(r.get("address").toString()).isEqualToIgnoringCase(ANN);
      assertThat(r.get("sent")).isInstanceOf(Instant.class);
      assertThat(r.get("message")).isEqualTo(jdbc.sql("select message_id from campaign where id = ?").param(c.id()).query(Long.class).single());
    });
    assertThat(archive.sections.get("messages")).singleElement()
        .satisfies(r -> assertThat(r).containsEntry("state", "delivered").containsEntry("source", "campaign")
            .containsEntry("message", archive.sections.get("campaigns").getFirst().get("message")));
    assertThat(archive.sections.get("delivery attempts")).singleElement().satisfies(r -> assertThat(r).containsEntry("outcome", "delivered"));

    Map<String, String> scopes = Map.of("campaign_recipient", "campaign_id = " + c.id(),
        "outbound_message", "organization_id = " + org.id(), "outbound_recipient", "organization_id = " + org.id(),
        "outbound_attempt", "organization_id = " + org.id(), "sandbox_message", "organization_id = " + org.id(),
        "outbound_link", "message_id in (select id from outbound_message where organization_id = " + org.id() + ")");
    assertThat(PersonalDataScan.mentions(jdbc, holder("campaigns"), person, scopes)).isNotEmpty();
    // as privacy calls them: the rightmost first; then audiences forgets the subscriber (its event finds no ledger row)
    assertThat(holder("campaigns").erase(person).anonymized()).containsEntry("campaign_recipient", 1);
    assertThat(holder("delivery").erase(person).anonymized()).containsEntry("outbound_recipient", 1);
    assertThat(subscribers.erase(org.id(), ann)).isTrue();

    for (String capability : List.of("campaigns", "delivery")) {
      assertThat(PersonalDataScan.mentions(jdbc, holder(capability), person, scopes)).as("what %s still holds of Ann", capability).isEmpty();
    }
    assertThat(reports.of(org.id(), c.id())).usingRecursiveComparison().ignoringFields("generatedAt").isEqualTo(before);
    assertThat(jdbc.sql("select count(*) from campaign_recipient where campaign_id = ?").param(c.id()).query(Long.class).single())
        .as("the ledger keeps her row, anonymized").isEqualTo(2);
    assertThat(jdbc.sql("select subscriber_id is null and address = '' and state = 'handed_off' from campaign_recipient where id = ?")
        .param(annRow).query(Boolean.class).single()).isTrue();
    assertThat(jdbc.sql("select address from campaign_recipient where campaign_id = ? and subscriber_id = ?").params(c.id(), bob)
        .query(String.class).single()).isEqualTo("bob@two.example");
    assertThat(jdbc.sql("""
        select r.address || ' ' || r.state from outbound_recipient r join campaign c on c.message_id = r.message_id
        where c.id = ? and r.address <> ''""").param(c.id()).query(String.class).list()).containsExactly("bob@two.example delivered");
    PersonalDataScan.Archive after = new PersonalDataScan.Archive();
    holder("campaigns").export(person, after);
    assertThat(after.sections.get("campaigns")).isEmpty();
  }

  @Test
  void a_ledger_row_not_yet_handed_off_is_skipped_as_erased() {
    CampaignFixtures.Org org = fixtures.organization();
    long list = fixtures.list(org, "Later");
    long ann = fixtures.subscriber(org, ANN, SubscriptionStatus.SUBSCRIBED, list);
    Campaign c = campaigns.create(org.id(), fixtures.form(org, "Later", CampaignFixtures.lists(list)));
    // its ledger fixed, not handed off yet (the starter's pending row)
    jdbc.sql("""
        insert into campaign_recipient (campaign_id, subscriber_id, list_id, address, address_key) values (?, ?, ?, ?, ?)""")
        .params(c.id(), ann, list, ANN, ANN_KEY).update();
    holder("campaigns").erase(new DataSubject(org.id(), ANN, ANN_KEY, AddressDigest.of(ANN_KEY), List.of(ann)));
    assertThat(jdbc.sql("select state || ' ' || reason || ' ' || address_key from campaign_recipient where campaign_id = ?")
        .param(c.id()).query(String.class).single()).matches("skipped erased erased:\\d+");
  }

  static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(50);
    }
  }
}
