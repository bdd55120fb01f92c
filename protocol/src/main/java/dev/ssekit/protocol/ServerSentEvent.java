package dev.ssekit.protocol;

import java.time.Duration;
import java.util.Objects;

/**
 * One server-sent event: a type, its data, an optional id and an optional reconnection time.
 *
 * <p>Instances are immutable and always valid: the factories reject a type or id that would
 * break the framing (CR, LF) or that receivers would silently drop (NUL in an id), and a
 * negative retry. Events produced by {@link SseDecoder} carry exactly what the stream said.
 *
 * <p>This is a final class rather than a record so that the decoder can hand over an event
 * type containing NUL: the WHATWG parsing rules accept it on the wire, while the factories
 * (used to build events to send) reject it.
 */
public final class ServerSentEvent {
  /** The type a receiver assumes when a stream names none: {@value}. */
  public static final String DEFAULT_TYPE = "message";

  /** The event type of {@link #heartbeat(long)}: {@value}. */
  public static final String HEARTBEAT_TYPE = "heartbeat";

  private final String type;
  private final String data;
  private final String id;
  private final Duration retry;

  private ServerSentEvent(String type, String data, String id, Duration retry) {
    this.type = type;
    this.data = data;
    this.id = id;
    this.retry = retry;
  }

  /**
   * Returns an event without id or retry.
   *
   * @param type the event type; not empty, no CR, LF or NUL
   * @param data the data; may contain line breaks
   * @return the event
   * @throws IllegalArgumentException if {@code type} would break framing
   */
  public static ServerSentEvent of(String type, String data) {
    return of(type, data, null);
  }

  /**
   * Returns an event with an id.
   *
   * @param type the event type; not empty, no CR, LF or NUL
   * @param data the data; may contain line breaks
   * @param id the id (no CR, LF or NUL), or null for none
   * @return the event
   * @throws IllegalArgumentException if {@code type} or {@code id} would break framing
   */
  public static ServerSentEvent of(String type, String data, String id) {
    return new ServerSentEvent(checkType(type), Objects.requireNonNull(data, "data"), checkId(id), null);
  }

  /**
   * Returns an event of the default type {@value #DEFAULT_TYPE}.
   *
   * @param data the data; may contain line breaks
   * @return the event
   */
  public static ServerSentEvent message(String data) {
    return of(DEFAULT_TYPE, data);
  }

  /**
   * Returns a {@value #HEARTBEAT_TYPE} event whose data is a time in decimal epoch milliseconds.
   *
   * @param epochMillis the time the beat was sent
   * @return the event, without id
   */
  public static ServerSentEvent heartbeat(long epochMillis) {
    return new ServerSentEvent(HEARTBEAT_TYPE, Long.toString(epochMillis), null, null);
  }

  /** Creates a decoded event without validation: the decoder only ever produces valid values. */
  static ServerSentEvent decoded(String type, String data, String id, Duration retry) {
    return new ServerSentEvent(type, data, id, retry);
  }

  /**
   * Returns a copy of this event with another id.
   *
   * @param id the id (no CR, LF or NUL); null for none, {@code ""} to reset the receiver's last id
   * @return the copy
   * @throws IllegalArgumentException if {@code id} would break framing
   */
  public ServerSentEvent withId(String id) {
    return new ServerSentEvent(type, data, checkId(id), retry);
  }

  /**
   * Returns a copy of this event that also tells the receiver how long to wait before reconnecting.
   *
   * @param retry the reconnection time, or null for none
   * @return the copy
   * @throws IllegalArgumentException if {@code retry} is negative
   */
  public ServerSentEvent withRetry(Duration retry) {
    return new ServerSentEvent(type, data, id, checkRetry(retry));
  }

  /**
   * Returns the event type.
   *
   * @return the type; never null or empty ({@value #DEFAULT_TYPE} when the stream named none)
   */
  public String type() {
    return type;
  }

  /**
   * Returns the data.
   *
   * @return the data; never null, line breaks normalised to LF when decoded
   */
  public String data() {
    return data;
  }

  /**
   * Returns the id. On a decoded event this is the stream's last event id in effect when the event
   * was dispatched, which persists across events until the stream changes it.
   *
   * @return the id, or null for none
   */
  public String id() {
    return id;
  }

  /**
   * Returns the reconnection time this event carries.
   *
   * @return the reconnection time, or null for none
   */
  public Duration retry() {
    return retry;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ServerSentEvent e
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
    StringBuilder s = new StringBuilder("ServerSentEvent{type=").append(type);
    if (id != null) s.append(", id=").append(id);
    if (retry != null) s.append(", retry=").append(retry.toMillis()).append("ms");
    return s.append(", data=").append(data).append('}').toString();
  }

  static String checkType(String type) {
    Objects.requireNonNull(type, "type");
    if (type.isEmpty()) throw new IllegalArgumentException("event type must not be empty");
    checkChars("event type", type);
    return type;
  }

  static String checkId(String id) {
    if (id != null) checkChars("event id", id);
    return id;
  }

  static Duration checkRetry(Duration retry) {
    if (retry == null) return null;
    if (retry.isNegative()) throw new IllegalArgumentException("retry must not be negative: " + retry);
    return Duration.ofMillis(saturatedMillis(retry));
  }

  static long saturatedMillis(Duration d) {
    try {
      return d.toMillis();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE;
    }
  }

  private static void checkChars(String what, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\r' || c == '\n' || c == '\0') {
        throw new IllegalArgumentException(
            what + " must not contain CR, LF or NUL (found U+" + String.format("%04X", (int) c)
                + " at index " + i + "): " + value.replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0"));
      }
    }
  }
}
