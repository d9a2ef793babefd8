package dev.herald.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.mail.AddressDigest;
import dev.herald.platform.personaldata.DataSubject;
import dev.herald.platform.personaldata.PersonalDataHolder;
import dev.herald.platform.personaldata.RetentionCategory;
import dev.herald.testsupport.MutableClock;
import dev.herald.testsupport.TestClock;
import java.time.Duration;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The platform's part of the personal-data map: an erasure deletes the organization's events still waiting for a
 * listener (or archived) that name the person, and nothing else; there is nothing to export; public pages' attempts are
 * purged by the schedule of hosted-page requests.
 */
@SpringBootTest
@Import(TestClock.class)
class PlatformPersonalDataTest {
  @Autowired JdbcClient jdbc;
  @Autowired List<PersonalDataHolder> holders;
  @Autowired PublicAttempts attempts;
  @Autowired MutableClock clock;

  @Test
  void an_erasure_deletes_the_organizations_waiting_events_that_name_the_address() {
    PersonalDataHolder platform = holders.stream().filter(h -> h.capability().equals("platform")).findFirst().orElseThrow();
    UUID hers = publication("event_publication", 7, "Zed@Example.com");
    UUID archived = publication("event_publication_archive", 7, "zed@example.com");
    UUID otherOrganization = publication("event_publication", 70, "zed@example.com");
    UUID longerAddress = publication("event_publication", 7, "bob.zed@example.com");
    UUID someoneElse = publication("event_publication", 7, "amy@example.com");

    List<Object> exported = new ArrayList<>();
    DataSubject zed = new DataSubject(7, "ZED@example.com", "zed@example.com", AddressDigest.of("zed@example.com"), List.of(1L));
    platform.export(zed, (capability, name, description, rows) -> exported.add(name));
    assertThat(exported).isEmpty();

    PersonalDataHolder.ErasureCount count = platform.erase(zed);
    assertThat(count.deleted()).containsEntry("event_publication", 1).containsEntry("event_publication_archive", 1);
    assertThat(ids("event_publication")).containsExactlyInAnyOrder(otherOrganization, longerAddress, someoneElse).doesNotContain(hers);
    assertThat(ids("event_publication_archive")).doesNotContain(archived);
  }

  @Test
  void public_pages_attempts_are_purged_in_batches_before_the_cutoff_for_the_installation_only() {
    PersonalDataHolder platform = holders.stream().filter(h -> h.capability().equals("platform")).findFirst().orElseThrow();
    Instant now = clock.instant();
    for (int i = 0; i < 3; i++) attempts.allow("forward", "198.51.100." + i, 100, Duration.ofMinutes(10));
    clock.advance(Duration.ofMinutes(5));
    attempts.allow("forward", "198.51.100.9", 100, Duration.ofMinutes(10));
    Instant cutoff = now.plus(Duration.ofMinutes(2));
    assertThat(platform.purge(RetentionCategory.HOSTED_PAGE_REQUESTS, 7L, cutoff, 2)).as("not per organization").isZero();
    assertThat(platform.purge(RetentionCategory.AUDIT_LOG, null, cutoff, 2)).isZero();
    assertThat(platform.purge(RetentionCategory.HOSTED_PAGE_REQUESTS, null, cutoff, 2)).isEqualTo(2);
    assertThat(platform.purge(RetentionCategory.HOSTED_PAGE_REQUESTS, null, cutoff, 2)).isEqualTo(1);
    assertThat(platform.purge(RetentionCategory.HOSTED_PAGE_REQUESTS, null, cutoff, 2)).isZero();
    assertThat(jdbc.sql("select ip from public_attempt").query(String.class).list()).containsExactly("198.51.100.9");
  }

  private UUID publication(String table, long org, String email) {
    UUID id = UUID.randomUUID();
    String event = "{\"organizationId\":" + org + ",\"subscriber\":{\"id\":1,\"email\":\"" + email + "\",\"name\":\"Zed\"},\"occurredAt\":\"2026-12-07T09:00:00Z\"}";
    jdbc.sql("insert into " + table + " (id, listener_id, event_type, serialized_event, publication_date) values (?, 'test.Listener', ?, ?, ?)")
        .params(id, "dev.herald.audiences.AudienceEvents$SubscriberCreated", event, Timestamp.from(Instant.now())).update();
    return id;
  }

  private List<UUID> ids(String table) {
    return jdbc.sql("select id from " + table).query(UUID.class).list();
  }
}
