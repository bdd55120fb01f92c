package dev.ssekit.client;

import dev.ssekit.protocol.PayloadType;
import dev.ssekit.protocol.TypedEvent;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@link Flow.Publisher} of {@link SseClient.Builder#publisher}: one client per subscriber,
 * whose typed handler hands each event to the subscriber when, and only when, it has demand.
 *
 * <p>Backpressure needs no buffer of its own. While the subscriber has no demand, the handler
 * waits on the callback thread; the client's callback buffer fills; the reader stops reading; TCP
 * pushes back on the server. Every signal comes from the callback thread, one at a time, so the
 * Reactive Streams rule that signals are serial holds by construction.
 *
 * @param <T> the Java type of the events' data
 */
final class EventPublisher<T> implements Flow.Publisher<TypedEvent<T>> {
  private final SseClient.Builder settings;
  private final String eventType;
  private final PayloadType<T> type;

  /** Copies {@code settings} as they are now. */
  EventPublisher(SseClient.Builder settings, String eventType, PayloadType<T> type) {
    settings.resolvedRequest(); // fail now, not at the first subscription
    this.settings = settings.copy();
    this.eventType = Objects.requireNonNull(eventType, "eventType");
    this.type = Objects.requireNonNull(type, "type");
  }

  @Override
  public void subscribe(Flow.Subscriber<? super TypedEvent<T>> subscriber) {
    Objects.requireNonNull(subscriber, "subscriber");
    open(subscriber);
  }

  /** Subscribes and returns the subscription, for {@link SseEventStream}, which closes it synchronously. */
  Demand<T> open(Flow.Subscriber<? super TypedEvent<T>> subscriber) {
    Demand<T> demand = new Demand<>(subscriber);
    SseClient client = settings.copy().onEvent(eventType, type, demand::deliver).terminal(demand::terminate).build();
    demand.client = client;
    try {
      subscriber.onSubscribe(demand);
    } catch (RuntimeException | Error e) {
      demand.cancel(); // rule 2.13 forbids the throw; at least leave nothing behind, and signal nothing
      client.close();
      throw e;
    }
    demand.start();
    return demand;
  }

  /** A subscriber's demand, and the client that serves it. */
  static final class Demand<T> implements Flow.Subscription {
    private final Flow.Subscriber<? super TypedEvent<T>> subscriber;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private SseClient client; // set before onSubscribe, read after
    // Guarded by lock:
    private long requested;
    private boolean cancelled;
    private boolean started;
    private IllegalArgumentException badRequest;

    Demand(Flow.Subscriber<? super TypedEvent<T>> subscriber) {
      this.subscriber = subscriber;
    }

    /** After {@code onSubscribe} returned: starts the client, or closes it if the subscriber already cancelled. */
    void start() {
      boolean cancelledAlready;
      lock.lock();
      try {
        started = true;
        cancelledAlready = cancelled;
      } finally {
        lock.unlock();
      }
      if (cancelledAlready) {
        client.close(); // its last callback still tells the subscriber of a bad request
      } else {
        client.start();
      }
    }

    @Override
    public void request(long n) {
      lock.lock();
      try {
        if (cancelled) return;
        if (n <= 0) {
          badRequest = new IllegalArgumentException("request(" + n + "): demand must be positive (Reactive Streams rule 3.9)");
          cancelLocked();
        } else {
          requested = requested + n < 0 ? Long.MAX_VALUE : requested + n; // rule 3.17: saturate
          changed.signalAll();
        }
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void cancel() {
      lock.lock();
      try {
        if (!cancelled) cancelLocked();
      } finally {
        lock.unlock();
      }
    }

    /** Cancels, then waits for the client's threads to end: for a pull stream's {@code close()}. */
    void cancelAndWait() {
      cancel();
      client.close();
    }

    private void cancelLocked() {
      cancelled = true;
      changed.signalAll(); // a handler waiting for demand gives up
      // Not before start(): that would let the client's last callback race onSubscribe.
      if (started) client.closeAsync();
    }

    /** The client's handler, on its callback thread: waits for demand, then signals the event. */
    void deliver(TypedEvent<T> event) {
      lock.lock();
      try {
        while (requested == 0 && !cancelled) changed.await();
        if (cancelled) return;
        if (requested != Long.MAX_VALUE) requested--;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // close() ran out of patience; the client is closing
        return;
      } finally {
        lock.unlock();
      }
      subscriber.onNext(event);
    }

    /** The client's last callback but {@code onClosed}: ends the subscription unless it was cancelled. */
    void terminate(SseException fatal) {
      Throwable error;
      lock.lock();
      try {
        if (cancelled && badRequest == null) return;
        cancelled = true;
        error = badRequest != null ? badRequest : fatal;
      } finally {
        lock.unlock();
      }
      if (error != null) {
        subscriber.onError(error);
      } else {
        subscriber.onComplete();
      }
    }
  }
}
