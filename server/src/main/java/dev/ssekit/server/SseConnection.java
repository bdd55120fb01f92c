package dev.ssekit.server;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One connected client of a hub: what it subscribed to, and its bounded queue of encoded frames
 * with a single non-blocking writer into its {@link SseSink}.
 *
 * <p>For the application: {@link #subscription()} and {@link #close()}, e.g. on logout (the
 * client's next connection goes through the connect hook again). For a transport:
 * {@link #writePossible()} and {@link #failed()}; see {@link SseSink}.
 *
 * <p>The hub only enqueues (in O(1)); a writer thread drains the queue into the sink while it is
 * ready and leaves when it is not, so a stalled socket holds no thread and delays no other client.
 * Only one thread writes at a time, so frames never interleave. A full queue means the client is
 * too slow: the hub cuts it off, and it resumes with {@code Last-Event-ID}.
 *
 * <p>A client that resumes far back first catches up: it is not yet live (the hub does not offer
 * it new frames) and its replay arrives in pages, each asked for through the refill callback when
 * the previous one is nearly written, so a long absence never floods memory.
 *
 * <p>Lock order: the hub's lock, then this connection's monitor; never the other way round. The
 * writer holds {@code writeLock} and takes the monitor briefly; it never holds the monitor while
 * it calls the sink or a callback.
 */
public final class SseConnection {
  /**
   * Coalesce queued frames into writes of at most this many bytes, to save system calls; kept
   * below Jetty's 32 KiB response buffer, which it would otherwise cut writes into.
   */
  private static final int MAX_BATCH_BYTES = 16 * 1024;
  private static final AtomicLong IDS = new AtomicLong();

  /** Receives what the writer did, for metrics; called on writer threads. */
  interface Observer {
    /** A batch of frames was handed to the sink: {@code waitedNanos} after the oldest was queued, {@code depth} frames queued before. */
    void written(int depth, long waitedNanos);
  }

  private final String id = "c" + IDS.incrementAndGet();
  private final Instant connectedAt = Instant.now();
  private final SseSink sink;
  private final Executor writers;
  private final int capacity;
  private final Object owner;
  private final Subscription subscription;
  private final Observer observer;
  private final SseHub hub;
  private final ReentrantLock writeLock = new ReentrantLock();

  /** Frames with an offset up to this are not for this client: its replay already held them. Guarded by the hub's lock. */
  long skipUpTo;
  /** The event at {@link #skipUpTo} as the client has it; the tail's event there must be the same. Guarded by the hub's lock. */
  EventId skipId;
  /** The newest offset this client has everything of (sent, or not in its topics). Guarded by the hub's lock. */
  long seenUpTo;
  /** When the hub last queued a frame for it, for per-client keep-alives. Guarded by the hub's lock. */
  long lastQueuedNanos = System.nanoTime();

  // Guarded by this. The replay is sent first and does not count against the capacity: it is
  // bounded by the page size, and counting it would cut off a client that resumes after a long
  // absence at the first live event, again and again.
  private final ArrayDeque<byte[]> replay = new ArrayDeque<>();
  private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
  private long oldestQueuedNanos;
  private Runnable refill; // asks for the next page of a catch-up; null when none is wanted
  private int refillBelow;
  private boolean refillRequested;
  private boolean started;
  private boolean drainScheduled;
  private boolean ending;
  private boolean closed;

  // Guarded by writeLock.
  private boolean headersFlushed;

  SseConnection(SseSink sink, Executor writers, int capacity, Object owner, Subscription subscription, Observer observer,
      SseHub hub) {
    this.sink = sink;
    this.writers = writers;
    this.capacity = capacity;
    this.owner = owner;
    this.subscription = subscription;
    this.observer = observer;
    this.hub = hub;
  }

  /**
   * Returns this connection's id, unique in the process, e.g. for logs.
   *
   * @return the id
   */
  public String id() {
    return id;
  }

  /**
   * Returns what the client subscribed to, and the attributes the application attached.
   *
   * @return the subscription
   */
  public Subscription subscription() {
    return subscription;
  }

  /**
   * Returns when the client connected.
   *
   * @return the instant
   */
  public Instant connectedAt() {
    return connectedAt;
  }

  /**
   * Returns whether this connection has closed, for any reason.
   *
   * @return whether it is closed
   */
  public synchronized boolean isClosed() {
    return closed;
  }

  /**
   * Ends this client's stream cleanly: what is queued is sent, then the response ends. An
   * {@code EventSource} reconnects, and its next connection is judged afresh (by the connect
   * hook, if any). Returns at once.
   */
  public void close() {
    end();
  }

  /** Called by the transport when its response can take writes: the first call starts the connection. */
  public void writePossible() {
    synchronized (this) {
      started = true;
    }
    drain();
  }

  /** Called by the transport when the connection failed or the response ended underneath the hub. */
  public void failed() {
    if (markClosed()) sink.complete();
  }

  /** Returns the tag given at creation, e.g. the route that accepted this client. */
  Object owner() {
    return owner;
  }

  /**
   * Queues {@code frames} to send before any live frame, outside the capacity. While
   * {@code refill} is not null, it is run (once, until the next call of this method) when fewer
   * than {@code refillBelow} replayed frames are left to write; null ends the catch-up.
   */
  void replay(List<byte[]> frames, Runnable refill, int refillBelow) {
    synchronized (this) {
      if (closed) return;
      replay.addAll(frames);
      this.refill = refill;
      this.refillBelow = refillBelow;
      refillRequested = false;
      if (!started || drainScheduled || frames.isEmpty()) return;
      drainScheduled = true;
    }
    writers.execute(this::drain);
  }

  /**
   * Queues {@code frame}. Returns false if the queue is full: the client is too slow and the
   * caller must {@link #abort} it. A closed or ending connection ignores the frame.
   */
  boolean offer(byte[] frame) {
    synchronized (this) {
      if (closed || ending) return true;
      if (queue.size() >= capacity) return false;
      if (queue.isEmpty() && observer != null) oldestQueuedNanos = System.nanoTime();
      queue.add(frame);
      if (!started || drainScheduled) return true;
      drainScheduled = true;
    }
    writers.execute(this::drain);
    return true;
  }

  /** Sends what is queued, then ends the response normally. */
  void end() {
    synchronized (this) {
      if (closed || ending) return;
      ending = true;
      if (!started || drainScheduled) return;
      drainScheduled = true;
    }
    writers.execute(this::drain);
  }

  /** Cuts the connection now, dropping queued frames; returns false if it had already closed. */
  boolean abort() {
    if (!markClosed()) return false;
    sink.abort();
    return true;
  }

  /** Returns the number of frames waiting to be written. */
  synchronized int queued() {
    return replay.size() + queue.size();
  }

  private void drain() {
    writeLock.lock();
    try {
      synchronized (this) {
        drainScheduled = false;
        if (!started) return;
      }
      while (sink.isReady()) {
        byte[] bytes;
        boolean finished;
        Runnable wanted = null;
        int depth = 0;
        long waited = 0;
        synchronized (this) {
          if (closed) return;
          if (observer != null && replay.isEmpty() && !queue.isEmpty()) {
            depth = queue.size();
            waited = System.nanoTime() - oldestQueuedNanos;
          }
          bytes = takeBatch();
          if (observer != null && !queue.isEmpty()) oldestQueuedNanos = System.nanoTime();
          finished = bytes == null && ending;
          if (refill != null && !refillRequested && !ending && replay.size() < refillBelow) {
            refillRequested = true;
            wanted = refill;
          }
        }
        if (wanted != null) wanted.run();
        if (bytes != null) {
          sink.write(bytes);
          headersFlushed = true; // an unbuffered write commits the headers too
          if (depth > 0) observer.written(depth, waited);
        } else if (!headersFlushed) {
          headersFlushed = true;
          sink.flush();
        } else {
          if (finished && markClosed()) sink.complete();
          return;
        }
      }
    } catch (IOException | RuntimeException e) {
      // A write to a gone client fails here or in the sink's error callback: either way, done.
      if (markClosed()) sink.abort();
    } finally {
      writeLock.unlock();
    }
  }

  /** Removes the next frame, or several coalesced into one array; null if none. Holds this. */
  private byte[] takeBatch() {
    ArrayDeque<byte[]> from = replay.isEmpty() ? queue : replay;
    byte[] first = from.poll();
    if (first == null || from.isEmpty() || first.length >= MAX_BATCH_BYTES) return first;
    int total = first.length;
    int count = 1;
    for (byte[] next : from) {
      if (total + next.length > MAX_BATCH_BYTES) break;
      total += next.length;
      count++;
    }
    if (count == 1) return first;
    byte[] batch = new byte[total];
    System.arraycopy(first, 0, batch, 0, first.length);
    int at = first.length;
    for (int i = 1; i < count; i++) {
      byte[] next = from.poll();
      System.arraycopy(next, 0, batch, at, next.length);
      at += next.length;
    }
    return batch;
  }

  /** Closes the connection once; returns whether this call did it. Never holds this while calling out. */
  private boolean markClosed() {
    synchronized (this) {
      if (closed) return false;
      closed = true;
      replay.clear();
      queue.clear();
    }
    hub.closed(this);
    return true;
  }

  @Override
  public String toString() {
    return "SseConnection{" + id + ", " + subscription + "}";
  }
}
