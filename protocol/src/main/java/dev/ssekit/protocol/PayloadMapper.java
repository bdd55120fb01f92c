package dev.ssekit.protocol;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import tools.jackson.databind.json.JsonMapper;

/**
 * Maps event types to Java types and converts payloads to and from event data: JSON through
 * Jackson unless a {@link PayloadCodec} is registered for the Java type.
 *
 * <p>{@link #defaults()} knows {@value ServerSentEvent#HEARTBEAT_TYPE} as {@link Heartbeat} and
 * {@value EventsLost#TYPE} as {@link EventsLost}. A {@code String} payload is the data text itself,
 * never JSON-quoted. Instances are immutable and thread-safe; build your own with
 * {@link #builder()}:
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

  private final JsonMapper json;
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

  /** Returns the shared mapper with ssekit's own types registered and Jackson's default JSON settings. */
  public static PayloadMapper defaults() {
    return DEFAULTS;
  }

  /** Returns a builder that starts from {@link #defaults()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a builder that starts from this mapper's registrations and JSON mapper. */
  public Builder newBuilder() {
    return new Builder(this);
  }

  /** Returns the Java type registered for {@code eventType}, if any. */
  public Optional<Class<?>> javaType(String eventType) {
    return Optional.ofNullable(javaTypes.get(eventType));
  }

  /** Returns the event type registered for {@code javaType} (the first, if several), if any. */
  public Optional<String> eventType(Class<?> javaType) {
    return Optional.ofNullable(eventTypes.get(javaType));
  }

  /**
   * Returns {@code event}'s data as a {@code javaType}.
   *
   * @throws PayloadException naming the event's type and id if the data does not convert
   */
  public <T> T decode(ServerSentEvent event, Class<T> javaType) {
    Objects.requireNonNull(javaType, "javaType");
    if (javaType == String.class) return javaType.cast(event.data());
    try {
      PayloadCodec<?> codec = codecs.get(javaType);
      Object value = codec != null ? codec.decode(event.data()) : json.readValue(event.data(), javaType);
      if (value == null) throw new IllegalArgumentException("data decodes to null");
      return javaType.cast(value);
    } catch (RuntimeException e) {
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
      Object value = json.readValue(event.data(), json.constructType(type.type()));
      if (value == null) throw new IllegalArgumentException("data decodes to null");
      return (T) value; // Jackson built it for exactly this type
    } catch (RuntimeException e) {
      String id = event.id() == null ? "no id" : "id " + event.id();
      throw new PayloadException(
          "cannot decode '" + event.type() + "' event (" + id + ") as " + type.type().getTypeName() + ": " + e.getMessage(),
          event.type(), event.id(), type.rawType(), e);
    }
  }

  /** Returns {@code event}'s data as the Java type registered for its type, or the data text if none is. */
  public Object decode(ServerSentEvent event) {
    Class<?> javaType = javaTypes.get(event.type());
    return javaType == null ? event.data() : decode(event, javaType);
  }

  /**
   * Returns the data text for {@code payload}: itself if a {@code String}, its codec's form if one
   * is registered for its class, JSON otherwise.
   *
   * @throws PayloadException if the payload does not convert
   */
  public String encode(Object payload) {
    Objects.requireNonNull(payload, "payload");
    if (payload instanceof String text) return text;
    try {
      @SuppressWarnings("unchecked")
      PayloadCodec<Object> codec = (PayloadCodec<Object>) codecs.get(payload.getClass());
      return codec != null ? codec.encode(payload) : json.writeValueAsString(payload);
    } catch (RuntimeException e) {
      String eventType = eventTypes.get(payload.getClass());
      throw new PayloadException(
          "cannot encode " + payload.getClass().getSimpleName() + " as event data: " + e.getMessage(),
          eventType, null, payload.getClass(), e);
    }
  }

  /** Returns an event of {@code type} whose data is {@code payload} encoded by {@link #encode}. */
  public ServerSentEvent toEvent(String type, Object payload) {
    return ServerSentEvent.of(type, encode(payload));
  }

  /**
   * Returns an event whose type is the one registered for {@code payload}'s class.
   *
   * @throws IllegalArgumentException if no event type is registered for that class
   */
  public ServerSentEvent toEvent(Object payload) {
    Class<?> javaType = Objects.requireNonNull(payload, "payload").getClass();
    String type = eventTypes.get(javaType);
    if (type == null) {
      throw new IllegalArgumentException("no event type registered for " + javaType.getName() + "; register one or pass the type");
    }
    return toEvent(type, payload);
  }

  /** Configures a {@link PayloadMapper}; registrations replace earlier ones for the same event type. */
  public static final class Builder {
    private JsonMapper json;
    private final Map<String, Class<?>> javaTypes = new LinkedHashMap<>();
    private final Map<Class<?>, PayloadCodec<?>> codecs = new LinkedHashMap<>();

    private Builder() {
      this.json = JsonMapper.builder().build();
      register(ServerSentEvent.HEARTBEAT_TYPE, Heartbeat.class, Heartbeat.CODEC);
      register(EventsLost.TYPE, EventsLost.class);
    }

    private Builder(PayloadMapper mapper) {
      this.json = mapper.json;
      this.javaTypes.putAll(mapper.javaTypes);
      this.codecs.putAll(mapper.codecs);
    }

    /** Uses {@code json} for every payload without a registered codec. */
    public Builder jsonMapper(JsonMapper json) {
      this.json = Objects.requireNonNull(json, "json");
      return this;
    }

    /** Maps {@code eventType} to {@code javaType}, carried as JSON. */
    public Builder register(String eventType, Class<?> javaType) {
      ServerSentEvent.checkType(eventType);
      javaTypes.put(eventType, Objects.requireNonNull(javaType, "javaType"));
      return this;
    }

    /** Maps {@code eventType} to {@code javaType}, carried in the wire form of {@code codec}. */
    public <T> Builder register(String eventType, Class<T> javaType, PayloadCodec<T> codec) {
      register(eventType, javaType);
      codecs.put(javaType, Objects.requireNonNull(codec, "codec"));
      return this;
    }

    /** Returns the immutable mapper. */
    public PayloadMapper build() {
      return new PayloadMapper(this);
    }
  }
}
