package dev.ssekit.protocol;

import java.time.Duration;
import java.util.Objects;

/**
 * A received event whose data was converted to a Java value, with the type, id and retry it
 * came with: what Spring's {@code ServerSentEvent<T>} gives its users. Immutable.
 *
 * @param <T> the Java type of the data
 */
public final class TypedEvent<T> {
  private final String type;
  private final T data;
  private final String id;
  private final Duration retry;

  private TypedEvent(String type, T data, String id, Duration retry) {
    this.type = type;
    this.data = data;
    this.id = id;
    this.retry = retry;
  }

  /**
   * Returns {@code event}'s type, id and retry carrying {@code data}, the value its data converted to.
   *
   * @param <T> the Java type of the data
   * @param event the event as received
   * @param data the value of its data
   * @return the typed event
   */
  public static <T> TypedEvent<T> of(ServerSentEvent event, T data) {
    return new TypedEvent<>(event.type(), Objects.requireNonNull(data, "data"), event.id(), event.retry());
  }

  /**
   * Returns the event type.
   *
   * @return the type; {@value ServerSentEvent#DEFAULT_TYPE} when the stream named none
   */
  public String type() {
    return type;
  }

  /**
   * Returns the event's data as a Java value.
   *
   * @return the value; never null
   */
  public T data() {
    return data;
  }

  /**
   * Returns the id: as {@link ServerSentEvent#id()}, the stream's last event id in effect when the
   * event arrived.
   *
   * @return the id, or null for none
   */
  public String id() {
    return id;
  }

  /**
   * Returns the reconnection time the event's block set with {@code retry:}.
   *
   * @return the reconnection time, or null if the block set none
   */
  public Duration retry() {
    return retry;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TypedEvent<?> e
        && type.equals(e.type)
        && data.equals(e.data)
        && Objects.equals(id, e.id)
        && Objects.equals(retry, e.retry);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, data, id, retry);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("TypedEvent{type=").append(type);
    if (id != null) s.append(", id=").append(id);
    if (retry != null) s.append(", retry=").append(retry.toMillis()).append("ms");
    return s.append(", data=").append(data).append('}').toString();
  }
}
