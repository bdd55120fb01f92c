package dev.ssekit.protocol;

/**
 * Thrown when an event's data cannot be converted to the Java type asked for, or a value cannot
 * be converted to data; names the event type and id so the caller can tell which event it was.
 */
public final class PayloadException extends RuntimeException {
  private final String eventType;
  private final String eventId;
  private final Class<?> javaType;

  /** Creates the exception for the event {@code eventType}/{@code eventId} and {@code javaType}. */
  public PayloadException(String message, String eventType, String eventId, Class<?> javaType, Throwable cause) {
    super(message, cause);
    this.eventType = eventType;
    this.eventId = eventId;
    this.javaType = javaType;
  }

  /** Returns the type of the event whose payload failed. */
  public String eventType() {
    return eventType;
  }

  /** Returns the id of the event whose payload failed, or null if it had none. */
  public String eventId() {
    return eventId;
  }

  /** Returns the Java type the payload was converted to or from. */
  public Class<?> javaType() {
    return javaType;
  }
}
