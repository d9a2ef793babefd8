package dev.herald.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.mail.AddressDigest;
import dev.herald.platform.personaldata.DataSubject;
import dev.herald.platform.personaldata.PersonalDataHolder;
import dev.herald.platform.personaldata.RetentionCategory;
import dev.herald.testsupport.MutableClock;
import dev.herald.testsupport.TestClock;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Tenancy's part of the personal-data map: what it exports and erases for a subscriber (audit entries about their
 * record; a detail naming the address blanked), and the retention purges of the audit log and the sign-in history,
 * in batches, with the clock moved instead of waiting a year.
 */
@SpringBootTest
@Import({TestOrganizations.class, TestClock.class})
class TenancyPersonalDataTest {
  @Autowired TestOrganizations organizations;
  @Autowired AuditLog audit;
  @Autowired SignIn signIn;
  @Autowired MailLimits mailLimits;
  @Autowired JdbcClient jdbc;
  @Autowired MutableClock clock;
  @Autowired TransactionTemplate tx;
  @Autowired List<PersonalDataHolder> holders;

  PersonalDataHolder tenancy() {
    return holders.stream().filter(h -> h.capability().equals("tenancy")).findFirst().orElseThrow();
  }

  static DataSubject subject(long org, String address, String key, List<Long> ids) {
    return new DataSubject(org, address, key, AddressDigest.of(key), ids);
  }

  @Test
  void a_subscriber_gets_the_audit_entries_about_their_record_and_erasure_blanks_details_naming_them() {
    long acme = organizations.create("Tenancy Map Acme", "lists:read").id();
    long other = organizations.create("Tenancy Map Other", "lists:read").id();
    audit.record(acme, "subscriber.updated", "subscriber", 42L, null);
    audit.record(acme, "subscriber.updated", "subscriber", 43L, null);
    audit.record(acme, "member.invited", "invitation", 5L, "Zed@Example.com as MEMBER");
    audit.record(acme, "member.invited", "invitation", 6L, "bob.zed@example.com as MEMBER");
    audit.record(other, "member.invited", "invitation", 7L, "zed@example.com as MEMBER");
    DataSubject zed = subject(acme, "zed@EXAMPLE.com", "zed@example.com", List.of(42L));

    List<Map<String, Object>> rows = new ArrayList<>();
    tenancy().export(zed, (capability, name, description, r) -> {
      assertThat(capability).isEqualTo("tenancy");
      rows.addAll(r);
    });
    assertThat(rows).hasSize(1);
    assertThat(rows.getFirst()).containsEntry("action", "subscriber.updated").containsOnlyKeys("action", "detail", "at");

    PersonalDataHolder.ErasureCount count = tx.execute(s -> tenancy().erase(zed));
    assertThat(count.anonymized()).containsEntry("audit_event", 1);
    assertThat(jdbc.sql("select detail from audit_event where action = 'member.invited' order by id").query(String.class).list())
        .containsExactly("(erased)", "bob.zed@example.com as MEMBER", "zed@example.com as MEMBER");
    assertThat(jdbc.sql("select count(*) from audit_event where object_type = 'subscriber'").query(Long.class).single())
        .as("the entries about her former record stay").isEqualTo(2);
  }

  @Test
  void the_audit_log_is_purged_per_organization_or_for_everyone_in_batches_before_the_cutoff() {
    long acme = organizations.create("Tenancy Purge Acme", "lists:read").id();
    long other = organizations.create("Tenancy Purge Other", "lists:read").id();
    for (int i = 0; i < 3; i++) audit.record(acme, "list.created", "list", i, "List " + i);
    long otherBefore = count("organization_id = " + other);
    // Audit entries are stamped by the database; a year and a day on, every one so far is past the schedule.
    clock.advance(Duration.ofDays(367));
    Instant cutoff = cutoff(RetentionCategory.AUDIT_LOG);
    long recent = jdbc.sql("insert into audit_event (organization_id, actor, action, at) values (?, 'system', 'list.created', ?) returning id")
        .params(acme, Timestamp.from(clock.instant())).query(Long.class).single();
    long acmeOld = count("organization_id = " + acme) - 1;
    assertThat(acmeOld).isGreaterThanOrEqualTo(4);

    List<Integer> batches = drain(RetentionCategory.AUDIT_LOG, acme, cutoff, 2);
    assertThat(batches.stream().mapToLong(Integer::longValue).sum()).isEqualTo(acmeOld);
    assertThat(batches).allMatch(n -> n <= 2).last().matches(n -> n < 2);
    assertThat(jdbc.sql("select id from audit_event where organization_id = ?").param(acme).query(Long.class).list()).containsExactly(recent);
    assertThat(count("organization_id = " + other)).as("another organization's log").isEqualTo(otherBefore);

    drain(RetentionCategory.AUDIT_LOG, null, cutoff, 100);
    assertThat(count("true")).as("everyone's, the operators' too, but the recent one").isEqualTo(1);
    assertThat(tenancy().purge(RetentionCategory.HOSTED_PAGE_REQUESTS, null, cutoff, 100)).isZero();
  }

  @Test
  void the_sign_in_history_is_purged_for_the_installation_only() {
    Instant start = clock.instant();
    for (int i = 0; i < 3; i++) signIn.password("nobody-" + i + "@example.com", "wrong", "192.0.2." + i, "test agent");
    tx.executeWithoutResult(s -> mailLimits.take("password_reset", Duration.ofHours(1), List.of(new MailLimits.Limit("email:zed@example.com", 5))));
    clock.advance(Duration.ofDays(400));
    signIn.password("late@example.com", "wrong", "192.0.2.9", "test agent");
    Instant cutoff = cutoff(RetentionCategory.SIGN_IN_HISTORY);
    assertThat(cutoff).isAfter(start);

    long acme = organizations.create("Tenancy Sign-in Acme", "lists:read").id();
    assertThat(tenancy().purge(RetentionCategory.SIGN_IN_HISTORY, acme, cutoff, 10)).as("people's, not an organization's").isZero();
    List<Integer> batches = drain(RetentionCategory.SIGN_IN_HISTORY, null, cutoff, 2);
    assertThat(batches).containsExactly(2, 2, 0);
    assertThat(jdbc.sql("select email from login_event").query(String.class).list()).containsExactly("late@example.com");
    assertThat(jdbc.sql("select count(*) from mail_limit_event").query(Long.class).single()).isZero();
  }

  private Instant cutoff(RetentionCategory category) {
    return clock.instant().atZone(ZoneOffset.UTC).minus(category.defaultPeriod()).toInstant();
  }

  /** Calls purge until it answers less than the limit, as the retention engine does; the answers. */
  private List<Integer> drain(RetentionCategory category, Long org, Instant cutoff, int limit) {
    List<Integer> answers = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      int n = tenancy().purge(category, org, cutoff, limit);
      answers.add(n);
      if (n < limit) break;
    }
    return answers;
  }

  private long count(String where) {
    return jdbc.sql("select count(*) from audit_event where " + where).query(Long.class).single();
  }
}
