package dev.ssekit.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How a client waits between connection attempts: exponential backoff from an initial delay to a
 * maximum, never shorter than the server's {@code retry:} or {@code Retry-After}, plus up to a
 * fraction of the wait at random (jitter), so that clients cut off together do not come back
 * together.
 *
 * <p>An immutable value: start from {@link #DEFAULT} or {@link #NEVER} and change what you need
 * with the {@code with…} methods, which return a new policy. A class rather than a record, so that
 * a setting added later breaks no caller.
 *
 * <pre>{@code
 * ReconnectPolicy policy = ReconnectPolicy.DEFAULT
 *     .withDelays(Duration.ofMillis(500), Duration.ofMinutes(1))
 *     .withMaxAttempts(10);
 * }</pre>
 */
public final class ReconnectPolicy {
  /** 1 s doubling up to 30 s, up to 50% jitter, never giving up, reset after 10 s of health. */
  public static final ReconnectPolicy DEFAULT =
      new ReconnectPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.5, Integer.MAX_VALUE, Duration.ofSeconds(10));

  /** Never reconnects: the client stops when its first connection ends. */
  public static final ReconnectPolicy NEVER = DEFAULT.withMaxAttempts(0);

  private final Duration initialDelay;
  private final Duration maxDelay;
  private final double jitter;
  private final int maxAttempts;
  private final Duration resetAfter;

  private ReconnectPolicy(Duration initialDelay, Duration maxDelay, double jitter, int maxAttempts, Duration resetAfter) {
    Objects.requireNonNull(initialDelay, "initialDelay");
    Objects.requireNonNull(maxDelay, "maxDelay");
    Objects.requireNonNull(resetAfter, "resetAfter");
    if (initialDelay.isNegative() || maxDelay.compareTo(initialDelay) < 0) {
      throw new IllegalArgumentException("need 0 <= initialDelay <= maxDelay, got " + initialDelay + " and " + maxDelay);
    }
    if (!(jitter >= 0 && jitter <= 1)) throw new IllegalArgumentException("jitter must be within [0, 1]: " + jitter);
    if (maxAttempts < 0) throw new IllegalArgumentException("maxAttempts must not be negative: " + maxAttempts);
    if (resetAfter.isNegative()) throw new IllegalArgumentException("resetAfter must not be negative: " + resetAfter);
    this.initialDelay = initialDelay;
    this.maxDelay = maxDelay;
    this.jitter = jitter;
    this.maxAttempts = maxAttempts;
    this.resetAfter = resetAfter;
  }

  /**
   * Returns this policy with backoff from {@code initial} to {@code max}.
   *
   * @param initial the wait before the first reconnection; zero or more
   * @param max the longest backoff, at least {@code initial} (a longer server {@code retry:} still wins)
   * @return the new policy
   * @throws IllegalArgumentException unless {@code 0 <= initial <= max}
   */
  public ReconnectPolicy withDelays(Duration initial, Duration max) {
    return new ReconnectPolicy(initial, max, jitter, maxAttempts, resetAfter);
  }

  /**
   * Returns this policy with {@code jitter}.
   *
   * @param jitter the most, as a fraction of the wait, added at random: 0 (none) to 1
   * @return the new policy
   * @throws IllegalArgumentException if {@code jitter} is not within [0, 1]
   */
  public ReconnectPolicy withJitter(double jitter) {
    return new ReconnectPolicy(initialDelay, maxDelay, jitter, maxAttempts, resetAfter);
  }

  /**
   * Returns this policy giving up after {@code maxAttempts} reconnections in a row without a
   * healthy connection.
   *
   * @param maxAttempts 0 never reconnects, {@link Integer#MAX_VALUE} never gives up
   * @return the new policy
   * @throws IllegalArgumentException if {@code maxAttempts} is negative
   */
  public ReconnectPolicy withMaxAttempts(int maxAttempts) {
    return new ReconnectPolicy(initialDelay, maxDelay, jitter, maxAttempts, resetAfter);
  }

  /**
   * Returns this policy resetting the backoff after a connection that stayed up for {@code resetAfter}.
   *
   * @param resetAfter how long a connection must stay up to count as healthy; zero or more
   * @return the new policy
   * @throws IllegalArgumentException if {@code resetAfter} is negative
   */
  public ReconnectPolicy withResetAfter(Duration resetAfter) {
    return new ReconnectPolicy(initialDelay, maxDelay, jitter, maxAttempts, resetAfter);
  }

  /**
   * Returns the wait before the first reconnection.
   *
   * @return the initial delay
   */
  public Duration initialDelay() {
    return initialDelay;
  }

  /**
   * Returns the longest backoff; a longer server {@code retry:} or {@code Retry-After} still wins.
   *
   * @return the maximum delay
   */
  public Duration maxDelay() {
    return maxDelay;
  }

  /**
   * Returns the most, as a fraction of the wait, added to it at random.
   *
   * @return the jitter, within [0, 1]
   */
  public double jitter() {
    return jitter;
  }

  /**
   * Returns how many reconnections in a row without a healthy connection are made before giving up.
   *
   * @return 0 for none, {@link Integer#MAX_VALUE} for no limit
   */
  public int maxAttempts() {
    return maxAttempts;
  }

  /**
   * Returns how long a connection must stay up to count as healthy and reset the backoff.
   *
   * @return the reset time
   */
  public Duration resetAfter() {
    return resetAfter;
  }

  /**
   * Returns the wait before a reconnection: the backoff, raised to the server's minimum, plus
   * {@code random} times the jitter of that wait.
   *
   * @param attempt the reconnection's number in a row, 1 for the first
   * @param floor the least wait the server asked for ({@code retry:}, {@code Retry-After}), or null for none
   * @param random a number in [0, 1) choosing the jitter
   * @return the wait, saturated at {@link Long#MAX_VALUE} milliseconds
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

  @Override
  public boolean equals(Object o) {
    return o instanceof ReconnectPolicy p
        && initialDelay.equals(p.initialDelay)
        && maxDelay.equals(p.maxDelay)
        && Double.compare(jitter, p.jitter) == 0
        && maxAttempts == p.maxAttempts
        && resetAfter.equals(p.resetAfter);
  }

  @Override
  public int hashCode() {
    return Objects.hash(initialDelay, maxDelay, jitter, maxAttempts, resetAfter);
  }

  @Override
  public String toString() {
    return "ReconnectPolicy{initialDelay=" + initialDelay + ", maxDelay=" + maxDelay + ", jitter=" + jitter
        + ", maxAttempts=" + maxAttempts + ", resetAfter=" + resetAfter + "}";
  }

  private static long saturatedMillis(Duration d) {
    try {
      return d.toMillis();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }
}
