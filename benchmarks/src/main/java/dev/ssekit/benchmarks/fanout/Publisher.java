package dev.ssekit.benchmarks.fanout;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.HdrHistogram.Recorder;

/**
 * Publishes at a fixed rate from its own thread ({@code bench-publisher}), handing each publish
 * the epoch millisecond it was <em>scheduled</em> for, not when it ran. A publish that blocks
 * (Javalin's blocking writes to a stalled client) therefore shows up as latency for every later
 * event, instead of silently stretching the schedule (coordinated omission). A publish that
 * throws (an unreachable event log) is counted and skipped. How long each publish call took (for
 * ssekit: the log's append, e.g. a Redis round trip and fsync) is recorded, to tell that part of
 * the delivery latency from the rest.
 */
final class Publisher implements AutoCloseable {
  private final Thread thread;
  private final AtomicLong failed = new AtomicLong();
  private final Recorder durations = new Recorder(3); // microseconds; thread-safe
  private volatile boolean running = true;

  Publisher(double eventsPerSecond, LongConsumer publish) {
    if (!(eventsPerSecond > 0)) throw new IllegalArgumentException("rate must be positive: " + eventsPerSecond);
    long periodNanos = (long) (TimeUnit.SECONDS.toNanos(1) / eventsPerSecond);
    this.thread = new Thread(() -> run(periodNanos, publish), "bench-publisher");
    thread.setDaemon(true);
    thread.start();
  }

  private void run(long periodNanos, LongConsumer publish) {
    long startNanos = System.nanoTime();
    long startEpochMillis = System.currentTimeMillis();
    for (long k = 1; running; k++) {
      long due = startNanos + k * periodNanos;
      for (long wait; running && (wait = due - System.nanoTime()) > 0; ) LockSupport.parkNanos(wait);
      if (!running) return;
      long start = System.nanoTime();
      try {
        publish.accept(startEpochMillis + TimeUnit.NANOSECONDS.toMillis(due - startNanos));
        durations.recordValue(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start));
      } catch (RuntimeException e) {
        failed.incrementAndGet();
        System.err.println("bench-publisher: publish failed: " + e);
      }
    }
  }

  /** Returns the publishes that threw so far. */
  long failed() {
    return failed.get();
  }

  /**
   * Returns how long the publishes since the previous call took, as {@code micros:count} pairs,
   * comma-separated (the form {@link dev.ssekit.benchmarks.fanout.Histogram} merges).
   */
  String durationsSinceLastCall() {
    Histogram interval = durations.getIntervalHistogram();
    StringBuilder text = new StringBuilder();
    for (HistogramIterationValue v : interval.recordedValues()) {
      if (text.length() > 0) text.append(',');
      text.append(interval.highestEquivalentValue(v.getValueIteratedTo())).append(':').append(v.getCountAtValueIteratedTo());
    }
    return text.toString();
  }

  /** Stops publishing after the publish in progress, if any. */
  @Override
  public void close() {
    running = false;
    LockSupport.unpark(thread);
    try {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
