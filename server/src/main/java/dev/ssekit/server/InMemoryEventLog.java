package dev.ssekit.server;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link EventLog} in this process: the newest {@code capacity} events in a ring. Its history
 * begins with a random epoch when it is created, so ids it gave are unknown to any other instance
 * — a restarted server answers a client of the old process with {@code ssekit-lost}, never with
 * a different history under the same ids. The same instance handed to the next hub (as tests do
 * to simulate a shared store) keeps its history.
 *
 * <p>Thread-safe. Events are delivered to tails on the appending thread, before
 * {@link #append} returns, in offset order.
 */
public final class InMemoryEventLog implements EventLog {
  private static final Logger LOG = LoggerFactory.getLogger(InMemoryEventLog.class);
  private static final long IDEMPOTENCY_WINDOW_NANOS = 60_000_000_000L;
  private static final int MAX_IDEMPOTENCY_KEYS = 100_000;

  private final LoggedEvent[] ring;
  private final String epoch = EventId.newTag();
  private final List<TailListener> tails = new CopyOnWriteArrayList<>();
  private final Map<String, Remembered> keys = new LinkedHashMap<>(); // guarded by this, oldest first
  private EventId newest = EventId.of(0, epoch); // guarded by this

  private record Remembered(EventId id, long atNanos) {}

  /**
   * Creates a log that retains the newest {@code capacity} events.
   *
   * @param capacity events retained for replay; 0 retains none
   */
  public InMemoryEventLog(int capacity) {
    if (capacity < 0) throw new IllegalArgumentException("capacity must not be negative: " + capacity);
    this.ring = new LoggedEvent[capacity];
  }

  @Override
  public synchronized EventId append(Publication publication) {
    String idempotencyKey = publication.idempotencyKey();
    long now = System.nanoTime();
    if (idempotencyKey != null) {
      forgetKeysOlderThan(now - IDEMPOTENCY_WINDOW_NANOS);
      Remembered seen = keys.get(idempotencyKey);
      if (seen != null) return seen.id();
    }
    EventId id = EventId.of(newest.offset() + 1, EventId.newTag());
    LoggedEvent logged = LoggedEvent.of(id, newest.tag(), publication.topic(), publication.event());
    if (ring.length > 0) ring[(int) (id.offset() % ring.length)] = logged;
    newest = id;
    if (idempotencyKey != null) {
      keys.put(idempotencyKey, new Remembered(id, now));
      if (keys.size() > MAX_IDEMPOTENCY_KEYS) forgetOldestKey();
    }
    for (TailListener tail : tails) deliver(tail, logged);
    return id;
  }

  @Override
  public synchronized List<LoggedEvent> read(long fromOffset, int limit) {
    if (limit < 1) throw new IllegalArgumentException("limit must be positive: " + limit);
    long from = Math.max(fromOffset, oldestRetained());
    long to = Math.min(newest.offset(), from + limit - 1);
    List<LoggedEvent> events = new ArrayList<>((int) Math.max(0, to - from + 1));
    for (long offset = from; offset <= to; offset++) events.add(ring[(int) (offset % ring.length)]);
    return events;
  }

  @Override
  public synchronized EventId head() {
    return newest;
  }

  @Override
  public synchronized Tail tail(EventId after, TailListener listener) {
    Objects.requireNonNull(listener, "listener");
    // Catch up on what is already here, then hear each append, all under this lock: no event
    // can fall between the two.
    long next = Math.max(after.offset() + 1, oldestRetained());
    for (LoggedEvent event : read(next, Integer.MAX_VALUE)) deliver(listener, event);
    tails.add(listener);
    return () -> {
      synchronized (InMemoryEventLog.this) {
        tails.remove(listener);
      }
    };
  }

  @Override
  public synchronized Status status() {
    return new Status("memory", true, newest, null);
  }

  /** Returns {@code memory (N events)}, for logs and the server's start line. */
  @Override
  public String toString() {
    return "memory (" + ring.length + " events)";
  }

  /** Stops delivering to tails; the retained events stay readable. */
  @Override
  public synchronized void close() {
    tails.clear();
  }

  /** Returns the offset of the oldest retained event, or the next offset when none is retained. */
  private long oldestRetained() {
    return Math.max(1, newest.offset() - ring.length + 1);
  }

  private static void deliver(TailListener tail, LoggedEvent event) {
    try {
      tail.onEvent(event);
    } catch (RuntimeException e) {
      LOG.error("An event log tail failed on {}; it carries on with the next event", event.id(), e);
    }
  }

  private void forgetKeysOlderThan(long nanos) {
    for (Iterator<Remembered> it = keys.values().iterator(); it.hasNext(); ) {
      if (it.next().atNanos() - nanos >= 0) return;
      it.remove();
    }
  }

  private void forgetOldestKey() {
    Iterator<Remembered> it = keys.values().iterator();
    it.next();
    it.remove();
  }
}
