package dev.ssekit.benchmarks.fanout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A worker's connections, spread over several {@link SelectorLoop}s, each with its own selector
 * (its own epoll) and thread. One epoll holding every socket of a worker serialises the server:
 * each byte a server thread writes to a loopback socket wakes that socket's epoll under the
 * epoll's one spinlock, so two server writer threads writing to sockets of the same epoll take
 * turns on it (a perf profile with 10,000 clients on one selector had that wake-up path on top).
 * With several loops the server's writes land on several epolls, for machines where that matters;
 * see {@link #defaultSelectors} for what was measured here.
 *
 * <p>The loops' figures are merged exactly: counts are added, latency histograms added bucket by
 * bucket, and all loops share one {@link HistoryCheck}, so connections on different loops are
 * checked against each other as before.
 */
final class ClientPool implements AutoCloseable {
  /** Sockets per selector when the number is left to the pool, on a machine with cores to spare for more. */
  static final int SOCKETS_PER_SELECTOR = 5_000;

  private final List<SelectorLoop> loops = new ArrayList<>();
  private final CompletableFuture<Void> ramped;

  /**
   * Opens {@code total} connections (the first {@code stalled} never read) over {@code selectors}
   * loops (at most one per connection, at least one).
   */
  ClientPool(List<InetSocketAddress> targets, String path, List<InetSocketAddress> sources, int total, int stalled,
      int maxPending, long connectTimeoutMillis, int selectors) throws IOException {
    int n = Math.max(1, Math.min(selectors, total));
    List<byte[]> requests = SelectorLoop.requests(targets, path);
    HistoryCheck history = new HistoryCheck();
    // The ramp opens as many connections at a time as with one loop: maxPending in all.
    int pendingPerLoop = Math.max(1, maxPending / n);
    try {
      for (int i = 0; i < n; i++) {
        loops.add(new SelectorLoop(i, n, targets, requests, sources, total, stalled, pendingPerLoop, connectTimeoutMillis,
            history));
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
    this.ramped = CompletableFuture.allOf(loops.stream().map(SelectorLoop::ramped).toArray(CompletableFuture[]::new));
  }

  /**
   * Returns the selectors for {@code clients} connections when the flag says {@code auto}: one per
   * {@value #SOCKETS_PER_SELECTOR} connections, at most a quarter of the cores, at least 1 — so 1
   * on the 2-core machine of BENCHMARKS.md. There, more selectors did not lower the floor server's
   * p99 or CPU per write at 10,000 clients; they raised its CPU per write, because every selector
   * that drains its sockets before the next write arrives goes back to sleep and must be woken
   * again from inside the server's {@code write} (4,141 instead of 894 reader wake-ups a second
   * with 4 selectors, and 3 times as many preemptions of the server's writers), while one
   * selector, being behind, stays awake through the burst. Above 2 cores the cap is a guess.
   */
  static int defaultSelectors(int clients) {
    int cores = Runtime.getRuntime().availableProcessors();
    return Math.max(1, Math.min(cores / 4, (clients + SOCKETS_PER_SELECTOR - 1) / SOCKETS_PER_SELECTOR));
  }

  /** Returns the number of selector threads. */
  int selectors() {
    return loops.size();
  }

  /** Completes when every loop attempted all its connections and none is pending. */
  CompletableFuture<Void> ramped() {
    return ramped;
  }

  /**
   * Starts a measurement window on every loop (one after the other, microseconds apart); returns
   * {@code {"open":n}}, the reading connections open now, whose events the window expects.
   */
  String resetWindow() throws Exception {
    int open = 0;
    for (SelectorLoop loop : loops) open += loop.call(loop::resetWindow);
    return "{\"open\":" + open + "}";
  }

  /** Returns the window's statistics and connection counts, merged over the loops, as one JSON object. */
  String report() throws Exception {
    int requested = 0, open = 0, live = 0, stalledOpen = 0, failed = 0, closedByServer = 0;
    String firstFailure = null;
    WindowStats stats = new WindowStats();
    for (SelectorLoop loop : loops) {
      SelectorLoop.Report r = loop.call(loop::report);
      requested += r.requested();
      open += r.open();
      live += r.live();
      stalledOpen += r.stalledOpen();
      failed += r.failed();
      closedByServer += r.closedByServer();
      if (firstFailure == null) firstFailure = r.firstFailure();
      stats.add(r.stats());
    }
    return "{\"requested\":" + requested + ",\"open\":" + open + ",\"live\":" + live + ",\"stalledOpen\":" + stalledOpen
        + ",\"failed\":" + failed + ",\"closedByServer\":" + closedByServer
        + ",\"received\":" + stats.received() + ",\"lost\":" + stats.lost() + ",\"outOfOrder\":" + stats.outOfOrder()
        + ",\"mismatched\":" + stats.mismatched() + ",\"negative\":" + stats.negative() + ",\"selectors\":" + loops.size()
        + ",\"firstFailure\":" + (firstFailure == null ? "null" : "\"" + firstFailure.replace("\"", "'") + "\"")
        + ",\"histogram\":\"" + stats.histogramText() + "\"}";
  }

  /** Closes every connection and stops every loop. */
  @Override
  public void close() {
    for (SelectorLoop loop : loops) loop.close();
  }
}
