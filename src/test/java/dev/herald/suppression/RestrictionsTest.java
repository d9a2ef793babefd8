package dev.herald.suppression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.audiences.SuppressionScreen;
import dev.herald.platform.Refused;
import dev.herald.platform.SqlFragment;
import dev.herald.tenancy.TestOrganizations;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.event.ApplicationEvents;
import org.springframework.test.context.event.RecordApplicationEvents;

/** The restriction API privacy calls, and what the screening port answers senders about it, one by one and as SQL. */
@SpringBootTest
@RecordApplicationEvents
@Import(TestOrganizations.class)
class RestrictionsTest {
  @Autowired Restrictions restrictions;
  @Autowired SuppressionScreen screen;
  @Autowired TestOrganizations organizations;
  @Autowired JdbcClient jdbc;
  @Autowired ApplicationEvents events;

  long acme, other;
  static int counter;

  @BeforeEach
  void organizations() {
    acme = organizations.create("Restrict Acme " + (++counter), "suppressions:read").id();
    other = organizations.create("Restrict Other " + counter, "suppressions:read").id();
  }

  @Test
  void a_restriction_is_idempotent_per_organization_and_kind_and_lifting_it_restores() {
    restrictions.restrict(acme, " Ann@Example.COM ", RestrictionKind.RESTRICTION, "contests accuracy (art. 18(1)(a))");
    restrictions.restrict(acme, "ann@example.com", RestrictionKind.RESTRICTION, "");

    assertThat(restrictions.of(acme, "ANN@example.com")).contains(RestrictionKind.RESTRICTION);
    assertThat(restrictions.of(other, "ann@example.com")).isEmpty();
    assertThat(restrictions.all(acme, "ann@example.com")).singleElement().satisfies(r -> {
      assertThat(r.reason()).isEqualTo("contests accuracy (art. 18(1)(a))");
      assertThat(r.address()).isEqualTo("Ann@example.com");
    });
    assertThat(events.stream(SuppressionEvents.RestrictionAdded.class)).singleElement()
        .satisfies(e -> assertThat(e.kind()).isEqualTo(RestrictionKind.RESTRICTION));

    assertThat(restrictions.lift(acme, "ann@example.com", RestrictionKind.OBJECTION)).isFalse();
    assertThat(restrictions.lift(acme, "ann@example.com", RestrictionKind.RESTRICTION)).isTrue();
    assertThat(restrictions.lift(acme, "ann@example.com", RestrictionKind.RESTRICTION)).isFalse();
    assertThat(restrictions.of(acme, "ann@example.com")).isEmpty();
    assertThat(events.stream(SuppressionEvents.RestrictionLifted.class)).hasSize(1);
  }

  @Test
  void a_restriction_outranks_an_objection_and_each_lifts_on_its_own() {
    restrictions.restrict(acme, "bob@example.com", RestrictionKind.OBJECTION, "no more newsletters");
    assertThat(restrictions.of(acme, "bob@example.com")).contains(RestrictionKind.OBJECTION);
    restrictions.restrict(acme, "bob@example.com", RestrictionKind.RESTRICTION, "");
    assertThat(restrictions.of(acme, "bob@example.com")).contains(RestrictionKind.RESTRICTION);
    restrictions.lift(acme, "bob@example.com", RestrictionKind.RESTRICTION);
    assertThat(restrictions.of(acme, "bob@example.com")).contains(RestrictionKind.OBJECTION);
  }

  @Test
  void bad_input_is_refused_naming_the_field() {
    assertThatThrownBy(() -> restrictions.restrict(acme, "not an address", RestrictionKind.RESTRICTION, ""))
        .isInstanceOfSatisfying(Refused.class, r -> assertThat(r.field()).isEqualTo("address"));
    assertThatThrownBy(() -> restrictions.restrict(acme, "a@example.com", null, ""))
        .isInstanceOfSatisfying(Refused.class, r -> assertThat(r.field()).isEqualTo("kind"));
    assertThatThrownBy(() -> restrictions.restrict(acme, "a@example.com", RestrictionKind.OBJECTION, "x".repeat(501)))
        .isInstanceOfSatisfying(Refused.class, r -> assertThat(r.field()).isEqualTo("reason"));
    assertThatThrownBy(() -> restrictions.restrict(acme, "a@example.com", RestrictionKind.OBJECTION, "a\u0000b"))
        .isInstanceOfSatisfying(Refused.class, r -> assertThat(r.field()).isEqualTo("reason"));
    assertThat(restrictions.of(acme, "not an address")).isEmpty();
  }

  @Test
  void the_screen_stops_all_mail_for_a_restriction_and_marketing_only_for_an_objection_one_by_one_and_as_sql() {
    restrictions.restrict(acme, "restricted@example.com", RestrictionKind.RESTRICTION, "");
    restrictions.restrict(acme, "objecting@example.com", RestrictionKind.OBJECTION, "");
    restrictions.restrict(other, "clean@example.com", RestrictionKind.RESTRICTION, "");
    List<String> keys = List.of("restricted@example.com", "objecting@example.com", "clean@example.com");

    assertThat(screen.restriction(acme, "restricted@example.com", false)).contains(Screening.RESTRICTED);
    assertThat(screen.restriction(acme, "restricted@example.com", true)).contains(Screening.RESTRICTED);
    assertThat(screen.restriction(acme, "objecting@example.com", false)).isEmpty();
    assertThat(screen.restriction(acme, "objecting@example.com", true)).contains(Screening.OBJECTED);
    assertThat(screen.restriction(acme, "clean@example.com", true)).isEmpty();

    for (boolean marketing : new boolean[] {false, true}) {
      Map<String, Optional<String>> bySql = new java.util.LinkedHashMap<>();
      SqlFragment restricted = screen.restrictedSql(acme, "v", "r_", marketing);
      jdbc.sql("select v.email_key, " + restricted.sqlOver("v") + " from unnest(cast(:keys as text[])) v(email_key)")
          .params(restricted.paramsWith(Map.of("keys", keys.toArray(String[]::new))))
          .query((org.springframework.jdbc.core.RowCallbackHandler) rs -> bySql.put(rs.getString(1), Optional.ofNullable(rs.getString(2))));
      for (String k : keys) assertThat(bySql.get(k)).as(k + " marketing " + marketing).isEqualTo(screen.restriction(acme, k, marketing));

      SqlFragment unrestricted = screen.unrestrictedSql(acme, "v", "r_", marketing);
      List<String> admitted = jdbc.sql("select v.email_key from unnest(cast(:keys as text[])) v(email_key) where " + unrestricted.sqlOver("v"))
          .params(unrestricted.paramsWith(Map.of("keys", keys.toArray(String[]::new)))).query(String.class).list();
      assertThat(admitted).as("marketing " + marketing)
          .containsExactlyInAnyOrderElementsOf(keys.stream().filter(k -> screen.restriction(acme, k, marketing).isEmpty()).toList());
    }
  }
}
