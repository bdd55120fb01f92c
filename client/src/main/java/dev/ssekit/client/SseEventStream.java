package dev.ssekit.client;

import dev.ssekit.protocol.TypedEvent;
import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Flow;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * A blocking iterator over the events of one event type, for code that prefers a loop to
 * callbacks; made by {@link SseClient.Builder#stream} (the converted values) or
 * {@link SseClient.Builder#eventStream} (each value with its event's id, type and retry):
 *
 * <pre>{@code
 * try (SseEventStream<Heartbeat> beats = SseClient.builder().url(url).stream("heartbeat", Heartbeat.class)) {
 *   for (Heartbeat beat : beats.iterable()) System.out.println(beat.time());
 * }
 * }</pre>
 *
 * <p>It reads one event ahead of the loop: the rest wait in the client's callback buffer (at most
 * {@link SseClient.Builder#bufferCapacity} events), and while that is full the client stops
 * reading (and resumes later from its last event id), so a slow loop loses nothing.
 * Reconnections happen behind it; it ends when the client stops for good, and then throws the
 * {@link SseException} that stopped it, if any. Not for use by several threads.
 *
 * @param <T> the type of the items: the converted data, or {@link TypedEvent}s
 */
public final class SseEventStream<T> implements Iterator<T>, AutoCloseable {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private volatile EventPublisher.Demand<?> demand; // set once, by start()
  // Guarded by lock:
  private T item;
  private boolean hasItem;
  private boolean requested;
  private boolean ended;
  private RuntimeException failure;

  private SseEventStream() {}

  /** Subscribes a new stream to {@code publisher}, which starts its client. */
  static <E, T> SseEventStream<T> start(EventPublisher<E> publisher, Function<TypedEvent<E>, T> items) {
    SseEventStream<T> stream = new SseEventStream<>();
    stream.demand = publisher.open(stream.new Receiver<>(items));
    return stream;
  }

  /**
   * Waits until an event is available or the stream has ended.
   *
   * @return true if {@link #next()} has an event, false at the end
   * @throws SseException the error that stopped the client, once every event read was taken
   * @throws CancellationException if the waiting thread is interrupted
   */
  @Override
  public boolean hasNext() {
    lock.lock();
    try {
      while (!hasItem && !ended) {
        askForOne();
        changed.await();
      }
      return available();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted while waiting for an event");
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns the next event, waiting for it; see {@link #hasNext()}.
   *
   * @return the next event
   * @throws NoSuchElementException if the stream has ended
   * @throws SseException the error that stopped the client, once every event read was taken
   * @throws CancellationException if the waiting thread is interrupted
   */
  @Override
  public T next() {
    lock.lock();
    try {
      if (!hasNext()) throw new NoSuchElementException("the event stream has ended");
      return take();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns the next event, waiting at most {@code timeout} for it.
   *
   * @param timeout how long to wait
   * @return the event, or null if none arrived in time or the stream has ended
   * @throws InterruptedException if the waiting thread is interrupted
   * @throws SseException the error that stopped the client, once every event read was taken
   */
  public T poll(Duration timeout) throws InterruptedException {
    lock.lock();
    try {
      long nanos = timeout.toNanos();
      while (!hasItem && !ended && nanos > 0) {
        askForOne();
        nanos = changed.awaitNanos(nanos);
      }
      return available() ? take() : null;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns this stream as an {@link Iterable} for a for-each loop; it can be iterated once.
   *
   * @return a view of this stream
   */
  public Iterable<T> iterable() {
    return () -> this;
  }

  /**
   * Closes the client, waiting (bounded, as {@link SseClient#close()}) for its threads to end;
   * then {@link #hasNext()} returns false once the event already taken from the client is.
   */
  @Override
  public void close() {
    lock.lock();
    try {
      ended = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    demand.cancelAndWait();
  }

  /** Holds the lock. */
  private void askForOne() {
    if (requested) return;
    requested = true;
    demand.request(1); // never signals from here: onNext comes from the callback thread
  }

  /** Holds the lock, with an item there. */
  private T take() {
    T taken = item;
    item = null;
    hasItem = false;
    if (!ended) askForOne(); // fetch the next while the caller handles this one
    return taken;
  }

  /** Holds the lock: whether an item is there; at the end, throws the failure if there is one. */
  private boolean available() {
    if (hasItem) return true;
    if (failure != null) throw failure;
    return false;
  }

  /** Receives from the client's callback thread. */
  private final class Receiver<E> implements Flow.Subscriber<TypedEvent<E>> {
    private final Function<TypedEvent<E>, T> items;

    Receiver(Function<TypedEvent<E>, T> items) {
      this.items = items;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      // The stream asks through its Demand, which it has once open() returns.
    }

    @Override
    public void onNext(TypedEvent<E> event) {
      T mapped = items.apply(event);
      lock.lock();
      try {
        item = mapped;
        hasItem = true;
        requested = false;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void onError(Throwable error) {
      lock.lock();
      try {
        failure = error instanceof RuntimeException e ? e : new IllegalStateException(error);
        ended = true;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void onComplete() {
      lock.lock();
      try {
        ended = true;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }
}
