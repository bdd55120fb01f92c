package dev.ssekit.benchmarks.fanout;

/**
 * Checks that every connection of a worker saw the same history: for each offset, the first tag
 * any connection received (ids are {@code <offset>.<tag>}, the tag chosen at random per event) is
 * remembered, and a connection that receives another tag for that offset — a node that served a
 * different history under the same offsets — is reported. With clients spread over several nodes
 * on one log, this is what says they all got the same events, not merely as many.
 *
 * <p>Keeps the newest {@value #SLOTS} offsets (far more than a window's events) in a ring. Not
 * thread-safe: owned by the worker's selector thread.
 */
final class HistoryCheck {
  static final int SLOTS = 1 << 16;

  private final long[] offsets = new long[SLOTS];
  private final long[] tags = new long[SLOTS];

  HistoryCheck() {
    java.util.Arrays.fill(offsets, -1);
  }

  /** Returns false if {@code tag} (a hash of it) differs from the tag first seen for {@code offset}. */
  boolean agrees(long offset, long tag) {
    int slot = (int) (offset & (SLOTS - 1));
    if (offsets[slot] != offset) {
      offsets[slot] = offset; // a newer offset takes the slot of one long past
      tags[slot] = tag;
      return true;
    }
    return tags[slot] == tag;
  }
}
