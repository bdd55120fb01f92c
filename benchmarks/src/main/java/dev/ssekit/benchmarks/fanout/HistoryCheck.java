package dev.ssekit.benchmarks.fanout;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Checks that every connection of a worker saw the same history: for each offset, the first tag
 * any connection received (ids are {@code <offset>.<tag>}, the tag chosen at random per event) is
 * remembered, and a connection that receives another tag for that offset — a node that served a
 * different history under the same offsets — is reported. With clients spread over several nodes
 * on one log, this is what says they all got the same events, not merely as many.
 *
 * <p>Keeps the newest {@value #SLOTS} offsets (far more than a window's events) in a ring. Shared
 * by all selector threads of a worker, so that connections on different selectors are checked
 * against each other too: each slot is one immutable entry replaced by compare-and-set. The hot
 * path (an offset already seen) is one read of a slot every selector only reads, so the threads do
 * not contend; a new entry is written once per offset, not once per connection.
 */
final class HistoryCheck {
  static final int SLOTS = 1 << 16;

  private record Entry(long offset, long tag) {}

  private final AtomicReferenceArray<Entry> slots = new AtomicReferenceArray<>(SLOTS);

  /** Returns false if {@code tag} (a hash of it) differs from the tag first seen for {@code offset}. Thread-safe. */
  boolean agrees(long offset, long tag) {
    int slot = (int) (offset & (SLOTS - 1));
    while (true) {
      Entry seen = slots.get(slot);
      if (seen != null && seen.offset() == offset) return seen.tag() == tag;
      // A newer offset takes the slot of one long past; if another selector got there first, look again.
      if (slots.compareAndSet(slot, seen, new Entry(offset, tag))) return true;
    }
  }
}
