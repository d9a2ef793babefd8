package dev.herald.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which request paths the filter answers itself: exactly those Herald writes into mail, nothing else. */
class TrackingFilterTest {
  static final String TOKEN = "abcdefghijklmnopqrstuvwxyz234567abcdefghijklm";

  @Test
  void the_paths_herald_writes_are_answered_by_the_filter() {
    assertThat(TOKEN).hasSize(45);
    assertThat(TrackingFilter.kind("/t/o/" + TOKEN, 0)).isEqualTo('o');
    assertThat(TrackingFilter.kind("/t/c/" + TOKEN, 0)).isEqualTo('c');
    assertThat(TrackingFilter.kind("/herald/t/c/" + TOKEN, "/herald".length())).as("under a context path").isEqualTo('c');
  }

  @Test
  void every_other_path_goes_on_to_the_chain() {
    assertThat(TrackingFilter.kind("/t/o/" + TOKEN.substring(1), 0)).as("short").isEqualTo((char) 0);
    assertThat(TrackingFilter.kind("/t/o/" + TOKEN + "a", 0)).as("long").isEqualTo((char) 0);
    assertThat(TrackingFilter.kind("/t/o/" + TOKEN.toUpperCase(), 0)).as("upper case").isEqualTo((char) 0);
    assertThat(TrackingFilter.kind("/t/o/" + TOKEN.replace('2', '8'), 0)).as("not base32").isEqualTo((char) 0);
    assertThat(TrackingFilter.kind("/t/o/" + TOKEN.substring(0, 44) + "/", 0)).isEqualTo((char) 0);
    assertThat(TrackingFilter.kind("/t/x/" + TOKEN, 0)).isEqualTo((char) 0);
    assertThat(TrackingFilter.kind("/p/o/" + TOKEN, 0)).isEqualTo((char) 0);
    assertThat(TrackingFilter.kind("/T/o/" + TOKEN, 0)).isEqualTo((char) 0);
    assertThat(TrackingFilter.kind("//t/o" + TOKEN, 0)).isEqualTo((char) 0);
    assertThat(TrackingFilter.kind("/t/o/%61" + TOKEN.substring(1), 0)).as("percent-encoded").isEqualTo((char) 0);
    assertThat(TrackingFilter.kind("/t/o/" + TOKEN, 1)).as("the context path is not this").isEqualTo((char) 0);
  }
}
