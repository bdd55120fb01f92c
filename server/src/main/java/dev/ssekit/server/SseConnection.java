package dev.ssekit.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One connected client of a hub: what it subscribed to, the events queued for it, and their
 * writing into its {@link SseSink}.
 *
 * <p>For the application: {@link #subscription()} and {@link #close()}, e.g. on logout (the
 * client's next connection goes through the connect hook again). For a transport:
 * {@link #writePossible()} and {@link #failed()}; see {@link SseSink}.
 *
 * <p>The hub queues the <em>offsets</em> of a client's events in a small ring of numbers (the
 * frames themselves stay in the hub's shared ring of recent events) and puts the client on its
 * writer's run queue; the writer — one thread per shard of clients, the only one that writes
 * this client — copies the frames into the client's own reusable buffer and hands that to the
 * sink while it is ready. So a publish stores no new object into any client, allocates nothing
 * per client, and wakes each writer thread once. A stalled socket holds no thread and delays no
 * other client; a full queue means the client is too slow: the hub cuts it off, and it resumes
 * with {@code Last-Event-ID}.
 *
 * <p>A client that resumes far back first catches up: it is not yet live (the hub queues it
 * nothing) and its replay arrives in pages, each asked for through the refill callback when the
 * previous one is nearly written, so a long absence never floods memory.
 *
 * <p>Threads: the hub queues under its lock (one producer); the shard's writer drains (one
 * consumer); transports and applications only flag and schedule. Lock order: the hub's lock, then
 * this connection's monitor (the replay), then the shard's; never the other way round.
 */
public final class SseConnection {
  /**
   * The size of each connection's write buffer: small frames (heartbeats, most events) are copied
   * into it, several per write when several wait, saving system calls; a larger frame is written
   * as the hub's shared array. Small, because every connection has one.
   */
  private static final int BUFFER = 512;
  private static final AtomicLong IDS = new AtomicLong();

  /** Receives what the writer did, for metrics; called on writer threads. */
  interface Observer {
    /** A batch of frames was handed to the sink: {@code waitedNanos} after the oldest was queued, {@code depth} frames queued before. */
    void written(int depth, long waitedNanos);
  }

  private final String id = "c" + IDS.incrementAndGet();
  private final Instant connectedAt = Instant.now();
  private final SseSink sink;
  private final int capacity;
  private final Object owner;
  private final Subscription subscription;
  private final Observer observer;
  private final SseHub hub;

  /** Frames with an offset up to this are not for this client: its replay already held them. Guarded by the hub's lock. */
  long skipUpTo;
  /** The event at {@link #skipUpTo} as the client has it; the tail's event there must be the same. Guarded by the hub's lock. */
  EventId skipId;
  /** The newest offset this client has everything of (queued, or not in its topics). Guarded by the hub's lock. */
  long seenUpTo;
  /** When the hub last queued a frame for it, for per-client keep-alives. Guarded by the hub's lock. */
  long lastQueuedNanos = System.nanoTime();
  /** The offset of the last live event written (0: none yet); the writer's alone. A number: no reference stored per write. */
  private long writtenUpTo;
  /** The hash of that event's tag, to tell it from another history's event at the same offset. */
  private int writtenTag;

  // The queue: offsets of live events, a single-producer (the hub, under its lock) single-consumer
  // (the writer) ring that grows up to the capacity. Numbers, not references: queuing stores no
  // pointer into this long-lived object, which the collector would otherwise have to track.
  private volatile long[] offsets = new long[4];
  private volatile long produced;
  private volatile long consumed;
  // Frames the hub could not express as offsets: the replay, the connect frames, keep-alives.
  // Guarded by this. The replay does not count against the capacity: pages bound it.
  private final ArrayDeque<byte[]> frames = new ArrayDeque<>();
  private Runnable refill; // asks for the next page of a catch-up; null when none is wanted
  private int refillBelow;
  private boolean refillRequested;

  private final AtomicInteger scheduled = new AtomicInteger(); // 1 while on the writer's run queue
  private volatile boolean started;
  private volatile boolean ending;
  private volatile boolean closed;
  private Writers.Shard shard;
  private int slot;

  // The writer's own.
  private ByteBuffer out;
  private boolean headersFlushed;

  SseConnection(SseSink sink, int capacity, Object owner, Subscription subscription, Observer observer, SseHub hub) {
    this.sink = sink;
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
  public boolean isClosed() {
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
    started = true;
    schedule();
  }

  /** Called by the transport when the connection failed or the response ended underneath the hub. */
  public void failed() {
    if (markClosed()) sink.complete();
  }

  /** Returns the tag given at creation, e.g. the route that accepted this client. */
  Object owner() {
    return owner;
  }

  /** The hub refused this connection: it closes without touching the sink, which the transport answers. */
  void refused() {
    markClosed();
  }

  /** Returns the transport's side of this connection. */
  SseSink sink() {
    return sink;
  }

  /** Called by the shard that took this connection. */
  void placed(Writers.Shard shard, int slot) {
    this.shard = shard;
    this.slot = slot;
  }

  /**
   * Queues {@code frames} to send before any live frame, outside the capacity. While
   * {@code refill} is not null, it is run (once, until the next call of this method) when fewer
   * than {@code refillBelow} of them are left to write; null ends the catch-up.
   */
  void replay(List<byte[]> frames, Runnable refill, int refillBelow) {
    synchronized (this) {
      if (closed) return;
      this.frames.addAll(frames);
      this.refill = refill;
      this.refillBelow = refillBelow;
      refillRequested = false;
    }
    // An empty page that wants the next one still needs the writer: only it asks for pages.
    if (!frames.isEmpty() || refill != null) schedule();
  }

  /**
   * Queues the live event at {@code offset}, which the hub keeps in its ring of recent events.
   * Returns false if the queue is full: the client is too slow and the caller must
   * {@link #abort} it. A closed or ending connection ignores the event. Holds the hub's lock.
   */
  boolean offer(long offset) {
    if (closed || ending) return true;
    long p = produced;
    long c = consumed;
    if (p - c >= capacity) return false;
    long[] ring = offsets;
    if (p - c == ring.length) ring = grow(ring, p, c);
    ring[(int) p & (ring.length - 1)] = offset;
    produced = p + 1;
    schedule();
    return true;
  }

  /**
   * Queues a frame that is not an event of the stream (a keep-alive). Returns false if the
   * client already has a queue's worth of them waiting: it reads nothing, and must be cut off.
   * Holds the hub's lock.
   */
  boolean offerFrame(byte[] frame) {
    synchronized (this) {
      if (closed || ending) return true;
      if (frames.size() >= capacity) return false;
      frames.add(frame);
    }
    schedule();
    return true;
  }

  private long[] grow(long[] ring, long p, long c) {
    long[] bigger = new long[ring.length * 2]; // a power of two, so that an offset's index is a mask
    for (long i = c; i < p; i++) bigger[(int) i & (bigger.length - 1)] = ring[(int) i & (ring.length - 1)];
    offsets = bigger; // the writer reads entries below produced, which both arrays hold alike
    return bigger;
  }

  /** Sends what is queued, then ends the response normally. */
  void end() {
    if (closed || ending) return;
    ending = true;
    schedule();
  }

  /** Cuts the connection now, dropping what is queued; returns false if it had already closed. */
  boolean abort() {
    if (!markClosed()) return false;
    sink.abort();
    return true;
  }

  /** Returns whether anything waits to be written; holds the hub's lock, so nothing is being queued. */
  boolean hasQueued() {
    if (produced != consumed) return true;
    synchronized (this) {
      return !frames.isEmpty();
    }
  }

  /** Drops the queued live events: the client is no longer live, and a catch-up reads them again. On the writer's thread. */
  void dropQueuedEvents() {
    consumed = produced;
  }

  /** Returns whether the stream was told to end once what is queued is written. */
  boolean isEnding() {
    return ending;
  }

  /** Returns whether live events wait to be written; holds the hub's lock, so none is being queued. */
  boolean hasQueuedEvents() {
    return produced != consumed;
  }

  /** Returns the number of frames waiting to be written. */
  synchronized int queued() {
    return frames.size() + (int) (produced - consumed);
  }

  private void schedule() {
    Writers.Shard s = shard;
    if (s != null && started && scheduled.compareAndSet(0, 1)) s.schedule(slot);
  }

  /** Writes what it can; only ever on this connection's writer thread. */
  void drainOnShard() {
    scheduled.set(0); // from here on, new work schedules another drain
    if (closed) return;
    try {
      while (sink.isReady()) {
        if (closed) return;
        if (!headersFlushed) {
          // The head goes out alone, first: a transport may then write the body its own way.
          headersFlushed = true;
          sink.flush();
          continue;
        }
        if (writeFrames()) continue;
        if (writeQueued()) continue;
        if (ending && produced == consumed && queuedFramesEmpty() && markClosed()) sink.complete();
        return;
      }
    } catch (IOException | RuntimeException e) {
      // A write to a gone client fails here or in the sink's error callback: either way, done.
      if (markClosed()) sink.abort();
    }
  }

  /**
   * Writes the frames that are not live events (the replay, keep-alives), as many as fit one
   * write, asking for the next page of a catch-up when few are left; returns false if none waits.
   */
  private boolean writeFrames() throws IOException {
    Runnable wanted = null;
    ByteBuffer write = null;
    synchronized (this) {
      byte[] first = frames.peek();
      if (first != null) {
        if (first.length > BUFFER) {
          write = ByteBuffer.wrap(frames.poll());
        } else {
          if (out == null) out = ByteBuffer.allocate(BUFFER);
          write = out.clear();
          for (byte[] frame; (frame = frames.peek()) != null && frame.length <= write.remaining(); frames.poll()) {
            write.put(frame);
          }
          write.flip();
        }
      }
      if (refill != null && !refillRequested && !ending && frames.size() < refillBelow) {
        refillRequested = true;
        wanted = refill;
      }
    }
    if (wanted != null) wanted.run();
    if (write == null) return wanted != null;
    sink.write(write);
    return true;
  }

  private synchronized boolean queuedFramesEmpty() {
    return frames.isEmpty();
  }

  /**
   * Copies the frames of queued offsets, as many as fit one write, into this connection's buffer
   * and writes it; returns false if none is queued. An offset the hub's ring no longer holds
   * means the client fell too far behind: it is cut off.
   */
  private boolean writeQueued() throws IOException {
    long c = consumed;
    long p = produced;
    if (c == p) return false;
    long[] ring = offsets;
    int depth = (int) (p - c);
    long waited = observer == null ? 0 : System.nanoTime() - hub.queuedNanos(ring[(int) c & (ring.length - 1)]);
    ByteBuffer write = null;
    EventId last = null;
    long n = c;
    while (n < p) {
      LoggedEvent event = hub.recent(ring[(int) n & (ring.length - 1)]);
      if (event == null) {
        if (write != null) break; // write what was found; the miss comes up again next
        // The ring let go of it (many or large events went by): the log still has it.
        hub.fellBehind(this, writtenUpTo, writtenTag);
        return true;
      }
      byte[] frame = event.frame();
      if (frame.length > BUFFER) {
        if (write == null) {
          write = ByteBuffer.wrap(frame); // alone, as the shared array
          last = event.id();
          n++;
        }
        break;
      }
      if (write == null) {
        if (out == null) out = ByteBuffer.allocate(BUFFER);
        write = out.clear();
      }
      if (frame.length > write.remaining()) break;
      write.put(frame);
      last = event.id();
      n++;
    }
    if (write == out) write.flip();
    writtenUpTo = last.offset();
    writtenTag = last.tag().hashCode(); // cached by the string: no work, and an int, not a reference
    consumed = n;
    sink.write(write);
    if (observer != null) observer.written(depth, waited);
    return true;
  }

  /** Closes the connection once; returns whether this call did it. */
  private boolean markClosed() {
    synchronized (this) {
      if (closed) return false;
      closed = true;
      frames.clear();
    }
    consumed = produced;
    hub.closed(this);
    Writers.Shard s = shard;
    if (s != null) s.unregister(slot);
    return true;
  }

  @Override
  public String toString() {
    return "SseConnection{" + id + ", " + subscription + "}";
  }
}
