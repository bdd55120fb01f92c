package dev.ssekit.benchmarks.fanout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One selector thread ({@code loadgen-selector-<i>}) of a {@link ClientPool}: opens and reads its
 * share of the worker's connections, no thread per connection. A worker's connections are numbered
 * 0, 1, 2, …; loop {@code i} of {@code n} owns those whose number is {@code i} modulo {@code n},
 * so that which connections stall, which node and which source address each uses is the same
 * whatever the number of loops. Connections are opened at most {@code maxPending} at a time (a
 * connection is pending until its response head arrived), each to the next of the targets (the
 * nodes of a scenario, round robin) and bound to the next of the source addresses so that several
 * 127.0.0.x spread the ephemeral ports. Stalled connections send their request and are never read
 * again.
 *
 * <p>Everything that touches connection state runs on the selector thread; other threads ask for
 * it with {@link #call}.
 */
final class SelectorLoop implements AutoCloseable {
  private final List<InetSocketAddress> targets;
  private final List<InetSocketAddress> sources;
  private final List<byte[]> requests; // one per target
  private final int index; // this loop's number, and of its first connection
  private final int stride; // loops in the pool: the step between this loop's connection numbers
  private final int total; // this loop's share
  private final int stalled; // the worker's: connections numbered below it stall
  private final int maxPending;
  private final long connectTimeoutNanos;

  private final Selector selector;
  private final Thread thread;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);
  private final WindowStats stats = new WindowStats();
  private final HistoryCheck history; // shared by the pool's loops
  private final List<SseConnection> connections = new ArrayList<>();
  private final CompletableFuture<Void> ramped = new CompletableFuture<>();
  private volatile boolean running = true;

  // Selector thread only.
  private int started;
  private int pending;
  private int failed;
  private int closedByServer;
  private String firstFailure;

  /**
   * Starts loop {@code index} of {@code stride}, owning the connections numbered {@code index},
   * {@code index + stride}, … below {@code workerTotal}; those numbered below {@code workerStalled}
   * stall.
   */
  SelectorLoop(int index, int stride, List<InetSocketAddress> targets, List<byte[]> requests, List<InetSocketAddress> sources,
      int workerTotal, int workerStalled, int maxPending, long connectTimeoutMillis, HistoryCheck history) throws IOException {
    this.targets = List.copyOf(targets);
    this.requests = List.copyOf(requests);
    this.sources = List.copyOf(sources);
    this.index = index;
    this.stride = stride;
    this.total = Math.max(0, (workerTotal - index + stride - 1) / stride);
    this.stalled = workerStalled;
    this.maxPending = maxPending;
    this.connectTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(connectTimeoutMillis);
    this.history = history;
    this.selector = Selector.open();
    this.thread = new Thread(this::loop, "loadgen-selector-" + index);
    thread.start();
  }

  /** Returns the GET request for each of {@code targets}, in order. */
  static List<byte[]> requests(List<InetSocketAddress> targets, String path) {
    List<byte[]> requests = new ArrayList<>();
    for (InetSocketAddress target : targets) {
      requests.add(("GET " + path + " HTTP/1.1\r\nHost: " + target.getHostString() + ":" + target.getPort()
          + "\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\nUser-Agent: ssekit-loadgen\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
    }
    return requests;
  }

  /** Completes when every connection was attempted and none is pending. */
  CompletableFuture<Void> ramped() {
    return ramped;
  }

  /** Runs {@code task} on the selector thread and returns its result. */
  <T> T call(Supplier<T> task) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    tasks.add(() -> {
      try {
        result.complete(task.get());
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    selector.wakeup();
    return result.get(30, TimeUnit.SECONDS);
  }

  /**
   * Starts a measurement window: clears the statistics; returns the reading connections open now,
   * whose events the window expects. Selector thread only.
   */
  int resetWindow() {
    stats.reset();
    int open = 0;
    for (SseConnection c : connections) {
      c.eventsInWindow = 0;
      if (!c.stalled && c.phase == SseConnection.Phase.BODY) open++;
    }
    return open;
  }

  /** What a loop saw in the window; the statistics are a copy, safe to read on any thread. */
  record Report(int requested, int open, int live, int stalledOpen, int failed, int closedByServer, String firstFailure,
      WindowStats stats) {}

  /** Returns the window's statistics and connection counts. Selector thread only. */
  Report report() {
    int open = 0;
    int openStalled = 0;
    int live = 0;
    for (SseConnection c : connections) {
      if (c.phase == SseConnection.Phase.CLOSED) continue;
      if (c.stalled) {
        openStalled++;
      } else if (c.phase == SseConnection.Phase.BODY) {
        open++;
        if (c.eventsInWindow > 0) live++;
      }
    }
    return new Report(total, open, live, openStalled, failed, closedByServer, firstFailure, stats.copy());
  }

  private void loop() {
    long lastTimeoutCheck = System.nanoTime();
    try {
      while (running) {
        openMore();
        selector.select(100);
        long nowMillis = System.currentTimeMillis();
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
          SelectionKey key = keys.next();
          keys.remove();
          handle(key, nowMillis);
        }
        for (Runnable task; (task = tasks.poll()) != null; ) task.run();
        if (System.nanoTime() - lastTimeoutCheck > TimeUnit.SECONDS.toNanos(1)) {
          lastTimeoutCheck = System.nanoTime();
          expirePending();
        }
        if (!ramped.isDone() && started == total && pending == 0) ramped.complete(null);
      }
    } catch (IOException | RuntimeException e) {
      ramped.completeExceptionally(e);
      System.err.println(thread.getName() + ": " + e);
      e.printStackTrace();
    } finally {
      closeAll();
    }
  }

  private void openMore() {
    while (started < total && pending < maxPending) {
      int number = index + started * stride; // the connection's number in the worker
      boolean isStalled = number < stalled;
      InetSocketAddress source = sources.get(number % sources.size());
      int target = number % targets.size();
      started++;
      SocketChannel channel = null;
      SseConnection connection = null;
      try {
        channel = SocketChannel.open();
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.SO_REUSEADDR, true); // reuse ports in TIME_WAIT from earlier runs
        channel.bind(source);
        connection = new SseConnection(channel, isStalled, history, requests.get(target));
        connections.add(connection);
        pending++;
        if (channel.connect(targets.get(target))) {
          connected(connection, channel.register(selector, 0, connection));
        } else {
          channel.register(selector, SelectionKey.OP_CONNECT, connection);
        }
      } catch (IOException e) {
        fail(connection, e);
        if (connection != null) connection.phase = SseConnection.Phase.CLOSED;
        closeQuietly(channel);
      }
    }
  }

  private void handle(SelectionKey key, long nowMillis) {
    SseConnection c = (SseConnection) key.attachment();
    if (!key.isValid()) return;
    try {
      if (key.isConnectable()) {
        c.channel.finishConnect();
        connected(c, key);
      } else if (key.isReadable()) {
        read(c, key, nowMillis);
      }
    } catch (IOException e) {
      if (c.phase == SseConnection.Phase.BODY) {
        closedByServer++;
        close(c, key);
      } else {
        fail(c, e);
        close(c, key);
      }
    }
  }

  private void connected(SseConnection c, SelectionKey key) throws IOException {
    ByteBuffer out = ByteBuffer.wrap(c.request);
    c.channel.write(out); // a few dozen bytes into an empty socket buffer: written at once
    if (out.hasRemaining()) throw new IOException("request not written at once");
    c.phase = SseConnection.Phase.HEAD;
    if (c.stalled) {
      pending--; // never read: it counts as opened once the request is out
      key.interestOps(0);
    } else {
      key.interestOps(SelectionKey.OP_READ);
    }
  }

  private void read(SseConnection c, SelectionKey key, long nowMillis) throws IOException {
    while (true) {
      readBuffer.clear();
      int n = c.channel.read(readBuffer);
      if (n < 0) {
        if (c.phase == SseConnection.Phase.BODY) {
          closedByServer++;
        } else {
          fail(c, new IOException("closed before the response head"));
        }
        close(c, key);
        return;
      }
      if (n == 0) return;
      SseConnection.Phase before = c.phase;
      if (!c.consume(readBuffer.array(), 0, n, nowMillis, stats)) {
        fail(c, new IOException("not a 200 event stream"));
        close(c, key);
        return;
      }
      if (before == SseConnection.Phase.HEAD && c.phase == SseConnection.Phase.BODY) pending--;
      if (n < readBuffer.capacity()) return;
    }
  }

  private void expirePending() {
    long now = System.nanoTime();
    for (SseConnection c : connections) {
      boolean waiting = c.phase == SseConnection.Phase.CONNECTING || (c.phase == SseConnection.Phase.HEAD && !c.stalled);
      if (waiting && now - c.openedNanos > connectTimeoutNanos) {
        fail(c, new IOException("no response within the connect timeout"));
        close(c, c.channel.keyFor(selector));
      }
    }
  }

  private void fail(SseConnection c, IOException e) {
    failed++;
    if (firstFailure == null) firstFailure = e.toString();
    if (c != null && c.phase != SseConnection.Phase.BODY && !(c.stalled && c.phase == SseConnection.Phase.HEAD)) pending--;
  }

  private void close(SseConnection c, SelectionKey key) {
    c.phase = SseConnection.Phase.CLOSED;
    if (key != null) key.cancel();
    closeQuietly(c.channel);
  }

  private void closeAll() {
    for (SseConnection c : connections) closeQuietly(c.channel);
    try {
      selector.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  private static void closeQuietly(SocketChannel channel) {
    if (channel == null) return;
    try {
      channel.close();
    } catch (IOException ignored) {
      // the connection is gone either way
    }
  }

  /** Closes every connection and stops the selector thread. */
  @Override
  public void close() {
    running = false;
    selector.wakeup();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
