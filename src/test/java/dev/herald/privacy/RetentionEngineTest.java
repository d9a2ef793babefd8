package dev.herald.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.platform.Leases;
import dev.herald.platform.Refused;
import dev.herald.platform.personaldata.DataSubject;
import dev.herald.platform.personaldata.PersonalDataArchive;
import dev.herald.platform.personaldata.PersonalDataHolder;
import dev.herald.platform.personaldata.PersonalDataTable;
import dev.herald.platform.personaldata.RetentionCategory;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.MutableClock;
import dev.herald.testsupport.TestClock;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The retention engine on a migrated database with the test's clock: what is older than its schedule goes and what is
 * younger stays, an organization's shorter schedule applies to it alone, every run is recorded with its counts, and a
 * run is one node's at a time. Besides privacy's own holder (whose run records go with the audit log's schedule), a
 * test holder stands for a capability with per-organization rows: its table exists only in this test's database.
 * Worker role off: the runs here are the test's, not the background job's.
 */
@SpringBootTest(properties = {"herald.roles=web", "herald.retention.batch=2"})
@Import({TestClock.class, TestOrganizations.class, RetentionEngineTest.Items.class})
class RetentionEngineTest {
  @Autowired RetentionEngine engine;
  @Autowired RetentionSchedules schedules;
  @Autowired JdbcClient jdbc;
  @Autowired MutableClock clock;
  @Autowired TestOrganizations organizations;

  static int counter;
  long acme;
  long other;

  /** A capability's rows of tracking IP addresses, each of an organization (or none), purged as a holder purges. */
  @TestConfiguration
  static class Items {
    @Bean
    PersonalDataHolder testItems(JdbcClient jdbc) {
      jdbc.sql("create table if not exists retention_test_item (id bigserial primary key, organization_id bigint, created_at timestamptz not null)")
          .update();
      return new PersonalDataHolder() {
        @Override
        public String capability() {
          return "webhooks";
        }

        @Override
        public List<PersonalDataTable> tables() {
          return List.of();
        }

        @Override
        public void export(DataSubject person, PersonalDataArchive archive) {}

        @Override
        public ErasureCount erase(DataSubject person) {
          return ErasureCount.none();
        }

        @Override
        public int purge(RetentionCategory category, Long organizationId, Instant cutoff, int limit) {
          if (category != RetentionCategory.TRACKING_IP_ADDRESSES) return 0;
          return jdbc.sql("""
              delete from retention_test_item where id in (select id from retention_test_item
                where created_at < ? and (cast(? as bigint) is null or organization_id = ?) order by id limit ?)""")
              .params(Timestamp.from(cutoff), organizationId, organizationId, limit).update();
        }
      };
    }
  }

  @BeforeEach
  void clean() {
    jdbc.sql("delete from retention_test_item").update();
    jdbc.sql("delete from retention_run").update();
    jdbc.sql("delete from retention_override").update();
    jdbc.sql("delete from retention_schedule").update();
    acme = organizations.create("Retention Acme " + (++counter), "privacy").id();
    other = organizations.create("Retention Other " + counter, "privacy").id();
  }

  long item(Long organizationId, Duration age) {
    return jdbc.sql("insert into retention_test_item (organization_id, created_at) values (?, ?) returning id")
        .params(organizationId, Timestamp.from(clock.instant().minus(age))).query(Long.class).single();
  }

  List<Long> items() {
    return jdbc.sql("select id from retention_test_item order by id").query(Long.class).list();
  }

  /** Queues a run and runs it on this node to its end. */
  RetentionEngine.Run runOnce() {
    assertThat(engine.queueNow()).isTrue();
    Leases.Lease lease = engine.leases().claim().orElseThrow();
    assertThat(engine.run(engine.leases(), lease, () -> false)).isTrue();
    return engine.recent(1).getFirst();
  }

  @Test
  void rows_older_than_the_schedule_go_younger_ones_stay_and_the_run_is_recorded_with_its_counts() {
    assertThat(schedules.operatorPeriod(RetentionCategory.TRACKING_IP_ADDRESSES)).as("the default").isEqualTo(Period.ofDays(30));
    List<Long> old = List.of(item(acme, Duration.ofDays(31)), item(acme, Duration.ofDays(40)), item(other, Duration.ofDays(31)),
        item(null, Duration.ofDays(30).plusMinutes(1)), item(acme, Duration.ofDays(300)));
    List<Long> young = List.of(item(acme, Duration.ofDays(29)), item(other, Duration.ofDays(30).minusMinutes(1)), item(null, Duration.ZERO));

    RetentionEngine.Run run = runOnce();

    assertThat(items()).containsExactlyElementsOf(young);
    assertThat(run.status()).isEqualTo(RetentionRunStatus.FINISHED);
    assertThat(run.finishedAt()).isNotNull();
    assertThat(run.counts()).containsExactly(new RetentionEngine.Count(RetentionCategory.TRACKING_IP_ADDRESSES, "webhooks", old.size()));
    assertThat(run.purged()).isEqualTo(old.size());

    // The operator's schedule, once set, is the one that counts: 10 days takes what 30 left.
    schedules.setOperator("tracking IP addresses", "10 days");
    long fresh = item(acme, Duration.ofDays(9));
    clock.advance(Duration.ofMinutes(1));
    RetentionEngine.Run second = runOnce();
    assertThat(items()).containsExactly(young.get(2), fresh);
    assertThat(second.purged()).isEqualTo(2);
  }

  @Test
  void an_organizations_shorter_schedule_applies_to_it_alone_and_it_may_not_lengthen_one() {
    schedules.setForOrganization(acme, "tracking IP addresses", "7 days");
    long acmeOld = item(acme, Duration.ofDays(8));
    long acmeYoung = item(acme, Duration.ofDays(6));
    long otherEight = item(other, Duration.ofDays(8));
    long noneEight = item(null, Duration.ofDays(8));

    runOnce();

    assertThat(items()).doesNotContain(acmeOld).containsExactly(acmeYoung, otherEight, noneEight);
    assertThat(schedules.forOrganization(acme)).filteredOn(s -> s.category() == RetentionCategory.TRACKING_IP_ADDRESSES).singleElement()
        .satisfies(s -> {
          assertThat(s.ownText()).isEqualTo("7 days");
          assertThat(s.appliesText()).isEqualTo("7 days");
          assertThat(s.installationText()).isEqualTo("30 days");
        });
    assertThat(schedules.forOrganization(other)).filteredOn(s -> s.category() == RetentionCategory.TRACKING_IP_ADDRESSES)
        .singleElement().satisfies(s -> assertThat(s.appliesText()).isEqualTo("30 days"));

    assertThatThrownBy(() -> schedules.setForOrganization(other, "tracking IP addresses", "2 months")).isInstanceOf(Refused.class)
        .hasMessageContaining("period for tracking IP addresses must be less than the installation's 30 days; 2 months (")
        .hasMessageContaining(" days as of today) was given. An organization may shorten a schedule, not lengthen it.");
    assertThatThrownBy(() -> schedules.setForOrganization(other, "tracking IP addresses", "30 days")).isInstanceOf(Refused.class);
    assertThatThrownBy(() -> schedules.setForOrganization(other, "account lifetime", "1 day")).isInstanceOf(Refused.class)
        .hasMessageContaining("has no schedule");

    // The operator shortens the installation's below Acme's own: Acme's is no longer the shorter, the installation's applies.
    schedules.setOperator("tracking IP addresses", "P5D");
    assertThat(schedules.forOrganization(acme)).filteredOn(s -> s.category() == RetentionCategory.TRACKING_IP_ADDRESSES).singleElement()
        .satisfies(s -> assertThat(s.appliesText()).isEqualTo("5 days"));
    clock.advance(Duration.ofMinutes(1));
    runOnce();
    assertThat(items()).as("all three are older than 5 days").isEmpty();

    // Going back to the installation's schedule.
    schedules.setForOrganization(acme, "tracking IP addresses", "");
    assertThat(schedules.forOrganization(acme)).filteredOn(s -> s.category() == RetentionCategory.TRACKING_IP_ADDRESSES).singleElement()
        .satisfies(s -> assertThat(s.ownPeriod()).isNull());
  }

  @Test
  void a_second_node_cannot_run_the_same_run_at_once_and_a_node_that_lost_its_run_purges_nothing_more() {
    long old = item(acme, Duration.ofDays(31));
    assertThat(engine.queueNow()).isTrue();
    assertThat(engine.queueNow()).as("one run waits or runs at a time").isFalse();
    assertThat(engine.queueIfDue(Duration.ofHours(1))).as("nor does a due check queue a second").isEmpty();

    Leases nodeA = engine.leases("node-a");
    Leases nodeB = engine.leases("node-b");
    Leases.Lease a = nodeA.claim().orElseThrow();
    assertThat(nodeB.claim()).as("node B cannot take the run node A holds").isEmpty();

    // Node A stalls past its lease; node B takes the run over. Node A, waking, purges nothing.
    clock.advance(RetentionEngine.LEASE_TERM.plusSeconds(1));
    Leases.Lease b = nodeB.claim().orElseThrow();
    assertThat(b.jobId()).isEqualTo(a.jobId());
    assertThat(engine.run(nodeA, a, () -> false)).isFalse();
    assertThat(items()).containsExactly(old);
    assertThat(engine.run(nodeB, b, () -> false)).isTrue();
    assertThat(items()).isEmpty();
    RetentionEngine.Run run = engine.recent(1).getFirst();
    assertThat(run.status()).isEqualTo(RetentionRunStatus.FINISHED);
    assertThat(run.purged()).isEqualTo(1);
    assertThat(jdbc.sql("select lease_owner from retention_run where id = ?").param(run.id()).query(String.class).single()).isEqualTo("node-b");
  }

  @Test
  void a_run_is_due_once_per_interval_and_a_stopping_node_gives_its_run_back() {
    assertThat(engine.queueIfDue(Duration.ofHours(1))).isPresent();
    Leases.Lease lease = engine.leases().claim().orElseThrow();
    assertThat(engine.run(engine.leases(), lease, () -> true)).as("stopped before its first batch").isFalse();
    assertThat(jdbc.sql("select status from retention_run where id = ?").param(lease.jobId()).query(String.class).single())
        .as("given back: another node claims it at once").isEqualTo("queued");
    Leases.Lease again = engine.leases().claim().orElseThrow();
    assertThat(engine.run(engine.leases(), again, () -> false)).isTrue();

    clock.advance(Duration.ofMinutes(59));
    assertThat(engine.queueIfDue(Duration.ofHours(1))).as("the last run was queued less than an interval ago").isEmpty();
    clock.advance(Duration.ofMinutes(2));
    assertThat(engine.queueIfDue(Duration.ofHours(1))).isPresent();
  }

  @Test
  void the_record_of_runs_is_purged_with_the_audit_log_schedule() {
    schedules.setOperator("audit log", "90 days");
    long old = jdbc.sql("insert into retention_run (status, queued_at) values ('finished', ?) returning id")
        .param(Timestamp.from(clock.instant().minus(Duration.ofDays(91)))).query(Long.class).single();
    jdbc.sql("insert into retention_run_count (run_id, category, capability, purged) values (?, 'audit log', 'privacy', 3)").param(old).update();
    long young = jdbc.sql("insert into retention_run (status, queued_at) values ('failed', ?) returning id")
        .param(Timestamp.from(clock.instant().minus(Duration.ofDays(89)))).query(Long.class).single();

    RetentionEngine.Run run = runOnce();

    assertThat(jdbc.sql("select id from retention_run order by id").query(Long.class).list()).containsExactly(young, run.id());
    assertThat(jdbc.sql("select count(*) from retention_run_count where run_id = ?").param(old).query(Long.class).single()).isZero();
    assertThat(run.counts()).containsExactly(new RetentionEngine.Count(RetentionCategory.AUDIT_LOG, "privacy", 1));
  }

  @Test
  void a_schedule_is_written_as_words_or_an_iso_period_within_bounds() {
    assertThat(RetentionSchedules.parse("period", "30 days")).isEqualTo(Period.ofDays(30));
    assertThat(RetentionSchedules.parse("period", " 1 year and 6 months ")).isEqualTo(Period.of(1, 6, 0));
    assertThat(RetentionSchedules.parse("period", "P1Y")).isEqualTo(Period.ofYears(1));
    assertThat(RetentionSchedules.parse("period", "p35d")).isEqualTo(Period.ofDays(35));
    for (String bad : List.of("", "0 days", "forever", "P0D", "P-3D", "101 years", "30 days later", "30")) {
      assertThatThrownBy(() -> RetentionSchedules.parse("period", bad)).as(bad).isInstanceOf(Refused.class)
          .hasMessageContaining("period must be a period such as '30 days'");
    }
    assertThat(RetentionSchedules.describe(Period.of(1, 6, 0))).isEqualTo("1 year and 6 months");
    assertThat(RetentionSchedules.describe(Period.ofDays(1))).isEqualTo("1 day");
  }
}
