package dev.ssekit.server;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's writer threads ({@code ssekit-writer-N}), each the sole writer of a shard of the
 * connections. A connection with work is put on its shard's run queue once (by slot number, so
 * the queue holds no references the garbage collector must track) and the shard's thread writes
 * it out; an event to ten thousand clients wakes each writer once, not once per client.
 */
final class Writers {
  private static final Logger LOG = LoggerFactory.getLogger(Writers.class);
  private final Shard[] shards;
  private int next; // guarded by this: the shard the next connection goes to

  Writers(int threads) {
    shards = new Shard[threads];
    for (int i = 0; i < threads; i++) shards[i] = new Shard();
    for (Shard shard : shards) shard.thread.start();
  }

  /** Gives {@code connection} a shard and a slot in it; from now on only that shard's thread drains it. */
  void register(SseConnection connection) {
    Shard shard;
    synchronized (this) {
      shard = shards[next];
      next = (next + 1) % shards.length;
    }
    shard.register(connection);
  }

  /** Returns how many connections hold a slot, on every shard. */
  int connections() {
    int n = 0;
    for (Shard shard : shards) {
      synchronized (shard) {
        n += shard.used - shard.freeCount;
      }
    }
    return n;
  }

  /** Stops the threads after the work already queued; returns when they ended or {@code millis} passed. */
  void close(long millis) {
    for (Shard shard : shards) shard.stop();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    try {
      for (Shard shard : shards) shard.thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Shard shard : shards) shard.thread.interrupt();
  }

  /** Threads currently alive, for tests. */
  List<Thread> threads() {
    List<Thread> threads = new ArrayList<>();
    for (Shard shard : shards) threads.add(shard.thread);
    return threads;
  }

  /** One writer thread, its connections by slot, and the slots that have work, in order. */
  static final class Shard {
    private final Thread thread = NamedThreads.factory("ssekit-writer").newThread(this::run);
    private SseConnection[] slots = new SseConnection[64]; // guarded by this
    private int[] free = new int[64]; // guarded by this: a stack of unused slots
    private int freeCount;
    private int used;
    private int[] queue = new int[64]; // guarded by this: a ring of slots to drain, each at most once
    private int head;
    private int size;
    private boolean waiting;
    private boolean stopping;

    synchronized void register(SseConnection connection) {
      int slot;
      if (freeCount > 0) {
        slot = free[--freeCount];
      } else {
        if (used == slots.length) grow();
        slot = used++;
      }
      slots[slot] = connection;
      connection.placed(this, slot);
    }

    synchronized void unregister(int slot) {
      slots[slot] = null;
      if (freeCount == free.length) free = Arrays.copyOf(free, free.length * 2);
      free[freeCount++] = slot;
    }

    /** Queues {@code slot} to be drained; the caller made sure it is not queued already. */
    synchronized void schedule(int slot) {
      if (stopping) return;
      if (size == queue.length) {
        int[] bigger = new int[queue.length * 2];
        for (int i = 0; i < size; i++) bigger[i] = queue[(head + i) % queue.length];
        queue = bigger;
        head = 0;
      }
      queue[(head + size) % queue.length] = slot;
      size++;
      if (waiting) {
        waiting = false;
        notify();
      }
    }

    private void grow() {
      slots = Arrays.copyOf(slots, slots.length * 2);
      if (queue.length < slots.length) {
        int[] bigger = new int[slots.length];
        for (int i = 0; i < size; i++) bigger[i] = queue[(head + i) % queue.length];
        queue = bigger;
        head = 0;
      }
    }

    synchronized void stop() {
      stopping = true;
      notify();
    }

    private void run() {
      while (true) {
        SseConnection connection;
        synchronized (this) {
          while (size == 0) {
            if (stopping) return;
            waiting = true;
            try {
              wait();
            } catch (InterruptedException e) {
              return;
            }
          }
          int slot = queue[head];
          head = (head + 1) % queue.length;
          size--;
          connection = slots[slot];
        }
        if (connection == null) continue;
        try {
          connection.drainOnShard();
        } catch (Throwable e) {
          // Not expected (the drain ends a connection whose writes fail), but one connection's
          // failure must not take the thread, and every connection of its shard, with it.
          LOG.error("A writer failed on {}; cutting that client off", connection, e);
          connection.abort();
        }
      }
    }
  }
}
