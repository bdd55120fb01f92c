package dev.ssekit.server;

import java.util.ArrayList;
import java.util.List;

/**
 * An {@link InMemoryEventLog} a test can steer: make it unreachable, hold back what its tails
 * deliver (a node whose tail lags the store), or hand a tail an event of its choosing.
 */
final class ControlledLog implements EventLog {
  private final InMemoryEventLog store;
  private final List<Held> held = new ArrayList<>(); // guarded by this
  private final java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
  private volatile boolean down;
  private volatile boolean holding;
  private volatile boolean forgetful;
  private volatile TailListener lastTail;

  private record Held(TailListener listener, LoggedEvent event) {}

  ControlledLog(int history) {
    this.store = new InMemoryEventLog(history);
  }

  /** Every call fails from now on, as with a store that cannot be reached. */
  void down() {
    down = true;
  }

  /** Calls work again. */
  void up() {
    down = false;
  }

  /** Reads find nothing from now on, as from a store that lost what it held. */
  void forget() {
    forgetful = true;
  }

  /** Tails receive nothing until {@link #release()}; appends and reads go on. */
  synchronized void hold() {
    holding = true;
  }

  /** Delivers what was held back, in order, and stops holding. */
  void release() {
    List<Held> out;
    synchronized (this) {
      holding = false;
      out = List.copyOf(held);
      held.clear();
    }
    for (Held h : out) h.listener().onEvent(h.event());
  }

  /** Forgets what the tails were held from (events the tails will never see). */
  synchronized void dropHeld() {
    held.clear();
  }

  /** Queues {@code event} for the newest tail, delivered at {@link #release()} after what is held. */
  synchronized void deliverHeldLater(LoggedEvent event) {
    held.add(new Held(lastTail, event));
  }

  /** Hands {@code event} to the newest tail as if the store had delivered it. */
  void deliver(LoggedEvent event) {
    lastTail.onEvent(event);
  }

  /** The limit of every read, in order. */
  final List<Integer> readLimits = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Returns how many calls failed because the store was down. */
  int failures() {
    return failures.get();
  }

  private void check() {
    if (down) {
      failures.incrementAndGet();
      throw new EventLogException("the test's store is down", null);
    }
  }

  @Override
  public EventId append(Publication publication) {
    check();
    return store.append(publication);
  }

  @Override
  public List<LoggedEvent> read(long fromOffset, int limit) {
    readLimits.add(limit);
    check();
    return forgetful ? List.of() : store.read(fromOffset, limit);
  }

  @Override
  public EventId head() {
    check();
    return store.head();
  }

  @Override
  public Tail tail(EventId after, TailListener listener) {
    lastTail = listener;
    return store.tail(after, new TailListener() {
      @Override
      public void onEvent(LoggedEvent event) {
        synchronized (ControlledLog.this) {
          if (holding) {
            held.add(new Held(listener, event));
            return;
          }
        }
        listener.onEvent(event);
      }

      @Override
      public void onReset(EventId position) {
        listener.onReset(position);
      }
    });
  }

  @Override
  public Status status() {
    return down ? new Status("controlled", false, null, "down") : store.status();
  }

  @Override
  public void close() {
    store.close();
  }
}
