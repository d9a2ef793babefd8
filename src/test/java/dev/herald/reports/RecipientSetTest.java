package dev.herald.reports;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RecipientSetTest {
  @Test
  void holds_exactly_the_ids_added_each_once_across_blocks() {
    RecipientSet set = new RecipientSet();
    Set<Long> expected = new HashSet<>();
    Random random = new Random(7);
    for (int i = 0; i < 20_000; i++) {
      long id = random.nextInt(3) == 0 ? 5_000_000_000L + random.nextInt(200_000) : 1 + random.nextInt(300_000);
      set.add(id);
      expected.add(id);
    }
    set.add(65_535);
    set.add(65_536);
    expected.add(65_535L);
    expected.add(65_536L);
    assertThat(set.size()).isEqualTo(expected.size());
    for (long id = 0; id < 300_100; id++) assertThat(set.contains(id)).isEqualTo(expected.contains(id));
    for (long id = 5_000_000_000L - 10; id < 5_000_200_010L; id += 3) assertThat(set.contains(id)).isEqualTo(expected.contains(id));
  }
}
