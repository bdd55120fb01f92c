package dev.ssekit.protocol;

import java.lang.reflect.Type;

/**
 * Converts values to and from JSON text: the one seam through which {@link PayloadMapper} reaches
 * a JSON library, so an application can carry payloads with the mapper it already has (Jackson 2,
 * Gson, a configured Jackson 3) instead of ssekit's default.
 *
 * <p>The default is {@link #jackson()}, Jackson 3 with its default settings, used when
 * {@code tools.jackson.core:jackson-databind} is on the classpath; Jackson is an optional
 * dependency of ssekit, so an application that never maps JSON needs none. A codec over Jackson 2:
 *
 * <pre>{@code
 * ObjectMapper jackson2 = new ObjectMapper();
 * PayloadMapper payloads = PayloadMapper.builder()
 *     .json(new JsonCodec() {
 *       public String toJson(Object value, Type type) throws Exception {
 *         return jackson2.writeValueAsString(value);
 *       }
 *       public Object fromJson(String json, Type type) throws Exception {
 *         return jackson2.readValue(json, jackson2.constructType(type));
 *       }
 *     })
 *     .register("order", Order.class)
 *     .build();
 * }</pre>
 *
 * <p>Implementations must be thread-safe: a mapper calls them from any thread.
 */
public interface JsonCodec {
  /**
   * Returns {@code value} as JSON text.
   *
   * @param value the value; never null, never a {@code String} (strings are event data as they are)
   * @param type the value's type, as Javalin's and Gson's mappers take it: its class
   * @return the JSON text; it may contain line breaks
   * @throws Exception if the value cannot be written; the mapper reports it as a {@link PayloadException}
   */
  String toJson(Object value, Type type) throws Exception;

  /**
   * Returns the value {@code json} describes, as a {@code type}.
   *
   * @param json the event's data
   * @param type the type to read: a {@code Class}, or a parameterized type such as {@code List<Order>}
   * @return the value, an instance of {@code type}; null only for the JSON {@code null}, which the
   *     mapper rejects
   * @throws Exception if the text is not JSON of that type; the mapper reports it as a {@link PayloadException}
   */
  Object fromJson(String json, Type type) throws Exception;

  /**
   * Returns ssekit's default codec: Jackson 3 with its default settings.
   *
   * @return the codec, shared
   * @throws IllegalStateException naming the dependency to add, if Jackson 3 is not on the classpath
   */
  static JsonCodec jackson() {
    JsonCodec codec = DefaultJson.CODEC;
    if (codec == null) throw new IllegalStateException(DefaultJson.MISSING);
    return codec;
  }
}
