package dev.ssekit.server;

/**
 * Thrown when an {@link EventLog} cannot do what was asked, most often because its store is
 * unreachable; nothing was appended unless the message says otherwise. Callers may retry:
 * connected clients are not affected, and a publish retried with the same idempotency key is
 * never doubled.
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
