package dev.ssekit.server;

import java.util.List;

/**
 * The ordered, retained history of a stream: it gives each event its {@link EventId}, keeps
 * recent events for clients that resume with {@code Last-Event-ID}, and delivers every event, in
 * order, to each hub that tails it. {@link InMemoryEventLog} is the default; a log on a shared
 * store (such as ssekit's Redis Streams log) lets several hubs, on several nodes, serve one
 * stream, and lets the stream outlive a process.
 *
 * <p>Hubs never call a log while holding their own lock, so every method may block on I/O;
 * each must be safe to call from any thread. A method that cannot reach the store throws
 * {@link EventLogException} within the log's own timeout rather than hanging.
 *
 * <p>Contract, for implementers (ssekit's {@code EventLogContract} test suite checks it):
 * <ul>
 *   <li>Offsets start at 1 and increase by one per event; each event carries a fresh random tag
 *       and {@linkplain LoggedEvent#previousTag() points at} the tag of the event before it (the
 *       first at the history's epoch, the tag of offset 0).
 *   <li>A history that is lost or replaced (a wiped store, a failover that reused offsets) must
 *       not continue the old chain: it starts with a new epoch, or its events carry other tags.
 *   <li>{@link #read} returns retained events only; the tail delivers every event exactly once,
 *       in offset order, including events appended by other processes.
 * </ul>
 */
public interface EventLog extends AutoCloseable {
  /**
   * Appends the publication's event as the newest event, with its topic, giving it the next
   * offset and a new tag (any id the event had is replaced), and returns once the log holds it
   * durably as far as it promises. Appending does not deliver the event: every hub delivers it
   * from its {@link #tail}.
   *
   * <p>With an {@linkplain Publication#idempotencyKey() idempotency key}, the append happens at
   * most once: a later append with the same key, within a window of at least a minute, appends
   * nothing and returns the first one's id (so a publish retried after a timeout is not doubled).
   *
   * @param publication the event, its topic and its idempotency key
   * @return the id the event was given
   * @throws EventLogException if the log cannot be reached or refuses the event
   */
  EventId append(Publication publication);

  /**
   * Returns retained events from {@code fromOffset} on, oldest first: at most {@code limit},
   * starting with the event at {@code fromOffset} if it is retained, else with the oldest
   * retained event after it.
   *
   * @param fromOffset the first offset wanted; 0 or 1 for the oldest retained
   * @param limit the most events to return, at least 1
   * @return the events, possibly none
   * @throws EventLogException if the log cannot be reached
   */
  List<LoggedEvent> read(long fromOffset, int limit);

  /**
   * Returns the id of the newest event, or {@code 0.<epoch>} when the history has none.
   *
   * @return the newest id
   * @throws EventLogException if the log cannot be reached
   */
  EventId head();

  /**
   * Starts delivering to {@code listener}, in order, every event after {@code after} (events
   * already in the log first, then each new one), on a thread the log owns (or on the appending
   * thread, for a log in this process). Delivery carries on across outages of the store, from
   * where it stopped, until the returned handle is closed.
   *
   * @param after the last event the listener has seen, or {@link #head()} to hear only new ones
   * @param listener what receives the events
   * @return the handle that stops delivery
   */
  Tail tail(EventId after, TailListener listener);

  /**
   * Returns what an operator's health check shows; never throws.
   *
   * @return the log's state now
   */
  Status status();

  /** Stops every tail and releases the log's connections and threads. */
  @Override
  void close();

  /** Receives a log's events in order; see {@link #tail}. */
  interface TailListener {
    /**
     * Called with each event, in offset order, one at a time.
     *
     * @param event the next event
     */
    void onEvent(LoggedEvent event);

    /**
     * Called when the log can no longer continue the history the listener was following (the
     * store was wiped or diverged, or trimmed past events not yet delivered): delivery goes on
     * after {@code position}, the newest event of the history the log holds now.
     *
     * @param position where delivery continues from
     */
    void onReset(EventId position);
  }

  /** A running delivery to one {@link TailListener}. */
  interface Tail extends AutoCloseable {
    /** Stops delivery; once this returns, the listener is called no more. */
    @Override
    void close();
  }

  /**
   * A log's state, for health checks.
   *
   * @param kind what the log is, e.g. {@code memory} or {@code redis}
   * @param reachable whether the store answered just now
   * @param newest the id of the newest event, or null if it could not be read
   * @param error why the store is unreachable, or null
   */
  record Status(String kind, boolean reachable, EventId newest, String error) {}
}
