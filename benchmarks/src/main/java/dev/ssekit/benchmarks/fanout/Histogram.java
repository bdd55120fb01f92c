package dev.ssekit.benchmarks.fanout;

import java.util.TreeMap;

/** Latency histograms sent by workers as {@code millis:count,...}, merged, with percentiles. */
final class Histogram {
  private final TreeMap<Long, Long> counts = new TreeMap<>();
  private long total;

  void add(String text) {
    if (text == null || text.isEmpty()) return;
    for (String pair : text.split(",")) {
      int colon = pair.indexOf(':');
      long ms = Long.parseLong(pair.substring(0, colon));
      long n = Long.parseLong(pair.substring(colon + 1));
      counts.merge(ms, n, Long::sum);
      total += n;
    }
  }

  /** Returns the smallest latency at or below which a {@code fraction} of samples fall; -1 if empty. */
  long percentile(double fraction) {
    if (total == 0) return -1;
    long rank = (long) Math.ceil(fraction * total);
    long seen = 0;
    for (var e : counts.entrySet()) {
      seen += e.getValue();
      if (seen >= rank) return e.getKey();
    }
    return counts.lastKey();
  }

  long max() {
    return total == 0 ? -1 : counts.lastKey();
  }
}
