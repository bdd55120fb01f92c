package dev.ssekit.benchmarks.fanout;

import java.util.Arrays;

/**
 * What one selector thread saw during a measurement window: events received, events lost (gaps
 * in ids), events out of order (an id that does not follow the previous one: a duplicate or a step
 * back), events whose id named another history than other connections saw for the same offset
 * (see {@link HistoryCheck}), and a histogram of delivery latency in whole milliseconds. Not
 * thread-safe: each selector thread owns one, and the worker takes a {@link #copy} of it on that
 * thread and {@link #add}s the copies of all its selectors into one report.
 */
final class WindowStats {
  /** Latencies from 0 to this many milliseconds are kept exactly; longer ones land in the last bucket. */
  static final int MAX_MILLIS = 120_000;

  private final long[] histogram = new long[MAX_MILLIS + 1];
  private long received;
  private long lost;
  private long outOfOrder;
  private long mismatched;
  private long negative;

  void event(long latencyMillis) {
    received++;
    if (latencyMillis < 0) {
      negative++; // clock steps only; counted so they are not hidden
      latencyMillis = 0;
    }
    histogram[(int) Math.min(latencyMillis, MAX_MILLIS)]++;
  }

  void lost(long events) {
    lost += events;
  }

  void countOutOfOrder() {
    outOfOrder++;
  }

  void countMismatched() {
    mismatched++;
  }

  /** Returns a copy of these statistics, to be read on another thread. */
  WindowStats copy() {
    WindowStats copy = new WindowStats();
    copy.add(this);
    return copy;
  }

  /** Adds {@code other}'s counts and histogram to these: the merge is exact (same 1 ms buckets). */
  void add(WindowStats other) {
    for (int ms = 0; ms < histogram.length; ms++) histogram[ms] += other.histogram[ms];
    received += other.received;
    lost += other.lost;
    outOfOrder += other.outOfOrder;
    mismatched += other.mismatched;
    negative += other.negative;
  }

  void reset() {
    Arrays.fill(histogram, 0);
    received = 0;
    lost = 0;
    outOfOrder = 0;
    mismatched = 0;
    negative = 0;
  }

  long received() {
    return received;
  }

  long lost() {
    return lost;
  }

  long outOfOrder() {
    return outOfOrder;
  }

  long mismatched() {
    return mismatched;
  }

  long negative() {
    return negative;
  }

  /** Returns the histogram as {@code millis:count} pairs of its non-empty buckets, comma-separated. */
  String histogramText() {
    StringBuilder text = new StringBuilder();
    for (int ms = 0; ms < histogram.length; ms++) {
      if (histogram[ms] == 0) continue;
      if (text.length() > 0) text.append(',');
      text.append(ms).append(':').append(histogram[ms]);
    }
    return text.toString();
  }
}
