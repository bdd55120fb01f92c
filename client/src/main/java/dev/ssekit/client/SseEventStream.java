package dev.ssekit.client;

import dev.ssekit.protocol.EventsLost;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import okhttp3.Response;

/**
 * A blocking iterator over the typed events of one event type, for code that prefers a loop to
 * callbacks; made by {@link SseClient.Builder#stream}:
 *
 * <pre>{@code
 * try (SseEventStream<Heartbeat> beats = SseClient.builder().url(url).stream("heartbeat", Heartbeat.class)) {
 *   for (Heartbeat beat : beats.iterable()) System.out.println(beat.time());
 * }
 * }</pre>
 *
 * <p>It buffers at most the client's {@link SseClient.Builder#bufferCapacity} events; while it
 * is full the client stops reading (and resumes later from its last event id), so a slow loop
 * loses nothing. Reconnections happen behind it; it ends when the client stops for good, and
 * then throws the {@link SseException} that stopped it, if any. Not for use by several threads.
 *
 * @param <T> the Java type of the events
 */
public final class SseEventStream<T> implements Iterator<T>, AutoCloseable {
  private final int capacity;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition notFull = lock.newCondition();
  private final ArrayDeque<T> items = new ArrayDeque<>();
  private boolean ended;
  private SseException failure;
  private volatile SseClient client;

  SseEventStream(int capacity) {
    this.capacity = capacity;
  }

  void attach(SseClient client) {
    this.client = client;
  }

  /** Returns the listener that tells this stream when its client stopped, forwarding to {@code next}. */
  SseClient.Listener listening(SseClient.Listener next) {
    return new SseClient.Listener() {
      @Override
      public void onOpen(Response response) {
        next.onOpen(response);
      }

      @Override
      public void onEventsLost(EventsLost lost) {
        next.onEventsLost(lost);
      }

      @Override
      public void onError(SseException error) {
        if (error.isFatal()) fail(error);
        next.onError(error);
      }

      @Override
      public void onClosed() {
        end();
        next.onClosed();
      }
    };
  }

  /** Adds an event, waiting while the buffer is full; gives up if the stream or its client closes. */
  void offer(T item) {
    lock.lock();
    try {
      while (items.size() >= capacity && !ended) {
        if (client != null && client.isClosed()) return;
        notFull.await(100, TimeUnit.MILLISECONDS);
      }
      if (ended) return;
      items.add(item);
      notEmpty.signal();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until an event is available or the stream has ended; returns false at the end.
   *
   * @throws SseException the error that stopped the client, once every buffered event was taken
   * @throws CancellationException if the waiting thread is interrupted
   */
  @Override
  public boolean hasNext() {
    lock.lock();
    try {
      while (items.isEmpty() && !ended) notEmpty.await();
      return available();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted while waiting for an event");
    } finally {
      lock.unlock();
    }
  }

  /** Returns the next event, waiting for it; see {@link #hasNext()}. */
  @Override
  public T next() {
    lock.lock();
    try {
      if (!hasNext()) throw new NoSuchElementException("the event stream has ended");
      T item = items.poll();
      notFull.signal();
      return item;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns the next event, or null if none arrives within {@code timeout} or the stream has
   * ended; throws like {@link #hasNext()}.
   */
  public T poll(Duration timeout) throws InterruptedException {
    lock.lock();
    try {
      long nanos = timeout.toNanos();
      while (items.isEmpty() && !ended && nanos > 0) nanos = notEmpty.awaitNanos(nanos);
      if (!available()) return null;
      T item = items.poll();
      notFull.signal();
      return item;
    } finally {
      lock.unlock();
    }
  }

  /** Returns this stream as an {@link Iterable} for a for-each loop; it can be iterated once. */
  public Iterable<T> iterable() {
    return () -> this;
  }

  /** Closes the client; {@link #hasNext()} returns false once buffered events are taken. */
  @Override
  public void close() {
    end();
    SseClient c = client;
    if (c != null) c.close();
  }

  /** Holds the lock: whether an item is there; at the end, throws the failure if there is one. */
  private boolean available() {
    if (!items.isEmpty()) return true;
    if (failure != null) throw failure;
    return false;
  }

  private void fail(SseException error) {
    lock.lock();
    try {
      failure = error;
    } finally {
      lock.unlock();
    }
  }

  private void end() {
    lock.lock();
    try {
      ended = true;
      notEmpty.signalAll();
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
