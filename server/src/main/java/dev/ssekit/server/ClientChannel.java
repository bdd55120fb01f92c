package dev.ssekit.server;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One connected client: a bounded queue of encoded frames and a single non-blocking writer.
 *
 * <p>Publishers only enqueue (under the hub's lock, in O(1)); a writer thread drains the queue
 * into the {@link Sink} while it is ready and leaves when it is not, so a stalled socket holds
 * no thread and delays no other client. Only one thread writes at a time, so frames never
 * interleave. A full queue means the client is too slow: the hub cuts it off, and it resumes
 * with {@code Last-Event-ID}.
 *
 * <p>A client that resumes far back first catches up: it is not yet live (the hub does not
 * offer it new frames) and its replay arrives in pages, each asked for through the refill
 * callback when the previous one is nearly written, so a long absence never floods memory.
 *
 * <p>Lock order: the hub's lock, then this channel's monitor; never the other way round. The
 * writer holds {@code writeLock} and takes the monitor briefly; it never holds the monitor while
 * it calls the sink or a callback.
 */
final class ClientChannel {
  /**
   * Coalesce queued frames into writes of at most this many bytes, to save system calls; kept
   * below Jetty's 32 KiB response buffer, which it would otherwise cut writes into.
   */
  private static final int MAX_BATCH_BYTES = 16 * 1024;

  /**
   * A non-blocking byte sink in the style of the servlet {@code WriteListener} contract: write
   * only after {@link #isReady()} returned true; when it returns false, the sink calls
   * {@link ClientChannel#writePossible()} once it is ready again.
   */
  interface Sink {
    /** Returns whether a write or flush may be issued now. */
    boolean isReady();

    /** Starts writing {@code bytes}; the sink may keep the array until the write completes. */
    void write(byte[] bytes) throws IOException;

    /** Starts flushing what was written, committing the response headers if still pending. */
    void flush() throws IOException;

    /** Ends the response normally; called once, when everything was written. */
    void complete();

    /** Cuts the connection now, discarding anything unwritten; called once. */
    void abort();
  }

  private final Sink sink;
  private final Executor writers;
  private final int capacity;
  private final Consumer<ClientChannel> onClosed;
  private final Object owner;
  private final ReentrantLock writeLock = new ReentrantLock();

  /** Frames with an offset up to this are not for this client: its replay already held them. Guarded by the hub's lock. */
  long skipUpTo;

  // Guarded by this. The replay is sent first and does not count against the capacity: it is
  // bounded by the log, and counting it would cut off a client that resumes after a long absence
  // at the first live event, again and again.
  private final ArrayDeque<byte[]> replay = new ArrayDeque<>();
  private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
  private Runnable refill; // asks for the next page of a catch-up; null when none is wanted
  private int refillBelow;
  private boolean refillRequested;
  private boolean started;
  private boolean drainScheduled;
  private boolean ending;
  private boolean closed;

  // Guarded by writeLock.
  private boolean headersFlushed;

  /**
   * Creates a channel that writes to {@code sink} on {@code writers} once {@link #writePossible()}
   * is first called, and calls {@code onClosed} exactly once when it closes for any reason.
   */
  ClientChannel(Sink sink, Executor writers, int capacity, Object owner, Consumer<ClientChannel> onClosed) {
    this.sink = sink;
    this.writers = writers;
    this.capacity = capacity;
    this.owner = owner;
    this.onClosed = onClosed;
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
   * caller must {@link #abort} it. A closed or ending channel ignores the frame.
   */
  boolean offer(byte[] frame) {
    synchronized (this) {
      if (closed || ending) return true;
      if (queue.size() >= capacity) return false;
      queue.add(frame);
      if (!started || drainScheduled) return true;
      drainScheduled = true;
    }
    writers.execute(this::drain);
    return true;
  }

  /** Called by the sink when it can take writes: the first call starts the channel. */
  void writePossible() {
    synchronized (this) {
      started = true;
    }
    drain();
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

  /** Cuts the connection now, dropping queued frames; returns false if the channel had already closed. */
  boolean abort() {
    if (!markClosed()) return false;
    sink.abort();
    return true;
  }

  /** Called by the sink when the connection failed or the response ended underneath us. */
  void failed() {
    if (markClosed()) sink.complete();
  }

  /** Returns whether this channel has closed. */
  synchronized boolean isClosed() {
    return closed;
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
        synchronized (this) {
          if (closed) return;
          bytes = takeBatch();
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

  /** Closes the channel once; returns whether this call did it. Never holds this while calling out. */
  private boolean markClosed() {
    synchronized (this) {
      if (closed) return false;
      closed = true;
      replay.clear();
      queue.clear();
    }
    onClosed.accept(this);
    return true;
  }
}
