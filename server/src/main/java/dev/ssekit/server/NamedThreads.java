package dev.ssekit.server;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Names ssekit's threads {@code prefix-N}, so every one is recognisable in a thread dump.
 * The hub's and the heartbeat source's; the client names its own two threads.
 */
final class NamedThreads {
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private NamedThreads() {}

  /** Returns a factory of non-daemon threads named {@code prefix-N}, N unique in the process. */
  static ThreadFactory factory(String prefix) {
    return r -> new Thread(r, prefix + "-" + SEQUENCE.incrementAndGet());
  }
}
