package dev.ssekit.server;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition to hold, polling briefly, and fails with a description after a generous limit. */
public final class Await {
  private static final Duration LIMIT = Duration.ofSeconds(20);

  private Await() {}

  public static void until(String what, BooleanSupplier condition) {
    until(() -> what, condition);
  }

  public static void until(Supplier<String> what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + LIMIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what.get());
      LockSupport.parkNanos(2_000_000);
    }
  }

  /** Returns the live threads whose names start with {@code prefix}, to compare with those alive later. */
  public static java.util.Set<Thread> threadSet(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith(prefix))
        .collect(java.util.stream.Collectors.toSet());
  }

  /** Waits until no thread named {@code prefix…} is alive but those in {@code before}: whatever started since has stopped. */
  public static void noThreadsBut(java.util.Set<Thread> before, String prefix) {
    until(() -> "threads to stop: " + threadSet(prefix).stream().filter(t -> !before.contains(t)).map(Thread::getName).toList(),
        () -> before.containsAll(threadSet(prefix)));
  }

  /** Returns the live threads whose names start with {@code prefix}. */
  public static long threads(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith(prefix))
        .count();
  }
}
