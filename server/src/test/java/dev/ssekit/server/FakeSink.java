package dev.ssekit.server;

import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.protocol.SseComment;
import dev.ssekit.protocol.SseDecoder;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * An in-memory client for hub tests: records and decodes what the channel writes, and can stall
 * (not ready) like a client that stopped reading.
 */
final class FakeSink implements SseSink {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final List<ServerSentEvent> events = new ArrayList<>();
  private final List<String> comments = new ArrayList<>();
  private final List<byte[]> writes = new ArrayList<>();
  private final List<byte[]> arrays = new ArrayList<>();
  private final SseDecoder decoder = new SseDecoder(new SseDecoder.Listener() {
    @Override
    public void onEvent(ServerSentEvent event) {
      events.add(event);
    }

    @Override
    public void onComment(SseComment comment) {
      comments.add(comment.text());
    }
  });
  private volatile boolean ready = true;
  private int writesAllowed; // guarded by this; 0: no limit while ready
  private volatile SseConnection channel;
  private boolean completed;
  private boolean aborted;
  private int flushes;

  /** Connects this sink to {@code hub} as a client of the default topic resuming after {@code lastEventId}. */
  SseConnection connect(SseHub hub, String lastEventId) {
    return connect(hub, lastEventId, Subscription.defaults());
  }

  /** Connects this sink to {@code hub} as a client of {@code subscription} resuming after {@code lastEventId}. */
  SseConnection connect(SseHub hub, String lastEventId, Subscription subscription) {
    channel = hub.connect(this, lastEventId, subscription);
    channel.writePossible(); // as the servlet container does once async starts
    return channel;
  }

  /** Returns the channel the hub gave this sink. */
  SseConnection connection() {
    return channel;
  }

  /** Stops taking writes, like a client whose socket buffer is full. */
  void stall() {
    ready = false;
  }

  /** Takes exactly {@code n} more writes, then stalls again: a reader that takes its time. */
  void allowWrites(int n) {
    synchronized (this) {
      writesAllowed = n;
    }
    resume();
  }

  /** Takes writes again and tells the channel, as the container's onWritePossible does. */
  void resume() {
    ready = true;
    channel.writePossible();
  }

  @Override
  public boolean isReady() {
    return ready;
  }

  @Override
  public synchronized void write(java.nio.ByteBuffer frames) {
    if (writesAllowed > 0 && --writesAllowed == 0) ready = false;
    arrays.add(frames.hasArray() ? frames.array() : null);
    byte[] frame = new byte[frames.remaining()];
    frames.get(frame);
    writes.add(frame);
    bytes.writeBytes(frame);
    decoder.feed(frame, 0, frame.length);
    notifyAll();
  }

  @Override
  public synchronized void flush() {
    flushes++;
  }

  @Override
  public synchronized void complete() {
    completed = true;
    notifyAll();
  }

  @Override
  public synchronized void abort() {
    aborted = true;
    notifyAll();
  }

  synchronized List<ServerSentEvent> events() {
    return List.copyOf(events);
  }

  synchronized List<String> comments() {
    return List.copyOf(comments);
  }

  synchronized List<byte[]> writes() {
    return List.copyOf(writes);
  }

  /** The arrays behind the buffers the channel wrote, as they were handed over. */
  synchronized List<byte[]> arrays() {
    return java.util.Collections.unmodifiableList(new ArrayList<>(arrays));
  }

  synchronized String text() {
    return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  synchronized boolean completed() {
    return completed;
  }

  synchronized boolean aborted() {
    return aborted;
  }

  synchronized int flushes() {
    return flushes;
  }

  /** Waits until {@code condition} (evaluated under this sink's lock) holds, or fails after 10 s. */
  synchronized void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) throw new AssertionError("timed out waiting for " + what + "; received: " + events);
      wait(Math.max(1, left / 1_000_000));
    }
  }

  /** Waits until at least {@code n} events arrived. */
  void awaitEvents(int n) throws InterruptedException {
    await(n + " events", () -> events.size() >= n);
  }
}
