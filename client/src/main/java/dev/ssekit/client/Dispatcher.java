package dev.ssekit.client;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs callbacks one at a time, in the order they were queued, on an executor, never on the
 * thread that queues them. The queue is bounded: {@link #put} waits while it is full, which
 * stops the socket reader and lets TCP push back on the server rather than buffering without end.
 *
 * <p>Package-private: not part of ssekit's API.
 */
final class Dispatcher {
  private final BlockingQueue<Runnable> queue;
  private final Executor executor;
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile boolean closing;
  private volatile boolean dropping;
  private volatile Runnable last;
  private volatile Thread running;

  /**
   * Creates a dispatcher.
   *
   * @param capacity the most callbacks it holds
   * @param executor what runs them
   */
  Dispatcher(int capacity, Executor executor) {
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.executor = executor;
  }

  /**
   * Queues {@code callback}, waiting while the queue is full; ignored once {@link #finish} was called.
   *
   * @param callback what to run
   * @throws InterruptedException if interrupted while waiting for room
   */
  void put(Runnable callback) throws InterruptedException {
    if (closing) return;
    queue.put(callback);
    if (dropping) queue.clear(); // finish() ran meanwhile: nothing may run after its last callback
    schedule();
  }

  /**
   * Accepts no more callbacks and runs {@code lastCallback} as the very last: after those queued
   * or, if {@code dropQueued}, right after the one running now. Only the first call with a
   * callback sets the last one; any call may drop what is queued.
   *
   * @param lastCallback the last callback to run, or null to set none
   * @param dropQueued whether to drop the callbacks not yet run
   */
  synchronized void finish(Runnable lastCallback, boolean dropQueued) {
    if (dropQueued) {
      dropping = true;
      queue.clear();
    }
    if (closing || lastCallback == null) return;
    last = lastCallback;
    closing = true;
    schedule();
  }

  /**
   * Returns whether the calling thread is running a callback of this dispatcher now.
   *
   * @return true on the dispatch thread
   */
  boolean isDispatchThread() {
    return running == Thread.currentThread();
  }

  /**
   * Waits up to {@code millis} for the last callback to have run.
   *
   * @param millis the longest wait
   * @return whether it has run
   * @throws InterruptedException if interrupted while waiting
   */
  boolean awaitFinished(long millis) throws InterruptedException {
    return finished.await(millis, TimeUnit.MILLISECONDS);
  }

  private void schedule() {
    if (!scheduled.compareAndSet(false, true)) return;
    try {
      executor.execute(this::drain);
    } catch (RejectedExecutionException e) {
      scheduled.set(false);
      // The caller's executor was shut down under the client. The last callbacks must still run,
      // so they run here; before that, the rejection fails the caller (the reader), which stops.
      if (!closing) throw e;
      if (scheduled.compareAndSet(false, true)) drain();
    }
  }

  private void drain() {
    running = Thread.currentThread();
    try {
      while (true) {
        Runnable next = queue.poll();
        if (next != null) {
          if (!dropping) safely(next); // finish() may have dropped the queue after this was polled
          continue;
        }
        if (closing) {
          runLast();
          return;
        }
        scheduled.set(false);
        // Go again if work arrived (or finish() was called) after the poll and nobody else took it.
        if ((queue.isEmpty() && !closing) || !scheduled.compareAndSet(false, true)) return;
      }
    } finally {
      running = null;
    }
  }

  /**
   * Runs {@code callback}, reporting whatever it throws to the thread's uncaught-exception handler
   * instead of throwing: what a listener throws must not stop the callbacks after it, and a stuck
   * queue would hang {@code close()}.
   *
   * @param callback what to run
   */
  static void safely(Runnable callback) {
    try {
      callback.run();
    } catch (Throwable t) {
      Thread current = Thread.currentThread();
      current.getUncaughtExceptionHandler().uncaughtException(current, t);
    }
  }

  private void runLast() {
    Runnable lastCallback;
    synchronized (this) {
      lastCallback = last;
      last = null;
    }
    if (lastCallback == null) return;
    try {
      safely(lastCallback);
    } finally {
      finished.countDown();
    }
  }
}
