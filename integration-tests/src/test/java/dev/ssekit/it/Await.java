package dev.ssekit.it;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition, polling briefly; fails with a description after a generous limit. */
final class Await {
  static final Duration LIMIT = Duration.ofSeconds(60);

  private Await() {}

  static void until(String what, BooleanSupplier condition) {
    until(() -> what, condition);
  }

  static void until(Supplier<String> what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + LIMIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out after " + LIMIT + " waiting for " + what.get());
      LockSupport.parkNanos(5_000_000);
    }
  }

  /** Returns the live threads whose names start with {@code prefix}. */
  static long threads(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith(prefix))
        .count();
  }
}
