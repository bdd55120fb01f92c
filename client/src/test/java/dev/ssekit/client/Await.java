package dev.ssekit.client;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition, polling briefly; fails with a description after a generous limit. */
final class Await {
  private Await() {}

  static void until(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
      LockSupport.parkNanos(2_000_000);
    }
  }

  /** Waits until at least {@code duration} has passed since {@code startNanos}: for code that must see time pass. */
  static void elapsed(long startNanos, Duration duration) {
    until(duration + " to pass", () -> System.nanoTime() - startNanos >= duration.toNanos());
  }

  /** Returns the live threads whose names start with {@code prefix}. */
  static long threads(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith(prefix))
        .count();
  }
}
