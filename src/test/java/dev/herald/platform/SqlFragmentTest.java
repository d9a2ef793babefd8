package dev.herald.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** A fragment binds exactly the parameters its text uses, so no caller has to know a name by an unwritten rule. */
class SqlFragmentTest {

  @Test
  void a_fragment_that_uses_a_parameter_it_does_not_bind_is_refused() {
    assertThatThrownBy(() -> new SqlFragment("s.organization_id = :org and s.tags @> :seg_v0", Map.of("seg_v0", "x"), "s"))
        .hasMessageContaining("uses :[org, seg_v0] but binds [seg_v0]");
  }

  @Test
  void a_fragment_that_binds_a_parameter_it_never_uses_is_refused() {
    assertThatThrownBy(() -> new SqlFragment("s.name = :seg_v0", Map.of("seg_v0", "x", "v0", "x"), "s"))
        .hasMessageContaining("uses :[seg_v0] but binds [seg_v0, v0]");
  }

  @Test
  void casts_and_quoted_colons_are_not_parameters() {
    SqlFragment f = new SqlFragment("s.created_at::date = cast(:seg_v0 as date) and s.name <> 'a:b'", Map.of("seg_v0", "2026-01-01"), "s");
    assertThat(f.params()).containsOnlyKeys("seg_v0");
  }

  @Test
  void the_callers_parameters_and_the_fragments_must_not_share_a_name() {
    SqlFragment f = new SqlFragment("s.organization_id = :seg_org", Map.of("seg_org", 1L), "s");
    assertThat(f.paramsWith(Map.of("org", 2L))).isEqualTo(Map.of("org", 2L, "seg_org", 1L));
    assertThatThrownBy(() -> f.paramsWith(Map.of("seg_org", 2L))).hasMessageContaining(":seg_org").hasMessageContaining("prefix");
  }

  @Test
  void a_statement_with_another_alias_for_the_table_is_refused() {
    SqlFragment f = SqlFragment.of("s.email is not null", "s");
    assertThat(f.sqlOver("s")).isEqualTo("s.email is not null");
    assertThatThrownBy(() -> f.sqlOver("sub")).hasMessageContaining("reads its table as s");
  }

  @Test
  void a_prefix_is_a_lower_case_identifier() {
    assertThat(SqlFragment.checkPrefix("seg_")).isEqualTo("seg_");
    assertThatThrownBy(() -> SqlFragment.checkPrefix("seg-")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SqlFragment.checkPrefix("")).isInstanceOf(IllegalArgumentException.class);
  }
}
