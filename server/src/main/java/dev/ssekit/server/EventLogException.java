package dev.ssekit.server;

/**
 * Thrown when an {@link EventLog} cannot do what was asked, most often because its store is
 * unreachable. An append that timed out may still have reached the store: retry it with the same
 * {@linkplain Publication#withIdempotencyKey idempotency key}, which is never doubled. Connected
 * clients are not affected.
 */
public final class EventLogException extends RuntimeException {
  /**
   * Creates the exception.
   *
   * @param message what failed, for an operator
   * @param cause the underlying failure, or null
   */
  public EventLogException(String message, Throwable cause) {
    super(message, cause);
  }
}
