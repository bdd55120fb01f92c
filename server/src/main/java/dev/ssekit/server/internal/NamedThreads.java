package dev.ssekit.server.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Thread factories that name threads {@code prefix-N}, so every ssekit thread is recognisable. */
public final class NamedThreads {
  private NamedThreads() {}

  /** Returns a factory of non-daemon threads named {@code prefix-1}, {@code prefix-2}, … */
  public static ThreadFactory factory(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> new Thread(r, prefix + "-" + n.incrementAndGet());
  }
}
