package dev.ssekit.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How a client waits between connection attempts: exponential backoff from {@code initialDelay}
 * to {@code maxDelay}, never shorter than the server's {@code retry:} or {@code Retry-After},
 * plus up to {@code jitter} of the wait at random, so that clients cut off together do not come
 * back together.
 *
 * @param initialDelay the wait before the first reconnection
 * @param maxDelay the longest backoff (a longer server {@code retry:} still wins)
 * @param jitter the most, as a fraction of the wait, added at random; 0 for none
 * @param maxAttempts reconnections in a row without a healthy connection before giving up;
 *     0 never reconnects, {@link Integer#MAX_VALUE} never gives up
 * @param resetAfter how long a connection must stay up to count as healthy and reset the backoff
 */
public record ReconnectPolicy(Duration initialDelay, Duration maxDelay, double jitter, int maxAttempts, Duration resetAfter) {
  /** 1 s doubling up to 30 s, up to 50% jitter, never giving up, reset after 10 s of health. */
  public static final ReconnectPolicy DEFAULT =
      new ReconnectPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.5, Integer.MAX_VALUE, Duration.ofSeconds(10));

  /** Never reconnects: the client stops when its first connection ends. */
  public static final ReconnectPolicy NEVER = DEFAULT.withMaxAttempts(0);

  /** Validates the settings. */
  public ReconnectPolicy {
    Objects.requireNonNull(initialDelay, "initialDelay");
    Objects.requireNonNull(maxDelay, "maxDelay");
    Objects.requireNonNull(resetAfter, "resetAfter");
    if (initialDelay.isNegative() || maxDelay.compareTo(initialDelay) < 0) {
      throw new IllegalArgumentException("need 0 <= initialDelay <= maxDelay, got " + initialDelay + " and " + maxDelay);
    }
    if (!(jitter >= 0 && jitter <= 1)) throw new IllegalArgumentException("jitter must be within [0, 1]: " + jitter);
    if (maxAttempts < 0) throw new IllegalArgumentException("maxAttempts must not be negative: " + maxAttempts);
    if (resetAfter.isNegative()) throw new IllegalArgumentException("resetAfter must not be negative: " + resetAfter);
  }

  /** Returns this policy with backoff from {@code initial} to {@code max}. */
  public ReconnectPolicy withDelays(Duration initial, Duration max) {
    return new ReconnectPolicy(initial, max, jitter, maxAttempts, resetAfter);
  }

  /** Returns this policy with {@code jitter}. */
  public ReconnectPolicy withJitter(double jitter) {
    return new ReconnectPolicy(initialDelay, maxDelay, jitter, maxAttempts, resetAfter);
  }

  /** Returns this policy giving up after {@code maxAttempts} reconnections in a row. */
  public ReconnectPolicy withMaxAttempts(int maxAttempts) {
    return new ReconnectPolicy(initialDelay, maxDelay, jitter, maxAttempts, resetAfter);
  }

  /** Returns this policy resetting the backoff after a connection that stayed up for {@code resetAfter}. */
  public ReconnectPolicy withResetAfter(Duration resetAfter) {
    return new ReconnectPolicy(initialDelay, maxDelay, jitter, maxAttempts, resetAfter);
  }

  /**
   * Returns the wait before reconnection {@code attempt} (1 for the first): the backoff, raised to
   * {@code floor} (the server's retry or Retry-After; null for none), plus {@code random} (in
   * [0, 1)) times the jitter of that wait.
   */
  public Duration delay(int attempt, Duration floor, double random) {
    long initial = initialDelay.toMillis();
    long max = maxDelay.toMillis();
    int doublings = Math.min(Math.max(attempt - 1, 0), 62);
    long backoff = initial == 0 ? 0 : (initial > (max >> doublings) ? max : Math.min(max, initial << doublings));
    long wait = floor == null ? backoff : Math.max(backoff, saturatedMillis(floor));
    long extra = (long) (wait * jitter * random);
    return Duration.ofMillis(wait > Long.MAX_VALUE - extra ? Long.MAX_VALUE : wait + extra);
  }

  private static long saturatedMillis(Duration d) {
    try {
      return d.toMillis();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }
}
