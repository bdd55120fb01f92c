package dev.ssekit.protocol;

/**
 * Thrown when an event's data cannot be converted to the Java type asked for, or a value cannot
 * be converted to data; names the event type and id so the caller can tell which event it was.
 */
public final class PayloadException extends RuntimeException {
  /** The type of the event whose payload failed, or null if unknown. */
  private final String eventType;
  /** The id of the event whose payload failed, or null if it had none. */
  private final String eventId;
  /** The Java type the payload was converted to or from. */
  private final Class<?> javaType;

  /**
   * Creates the exception.
   *
   * @param message what went wrong, naming the event
   * @param eventType the event's type, or null if unknown (a value to encode whose class has no event type)
   * @param eventId the event's id, or null if it had none
   * @param javaType the Java type the payload was converted to or from
   * @param cause what the codec threw
   */
  public PayloadException(String message, String eventType, String eventId, Class<?> javaType, Throwable cause) {
    super(message, cause);
    this.eventType = eventType;
    this.eventId = eventId;
    this.javaType = javaType;
  }

  /**
   * Returns the type of the event whose payload failed.
   *
   * @return the event type, or null if unknown
   */
  public String eventType() {
    return eventType;
  }

  /**
   * Returns the id of the event whose payload failed.
   *
   * @return the id, or null if it had none
   */
  public String eventId() {
    return eventId;
  }

  /**
   * Returns the Java type the payload was converted to or from.
   *
   * @return the Java type
   */
  public Class<?> javaType() {
    return javaType;
  }
}
