package dev.ssekit.benchmarks.log;

import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.server.SseHub;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Publisher threads ({@code publish-rate-N}) that each publish the same event to one hub as fast
 * as {@link SseHub#publish} returns, one publish at a time per thread: the most a node can append
 * with that many threads publishing concurrently. Every publish that <em>completes</em> inside the
 * measurement window counts, and its duration goes to that thread's histogram (nanoseconds, 3
 * significant digits), so throughput and per-publish latency come from the same publishes.
 */
final class ClosedLoop implements AutoCloseable {
  private static final int WARMING = 0;
  private static final int MEASURING = 1;
  private static final int STOPPED = 2;

  private final List<Worker> workers = new ArrayList<>();
  private volatile int phase = WARMING;

  /** The window's outcome: publishes completed in it, failed ones (and the first failure), and their merged latencies. */
  record Outcome(long published, long failed, String firstFailure, Histogram nanos) {}

  ClosedLoop(SseHub hub, ServerSentEvent event, int threads) {
    for (int i = 0; i < threads; i++) workers.add(new Worker(hub, event, i + 1));
    workers.forEach(w -> w.thread.start());
  }

  /** Opens the measurement window (publishing has been going on since construction: the warm-up). */
  void startMeasuring() {
    phase = MEASURING;
  }

  /** Closes the window, stops every thread and returns what the window saw. */
  Outcome stop() throws InterruptedException {
    phase = STOPPED;
    Histogram merged = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    long published = 0;
    long failed = 0;
    String firstFailure = null;
    for (Worker w : workers) {
      w.thread.join(TimeUnit.SECONDS.toMillis(30)); // a publish takes at most the log's timeout
      if (w.thread.isAlive()) throw new IllegalStateException(w.thread.getName() + " did not stop");
      merged.add(w.latencies);
      published += w.published;
      failed += w.failed;
      if (firstFailure == null) firstFailure = w.firstFailure;
    }
    return new Outcome(published, failed, firstFailure, merged);
  }

  /** Stops the threads if {@link #stop()} was not reached (a failure half-way). */
  @Override
  public void close() {
    phase = STOPPED;
  }

  private final class Worker implements Runnable {
    private final SseHub hub;
    private final ServerSentEvent event;
    private final Thread thread;
    // Written by the worker's thread only, read after it was joined.
    private final Histogram latencies = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    private long published;
    private long failed;
    private String firstFailure;

    Worker(SseHub hub, ServerSentEvent event, int index) {
      this.hub = hub;
      this.event = event;
      this.thread = new Thread(this, "publish-rate-" + index);
      thread.setDaemon(true); // never keeps the benchmark's JVM alive after a failure
    }

    @Override
    public void run() {
      while (phase != STOPPED) {
        long start = System.nanoTime();
        RuntimeException failure = null;
        try {
          hub.publish(event);
        } catch (RuntimeException e) {
          failure = e;
        }
        long took = System.nanoTime() - start;
        // Read after the publish: a publish counts in the window it completed in.
        if (phase != MEASURING) continue;
        if (failure == null) {
          published++;
          latencies.recordValue(Math.min(took, latencies.getHighestTrackableValue()));
        } else {
          failed++;
          if (firstFailure == null) firstFailure = failure + " after " + took / 1_000_000 + " ms";
        }
      }
    }
  }
}
