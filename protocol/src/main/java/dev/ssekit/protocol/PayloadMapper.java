package dev.ssekit.protocol;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Maps event types to Java types and converts payloads to and from event data: JSON through a
 * {@link JsonCodec} unless a {@link PayloadCodec} is registered for the Java type.
 *
 * <p>{@link #defaults()} knows {@value ServerSentEvent#HEARTBEAT_TYPE} as {@link Heartbeat} and
 * {@value EventsLost#TYPE} as {@link EventsLost}, both with codecs of their own, so neither needs
 * a JSON library. A {@code String} payload is the data text itself, never JSON-quoted.
 * Registering is optional: {@code decode(event, Order.class)} converts any event's data, and a
 * registration only names the event type for {@link #toEvent(Object)} and {@link #decode(ServerSentEvent)},
 * or gives a Java type a wire form other than JSON.
 *
 * <p>JSON is {@link JsonCodec#jackson() Jackson 3} by default, when it is on the classpath (it is
 * an optional dependency), or the codec given to {@link Builder#json(JsonCodec)}. Without either,
 * converting JSON fails with a {@link PayloadException} saying what to add.
 *
 * <p>Instances are immutable and thread-safe; build your own with {@link #builder()}:
 *
 * <pre>{@code
 * PayloadMapper payloads = PayloadMapper.builder()
 *     .register("order", Order.class)                 // JSON
 *     .register("price", Price.class, new PriceCodec()) // custom wire form
 *     .build();
 * }</pre>
 */
public final class PayloadMapper {
  private static final PayloadMapper DEFAULTS = new Builder().build();

  private final JsonCodec json; // null: the default, resolved when JSON is first needed
  private final Map<String, Class<?>> javaTypes;
  private final Map<Class<?>, String> eventTypes;
  private final Map<Class<?>, PayloadCodec<?>> codecs;

  private PayloadMapper(Builder builder) {
    this.json = builder.json;
    this.javaTypes = Collections.unmodifiableMap(new LinkedHashMap<>(builder.javaTypes)); // ordered: newBuilder keeps "the first"
    this.codecs = Map.copyOf(builder.codecs);
    Map<Class<?>, String> byJavaType = new LinkedHashMap<>();
    builder.javaTypes.forEach((eventType, javaType) -> byJavaType.putIfAbsent(javaType, eventType));
    this.eventTypes = Map.copyOf(byJavaType);
  }

  /**
   * Returns the shared mapper with ssekit's own types registered and the default JSON codec.
   *
   * @return the default mapper
   */
  public static PayloadMapper defaults() {
    return DEFAULTS;
  }

  /**
   * Returns a builder that starts from {@link #defaults()}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder that starts from this mapper's registrations and JSON codec.
   *
   * @return a new builder; changing it does not change this mapper
   */
  public Builder newBuilder() {
    return new Builder(this);
  }

  /**
   * Returns the JSON codec chosen with {@link Builder#json(JsonCodec)}.
   *
   * @return the codec, or empty if this mapper uses the default, {@link JsonCodec#jackson()}
   */
  public Optional<JsonCodec> json() {
    return Optional.ofNullable(json);
  }

  /**
   * Returns the Java type registered for an event type.
   *
   * @param eventType the event type
   * @return the Java type, or empty if none is registered
   */
  public Optional<Class<?>> javaType(String eventType) {
    return Optional.ofNullable(javaTypes.get(eventType));
  }

  /**
   * Returns the event type registered for a Java type.
   *
   * @param javaType the Java type
   * @return the event type (the first registered, if several), or empty if none is
   */
  public Optional<String> eventType(Class<?> javaType) {
    return Optional.ofNullable(eventTypes.get(javaType));
  }

  /**
   * Returns {@code event}'s data as a {@code javaType}: the data itself for {@code String}, the
   * registered codec's reading for a type that has one, JSON otherwise.
   *
   * @param <T> the Java type
   * @param event the event whose data to convert
   * @param javaType the type to convert it to
   * @return the value; never null
   * @throws PayloadException naming the event's type and id if the data does not convert, or if it
   *     is JSON and no JSON codec is available (the message says what to add)
   */
  public <T> T decode(ServerSentEvent event, Class<T> javaType) {
    Objects.requireNonNull(javaType, "javaType");
    if (javaType == String.class) return javaType.cast(event.data());
    try {
      PayloadCodec<?> codec = codecs.get(javaType);
      Object value = codec != null ? codec.decode(event.data()) : jsonInEffect().fromJson(event.data(), javaType);
      if (value == null) throw new IllegalArgumentException("data decodes to null");
      return javaType.cast(value);
    } catch (Exception e) {
      String id = event.id() == null ? "no id" : "id " + event.id();
      throw new PayloadException(
          "cannot decode '" + event.type() + "' event (" + id + ") as " + javaType.getSimpleName() + ": " + e.getMessage(),
          event.type(), event.id(), javaType, e);
    }
  }

  /**
   * Returns {@code event}'s data as a {@code type}, which may be generic ({@code List<Order>}):
   * for a plain class exactly as {@link #decode(ServerSentEvent, Class)}, otherwise as JSON.
   *
   * @param <T> the Java type
   * @param event the event whose data to convert
   * @param type the type to convert it to
   * @return the value; never null
   * @throws PayloadException naming the event's type and id if the data does not convert
   */
  @SuppressWarnings("unchecked")
  public <T> T decode(ServerSentEvent event, PayloadType<T> type) {
    if (Objects.requireNonNull(type, "type").type() instanceof Class<?> javaType) {
      return decode(event, (Class<T>) javaType); // of(Class) made it: the class is a Class<T>
    }
    try {
      Object value = jsonInEffect().fromJson(event.data(), type.type());
      if (value == null) throw new IllegalArgumentException("data decodes to null");
      return (T) value; // the codec built it for exactly this type
    } catch (Exception e) {
      String id = event.id() == null ? "no id" : "id " + event.id();
      throw new PayloadException(
          "cannot decode '" + event.type() + "' event (" + id + ") as " + type.type().getTypeName() + ": " + e.getMessage(),
          event.type(), event.id(), type.rawType(), e);
    }
  }

  /**
   * Returns {@code event}'s data as the Java type registered for its type.
   *
   * @param event the event whose data to convert
   * @return the value, or the data text if no Java type is registered for the event's type
   * @throws PayloadException naming the event's type and id if the data does not convert
   */
  public Object decode(ServerSentEvent event) {
    Class<?> javaType = javaTypes.get(event.type());
    return javaType == null ? event.data() : decode(event, javaType);
  }

  /**
   * Returns the data text for {@code payload}: itself if a {@code String}, its codec's form if one
   * is registered for its class, JSON otherwise.
   *
   * @param payload the value
   * @return the data text
   * @throws PayloadException if the payload does not convert, or if it needs JSON and no JSON codec
   *     is available (the message says what to add)
   */
  public String encode(Object payload) {
    Objects.requireNonNull(payload, "payload");
    if (payload instanceof String text) return text;
    try {
      @SuppressWarnings("unchecked")
      PayloadCodec<Object> codec = (PayloadCodec<Object>) codecs.get(payload.getClass());
      return codec != null ? codec.encode(payload) : jsonInEffect().toJson(payload, payload.getClass());
    } catch (Exception e) {
      String eventType = eventTypes.get(payload.getClass());
      throw new PayloadException(
          "cannot encode " + payload.getClass().getSimpleName() + " as event data: " + e.getMessage(),
          eventType, null, payload.getClass(), e);
    }
  }

  /**
   * Returns an event of {@code type} whose data is {@code payload} encoded by {@link #encode}.
   *
   * @param type the event type
   * @param payload the value
   * @return the event, without id or retry
   * @throws PayloadException if the payload does not convert
   */
  public ServerSentEvent toEvent(String type, Object payload) {
    return ServerSentEvent.of(type, encode(payload));
  }

  /**
   * Returns an event whose type is the one registered for {@code payload}'s class.
   *
   * @param payload the value
   * @return the event, without id or retry
   * @throws IllegalArgumentException if no event type is registered for that class
   * @throws PayloadException if the payload does not convert
   */
  public ServerSentEvent toEvent(Object payload) {
    Class<?> javaType = Objects.requireNonNull(payload, "payload").getClass();
    String type = eventTypes.get(javaType);
    if (type == null) {
      throw new IllegalArgumentException("no event type registered for " + javaType.getName() + "; register one or pass the type");
    }
    return toEvent(type, payload);
  }

  /** The JSON codec in effect: the chosen one, else the default; throws saying what to add if there is none. */
  private JsonCodec jsonInEffect() {
    if (json != null) return json;
    if (DefaultJson.CODEC == null) throw new IllegalStateException(DefaultJson.MISSING);
    return DefaultJson.CODEC;
  }

  /** Configures a {@link PayloadMapper}; registrations replace earlier ones for the same event type. */
  public static final class Builder {
    private JsonCodec json;
    private final Map<String, Class<?>> javaTypes = new LinkedHashMap<>();
    private final Map<Class<?>, PayloadCodec<?>> codecs = new LinkedHashMap<>();

    private Builder() {
      register(ServerSentEvent.HEARTBEAT_TYPE, Heartbeat.class, Heartbeat.CODEC);
      register(EventsLost.TYPE, EventsLost.class, EventsLost.CODEC);
    }

    private Builder(PayloadMapper mapper) {
      this.json = mapper.json;
      this.javaTypes.putAll(mapper.javaTypes);
      this.codecs.putAll(mapper.codecs);
    }

    /**
     * Uses {@code json} for every payload without a registered codec, instead of the default
     * ({@link JsonCodec#jackson()}). A hub served by a Javalin app uses the app's JSON unless this
     * was called.
     *
     * @param json the codec, e.g. over the application's Jackson 2 {@code ObjectMapper} or Gson
     * @return this builder
     */
    public Builder json(JsonCodec json) {
      this.json = Objects.requireNonNull(json, "json");
      return this;
    }

    /**
     * Maps {@code eventType} to {@code javaType}, carried as JSON.
     *
     * @param eventType the event type; no CR, LF, or NUL
     * @param javaType the Java type its data converts to
     * @return this builder
     * @throws IllegalArgumentException if {@code eventType} is empty or would break framing
     */
    public Builder register(String eventType, Class<?> javaType) {
      ServerSentEvent.checkType(eventType);
      javaTypes.put(eventType, Objects.requireNonNull(javaType, "javaType"));
      return this;
    }

    /**
     * Maps {@code eventType} to {@code javaType}, carried in the wire form of {@code codec}.
     *
     * @param <T> the Java type
     * @param eventType the event type; no CR, LF, or NUL
     * @param javaType the Java type its data converts to
     * @param codec converts values of {@code javaType} to and from data, for every event type
     * @return this builder
     * @throws IllegalArgumentException if {@code eventType} is empty or would break framing
     */
    public <T> Builder register(String eventType, Class<T> javaType, PayloadCodec<T> codec) {
      register(eventType, javaType);
      codecs.put(javaType, Objects.requireNonNull(codec, "codec"));
      return this;
    }

    /**
     * Returns the immutable mapper.
     *
     * @return the mapper; later changes to this builder do not reach it
     */
    public PayloadMapper build() {
      return new PayloadMapper(this);
    }
  }
}
