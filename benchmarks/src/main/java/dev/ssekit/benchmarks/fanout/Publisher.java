package dev.ssekit.benchmarks.fanout;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/**
 * Publishes at a fixed rate from its own thread ({@code bench-publisher}), handing each publish
 * the epoch millisecond it was <em>scheduled</em> for, not when it ran. A publish that blocks
 * (Javalin's blocking writes to a stalled client) therefore shows up as latency for every later
 * event, instead of silently stretching the schedule (coordinated omission).
 */
final class Publisher implements AutoCloseable {
  private final Thread thread;
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
      try {
        publish.accept(startEpochMillis + TimeUnit.NANOSECONDS.toMillis(due - startNanos));
      } catch (RuntimeException e) {
        System.err.println("bench-publisher: publish failed: " + e);
      }
    }
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
