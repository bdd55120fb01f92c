package dev.ssekit.protocol;

/**
 * Converts values of one Java type to and from the text of an event's {@code data} field.
 *
 * <p>Register one with {@link PayloadMapper.Builder#register(String, Class, PayloadCodec)} for a
 * wire form other than JSON, as {@link Heartbeat} does for its epoch-millis text.
 *
 * @param <T> the Java type this codec converts
 */
public interface PayloadCodec<T> {
  /**
   * Returns the data text for {@code value}.
   *
   * @param value the value; never null
   * @return the data text; it may contain line breaks
   */
  String encode(T value);

  /**
   * Returns the value {@code data} describes.
   *
   * @param data an event's data
   * @return the value; not null
   * @throws RuntimeException any, if {@code data} does not describe a value; the mapper reports it
   *     as a {@link PayloadException} naming the event
   */
  T decode(String data);
}
