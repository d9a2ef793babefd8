package dev.herald.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class WordsTest {
  @Test
  void one_is_singular_and_every_other_count_plural_with_grouped_digits() {
    assertThat(Words.count(1, "subscriber", "subscribers")).isEqualTo("1 subscriber");
    assertThat(Words.count(0, "subscriber", "subscribers")).isEqualTo("0 subscribers");
    assertThat(Words.count(2, "subscriber", "subscribers")).isEqualTo("2 subscribers");
    assertThat(Words.count(-1, "day", "days")).isEqualTo("-1 days");
    assertThat(Words.plural(1, "matches", "match")).isEqualTo("matches");
    assertThat(Words.plural(21, "matches", "match")).isEqualTo("match");
  }

  @Test
  void digits_are_grouped_by_commas_whatever_the_default_locale() {
    Locale before = Locale.getDefault();
    try {
      Locale.setDefault(Locale.GERMANY);
      assertThat(Words.count(1204, "entry", "entries")).isEqualTo("1,204 entries");
      assertThat(Words.number(1_000_000)).isEqualTo("1,000,000");
    } finally {
      Locale.setDefault(before);
    }
  }
}
