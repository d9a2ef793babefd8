package dev.herald.reports;

import java.util.HashMap;
import java.util.Map;

/**
 * A set of queue recipient ids (bigserial, so a send's ids lie close together): a bitmap in blocks of 65,536 ids,
 * made only where an id falls. A million recipients of one send take about 16 blocks of 8 kB, where a {@code
 * HashSet<Long>} took some 50 MB; the breakdown by domain looks each queue row up here instead of passing the ids
 * into a query as arrays (issue 12).
 */
final class RecipientSet {
  private static final int BLOCK_BITS = 16;
  private static final int WORDS = (1 << BLOCK_BITS) / 64;
  private final Map<Long, long[]> blocks = new HashMap<>();
  private long size;

  void add(long id) {
    long[] block = blocks.computeIfAbsent(id >>> BLOCK_BITS, k -> new long[WORDS]);
    int bit = (int) (id & ((1 << BLOCK_BITS) - 1));
    long mask = 1L << (bit & 63);
    if ((block[bit >>> 6] & mask) == 0) {
      block[bit >>> 6] |= mask;
      size++;
    }
  }

  boolean contains(long id) {
    long[] block = blocks.get(id >>> BLOCK_BITS);
    if (block == null) return false;
    int bit = (int) (id & ((1 << BLOCK_BITS) - 1));
    return (block[bit >>> 6] & (1L << (bit & 63))) != 0;
  }

  long size() {
    return size;
  }
}
