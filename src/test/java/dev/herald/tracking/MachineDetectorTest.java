package dev.herald.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The walk rule over many batches: each walked click answered once, and one token fetched in a loop stays bounded. */
class MachineDetectorTest {
  static final Instant T0 = Instant.parse("2026-12-07T06:00:00Z");
  final MachineDetector detector = new MachineDetector(Duration.ofSeconds(10));

  static MachineDetector.Click click(long id, long recipient, int link, Instant at, int links) {
    return new MachineDetector.Click(id, 1, recipient, link, at, links);
  }

  @Test
  void a_click_within_the_window_of_delivery_is_a_scanner_even_when_the_clocks_put_it_a_little_before() {
    String chrome = "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36";
    Instant delivered = T0.plusNanos(457_000); // stored in microseconds: 456,789 ns rounded up
    assertThat(detector.reason(EventKind.CLICK, chrome, "198.51.100.7", T0.plusNanos(456_789), delivered))
        .as("the same instant, rounded differently").isEqualTo(MachineReason.SCANNER_EARLY);
    assertThat(detector.reason(EventKind.CLICK, chrome, "198.51.100.7", delivered.minusSeconds(2), delivered))
        .as("another node's clock 2 s behind").isEqualTo(MachineReason.SCANNER_EARLY);
    assertThat(detector.reason(EventKind.CLICK, chrome, "198.51.100.7", delivered.plusSeconds(9), delivered)).isEqualTo(MachineReason.SCANNER_EARLY);
    assertThat(detector.reason(EventKind.CLICK, chrome, "198.51.100.7", delivered.plusSeconds(10), delivered)).as("a person").isNull();
    assertThat(detector.reason(EventKind.CLICK, chrome, "198.51.100.7", delivered.plusSeconds(60), delivered)).isNull();
    assertThat(detector.reason(EventKind.CLICK, chrome, "198.51.100.7", delivered, null)).as("delivery not known").isNull();
  }

  @Test
  void every_link_clicked_within_the_burst_is_a_walk_and_each_of_its_clicks_is_answered_once() {
    assertThat(detector.walkedAllLinks(List.of(click(1, 7, 1, T0, 3), click(2, 7, 2, T0.plusMillis(300), 3)))).isEmpty();
    assertThat(detector.walkedAllLinks(List.of(click(3, 7, 3, T0.plusMillis(600), 3)))).as("the earlier batch's clicks too")
        .containsExactlyInAnyOrder(1L, 2L, 3L);
    assertThat(detector.walkedAllLinks(List.of(click(4, 7, 1, T0.plusMillis(900), 3)))).as("only the new click").containsExactly(4L);
    assertThat(detector.walkedAllLinks(List.of(click(5, 8, 1, T0.plusMillis(900), 3)))).as("another recipient").isEmpty();
    assertThat(detector.walkedAllLinks(List.of(click(6, 9, 1, T0, 3), click(7, 9, 2, T0.plusSeconds(3), 3),
        click(8, 9, 3, T0.plusSeconds(6), 3)))).as("a person reading: not within the burst").isEmpty();
  }

  @Test
  void one_link_fetched_in_a_loop_is_no_walk_and_a_walk_after_it_is_still_seen() {
    List<MachineDetector.Click> loop = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) loop.add(click(i + 1, 7, 1, T0.plusNanos(i * 100_000L), 2));
    assertThat(detector.walkedAllLinks(loop)).isEmpty();
    Set<Long> walked = new HashSet<>(detector.walkedAllLinks(List.of(click(50_000, 7, 2, T0.plusSeconds(2), 2))));
    assertThat(walked).contains(50_000L).contains(20_000L).doesNotContain(1L);
    assertThat(walked.size()).as("at most the clicks kept per recipient").isLessThanOrEqualTo(MachineDetector.MAX_SEEN);
  }
}
