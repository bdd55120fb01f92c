package dev.ssekit.client;

import dev.ssekit.protocol.EventsLost;
import dev.ssekit.protocol.PayloadMapper;
import dev.ssekit.protocol.PayloadType;
import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.protocol.Sse;
import dev.ssekit.protocol.SseComment;
import dev.ssekit.protocol.SseDecoder;
import dev.ssekit.protocol.TypedEvent;
import java.io.Closeable;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Subscribes to a Server-Sent Events stream and turns it into typed callbacks, reconnecting and
 * resuming with {@code Last-Event-ID} until closed:
 *
 * <pre>{@code
 * SseClient client = SseClient.builder()
 *     .url("http://localhost:8080/sse")
 *     .on("heartbeat", Heartbeat.class, beat -> System.out.println(beat.time()))
 *     .build();
 * client.start();
 * ...
 * client.close();
 * }</pre>
 *
 * <p>Any request works, {@code POST} with a body included: give the client an OkHttp
 * {@link Request} ({@link Builder#request}); it is sent again, body and all, on every reconnection,
 * after an optional {@link Builder#requestTransformer} (to refresh a token) and with ssekit's own
 * {@code Last-Event-ID}.
 *
 * <p>A reader thread ({@code ssekit-client-reader}) reads and decodes the stream; callbacks run
 * one at a time, in stream order, on a callback thread ({@code ssekit-client-callbacks}) or the
 * executor you give, never on the reader, so a slow handler cannot stall the socket. Between the
 * two sits a bounded buffer ({@link Builder#bufferCapacity}); when it is full the reader waits,
 * TCP pushes back, and a server that cuts the client off for it is resumed from the last id
 * read, so no event is lost.
 *
 * <p>The client is always in one {@link State}, which {@link #state()} reads and
 * {@link Listener#onStateChange} announces. {@link #restart()} drops the connection and
 * connects again at once; {@link #close()} stops everything within a bounded time, from any
 * thread; afterwards no thread of the client runs and the only callback still to come is
 * {@link Listener#onClosed()}, which is always the last one.
 */
public final class SseClient implements Closeable {
  /** Default {@link Builder#readTimeout}: a stream silent this long is presumed dead. */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(45);

  /** Default {@link Builder#bufferCapacity}: events read but not yet handled. */
  public static final int DEFAULT_BUFFER_CAPACITY = 1024;

  /**
   * Default {@link Builder#maxEventSize}: {@value} bytes (16 MiB) of data per event, enough for
   * the snapshot events of feature-flag and configuration feeds.
   */
  public static final int DEFAULT_MAX_EVENT_SIZE = 16 << 20;

  /** Default {@link Builder#maxLineLength}: {@value} bytes (16 MiB), so one-line events may be as large. */
  public static final int DEFAULT_MAX_LINE_LENGTH = 16 << 20;

  /**
   * Where a client is in its life, as a browser's {@code EventSource.readyState} says, plus the
   * time before {@link SseClient#start()}.
   */
  public enum State {
    /** Built, not started. */
    NEW,
    /** Connecting, or waiting to reconnect after a connection ended or an attempt failed. */
    CONNECTING,
    /** Connected: the server answered with a stream, whose events are being read. */
    OPEN,
    /** Stopped for good: closed, told to stop (204), failed, or out of attempts. */
    CLOSED
  }

  /** Lifecycle callbacks; each has a no-op default, so override only what you need. */
  public interface Listener {
    /**
     * Called when the client's state changes, before the callbacks that tell more ({@code onOpen},
     * {@code onError}, {@code onClosed}). A client goes {@code CONNECTING}, {@code OPEN}, and back
     * to {@code CONNECTING} each time a connection ends and another is made, until {@code CLOSED}.
     * Failed attempts while {@code CONNECTING} change nothing here; {@link #onError} reports each.
     *
     * @param state the new state
     * @param cause what caused the change: for {@code CONNECTING} after {@code OPEN}, the error
     *     that ended the connection (its {@link SseException#retryIn()} says when the next attempt
     *     is), or null when {@link SseClient#restart()} asked for it; for {@code CLOSED}, the fatal
     *     error, or null when {@link SseClient#close()} was called or the server answered 204; null
     *     for {@code OPEN} and the first {@code CONNECTING}
     */
    default void onStateChange(State state, SseException cause) {}

    /**
     * Called when a connection opens with a usable response.
     *
     * @param response the response's status and headers; its body is the client's, so it cannot be read here
     */
    default void onOpen(Response response) {}

    /**
     * Called when the server signals that events after the client's last id were lost.
     *
     * @param lost the server's signal
     */
    default void onEventsLost(EventsLost lost) {}

    /**
     * Called for every error; {@link SseException#retryIn()} and {@link SseException#isFatal()} say what follows.
     *
     * @param error what went wrong
     */
    default void onError(SseException error) {}

    /** Called once, last, when the client has stopped for good: closed, told to stop (204), failed or gave up. */
    default void onClosed() {}
  }

  private final Lifecycle lifecycle;

  private SseClient(Builder b) {
    Request request = b.resolvedRequest(); // validates before anything is made
    boolean ownsHttp = b.http == null;
    OkHttpClient base = ownsHttp ? new OkHttpClient() : b.http;
    // The call timeout would cut a healthy long-lived stream; silence is caught by the read timeout.
    OkHttpClient http = base.newBuilder().readTimeout(b.readTimeout).callTimeout(Duration.ZERO).build();
    Handlers handlers = new Handlers(b.handlers, b.payloads, b.listener);
    SseDecoder.Builder decoder = SseDecoder.builder().maxLineLength(b.maxLineLength).maxEventSize(b.maxEventSize)
        .reportComments(handlers.wantsComments());
    this.lifecycle = new Lifecycle(new Connection.Settings(http, request, b.transformer, decoder, b.lastEventId),
        ownsHttp, b.policy, b.listener, handlers, b.executor, b.bufferCapacity, b.terminal);
  }

  /**
   * Returns a builder for a client.
   *
   * @return a new builder with every setting at its default
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Connects, on the reader thread; does nothing if already started or closed.
   *
   * @return this client
   */
  public SseClient start() {
    lifecycle.start();
    return this;
  }

  /**
   * Drops the current connection, or cuts short the wait before the next attempt, and connects
   * again at once, resuming with {@code Last-Event-ID}. Not an error: {@link Listener#onError} is
   * not called, and the backoff starts afresh. The listener sees {@code CONNECTING} (with a null
   * cause) if the client was {@code OPEN}. Does nothing before {@link #start()} or after the client
   * closed; safe from any thread, including a callback. A restart that meets an attempt ending
   * in a permanent failure (a {@code 401}, say) makes the new attempt anyway, which then meets
   * the failure again if its cause remains. Since the backoff starts afresh, restarting from
   * {@link Listener#onError} retries a failing server without backoff: restart for a reason (a
   * new token, a changed request), not on every error.
   */
  public void restart() {
    lifecycle.restart();
  }

  /**
   * Returns the client's state now; {@link Listener#onStateChange} hears of each change later, in
   * order with the events.
   *
   * @return the state
   */
  public State state() {
    return lifecycle.state();
  }

  /**
   * Returns the last event id read from the stream; it is sent as {@code Last-Event-ID} on reconnection.
   * It can be ahead of the events callbacks have seen (they wait in a buffer, which
   * {@link #close()} drops): to resume in another process, keep the id of the last event handled.
   *
   * @return the id, "" if none
   */
  public String lastEventId() {
    return lifecycle.lastEventId();
  }

  /**
   * Returns whether the client has stopped for good, by {@link #close()} or by itself.
   *
   * @return true once the state is {@link State#CLOSED}
   */
  public boolean isClosed() {
    return lifecycle.state() == State.CLOSED;
  }

  /**
   * Stops the client: cancels the connection, drops events not yet handled, runs
   * {@link Listener#onClosed()} and waits up to 5 s in all for its threads to end; a callback
   * still running on the client's own thread then is interrupted (and {@code onClosed} follows it).
   * Safe from any thread, including a callback, and more than once.
   */
  @Override
  public void close() {
    lifecycle.close();
  }

  /** Closes without waiting for the threads, which end on their own: for {@code Flow.Subscription.cancel()}. */
  void closeAsync() {
    lifecycle.closeAsync();
  }

  /**
   * Configures a {@link SseClient}: what to request (a {@link #url} or a whole {@link #request}),
   * what to do with the stream, and how. Every setting but the URL has a default.
   *
   * <p>Settings are read when a client is made: {@link #build()} and the other terminal methods
   * leave the builder as it was, so one builder can make several independent clients, and changing
   * it later changes none of them.
   */
  public static final class Builder {
    private HttpUrl url;
    private Headers.Builder headers = new Headers.Builder();
    private Request request;
    private UnaryOperator<Request> transformer;
    private OkHttpClient http;
    private PayloadMapper payloads = PayloadMapper.defaults();
    private Handlers.Registry handlers = new Handlers.Registry();
    private Listener listener = new Listener() {};
    private ReconnectPolicy policy = ReconnectPolicy.DEFAULT;
    private Duration readTimeout = DEFAULT_READ_TIMEOUT;
    private Executor executor;
    private int bufferCapacity = DEFAULT_BUFFER_CAPACITY;
    private String lastEventId = "";
    private int maxLineLength = DEFAULT_MAX_LINE_LENGTH;
    private int maxEventSize = DEFAULT_MAX_EVENT_SIZE;
    private Consumer<SseException> terminal;

    private Builder() {}

    private Builder(Builder other) {
      this.url = other.url;
      this.headers = other.headers.build().newBuilder();
      this.request = other.request;
      this.transformer = other.transformer;
      this.http = other.http;
      this.payloads = other.payloads;
      this.handlers = other.handlers.copy();
      this.listener = other.listener;
      this.policy = other.policy;
      this.readTimeout = other.readTimeout;
      this.executor = other.executor;
      this.bufferCapacity = other.bufferCapacity;
      this.lastEventId = other.lastEventId;
      this.maxLineLength = other.maxLineLength;
      this.maxEventSize = other.maxEventSize;
      this.terminal = other.terminal;
    }

    /**
     * Sets the stream's URL, for a {@code GET} with the {@link #header headers} given here; use
     * {@link #request} for anything else.
     *
     * @param url an http or https URL
     * @return this builder
     * @throws IllegalArgumentException if {@code url} is not an http or https URL
     */
    public Builder url(String url) {
      HttpUrl parsed = HttpUrl.parse(url);
      if (parsed == null) throw new IllegalArgumentException("not an http or https URL: " + url);
      return url(parsed);
    }

    /**
     * Sets the stream's URL, for a {@code GET} with the {@link #header headers} given here; use
     * {@link #request} for anything else.
     *
     * @param url the URL
     * @return this builder
     */
    public Builder url(HttpUrl url) {
      this.url = Objects.requireNonNull(url, "url");
      return this;
    }

    /**
     * Adds a header to the {@code GET} request of {@link #url}, e.g. for authorization.
     *
     * @param name the header's name
     * @param value its value, printable ASCII
     * @return this builder
     * @throws IllegalArgumentException if OkHttp would not send the header
     */
    public Builder header(String name, String value) {
      headers.add(name, value);
      return this;
    }

    /**
     * Sets the whole request to make: URL, method, headers and body, as OkHttp builds it, e.g. a
     * {@code POST} with a JSON body. It is made again, body and all, on every reconnection, with
     * {@code Accept: text/event-stream} and {@code Cache-Control: no-cache} unless it has its own,
     * and with {@code Last-Event-ID}, which is the client's to send (see {@link #lastEventId}).
     * Use either this or {@link #url} and {@link #header}, not both.
     *
     * @param request the request
     * @return this builder
     * @throws IllegalArgumentException if the request's body is one-shot, so could not be sent again
     */
    public Builder request(Request request) {
      Objects.requireNonNull(request, "request");
      if (request.body() != null && request.body().isOneShot()) {
        throw new IllegalArgumentException("the request body is one-shot, but it is sent again on every reconnection");
      }
      this.request = request;
      return this;
    }

    /**
     * Rewrites the request before each attempt, the first included, on the reader thread: for a
     * token that must be fresh on every reconnection. It gets the request as configured and
     * returns the one to make; the client then adds its stream headers as for {@link #request},
     * and replaces any {@code Last-Event-ID}. If it throws, the attempt fails with
     * {@link SseException.Reason#REQUEST} and the client tries again after the backoff.
     *
     * @param transformer returns the request to make; called once per attempt
     * @return this builder
     */
    public Builder requestTransformer(UnaryOperator<Request> transformer) {
      this.transformer = Objects.requireNonNull(transformer, "transformer");
      return this;
    }

    /**
     * Uses {@code client}'s connection pool, dispatcher, interceptors and settings; the stream
     * overrides only its read and call timeouts. The caller keeps ownership of {@code client}.
     *
     * @param client the OkHttp client to share
     * @return this builder
     */
    public Builder okHttpClient(OkHttpClient client) {
      this.http = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * Converts event data to handler types with {@code payloads} instead of the defaults.
     *
     * @param payloads the mapper
     * @return this builder
     */
    public Builder payloads(PayloadMapper payloads) {
      this.payloads = Objects.requireNonNull(payloads, "payloads");
      return this;
    }

    /**
     * Calls {@code handler} with the data of each {@code eventType} event converted to
     * {@code javaType}. Data that does not convert is reported as {@link SseException.Reason#PAYLOAD}.
     *
     * @param <T> the Java type
     * @param eventType the event type to handle
     * @param javaType the class to convert the data to
     * @param handler receives each value
     * @return this builder
     */
    public <T> Builder on(String eventType, Class<T> javaType, Consumer<? super T> handler) {
      Objects.requireNonNull(eventType, "eventType");
      Objects.requireNonNull(handler, "handler");
      handlers.add(eventType, new Handlers.Typed<>(PayloadType.of(javaType), handler, null));
      return this;
    }

    /**
     * Calls {@code handler} with each {@code eventType} event, its data converted to
     * {@code javaType}, beside the event's id, type and retry.
     *
     * @param <T> the Java type
     * @param eventType the event type to handle
     * @param javaType the class to convert the data to
     * @param handler receives each typed event
     * @return this builder
     */
    public <T> Builder onEvent(String eventType, Class<T> javaType, Consumer<? super TypedEvent<T>> handler) {
      return onEvent(eventType, PayloadType.of(javaType), handler);
    }

    /**
     * Calls {@code handler} with each {@code eventType} event, its data converted to {@code type}
     * (which may be generic: {@code new PayloadType<List<Order>>() {}}), beside the event's id,
     * type and retry.
     *
     * @param <T> the Java type
     * @param eventType the event type to handle
     * @param type the type to convert the data to
     * @param handler receives each typed event
     * @return this builder
     */
    public <T> Builder onEvent(String eventType, PayloadType<T> type, Consumer<? super TypedEvent<T>> handler) {
      Objects.requireNonNull(eventType, "eventType");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(handler, "handler");
      handlers.add(eventType, new Handlers.Typed<>(type, null, handler));
      return this;
    }

    /**
     * Calls {@code handler} with every event whose type has no typed handler.
     *
     * @param handler receives each such event as it arrived
     * @return this builder
     */
    public Builder onEvent(Consumer<ServerSentEvent> handler) {
      handlers.others = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /**
     * Calls {@code handler} with each comment line ({@code : text}), in stream order with the
     * events. Without one, comments are not even decoded.
     *
     * @param handler receives each comment
     * @return this builder
     */
    public Builder onComment(Consumer<SseComment> handler) {
      handlers.comments = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /**
     * Receives lifecycle callbacks: state changes, open, lost events, errors, closed.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder listener(Listener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Sets how the client reconnects; {@link ReconnectPolicy#NEVER} turns reconnection off.
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder reconnectPolicy(ReconnectPolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Sets how long the stream may stay silent (no event, no comment) before it counts as dead.
     *
     * @param timeout 1 ms to ~24 days; default 45 s
     * @return this builder
     * @throws IllegalArgumentException if {@code timeout} is out of that range
     */
    public Builder readTimeout(Duration timeout) {
      // OkHttp counts whole milliseconds in an int, and would read less than 1 ms as "no timeout".
      if (timeout.compareTo(Duration.ofMillis(1)) < 0 || timeout.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
        throw new IllegalArgumentException("readTimeout must be between 1 ms and " + Integer.MAX_VALUE + " ms: " + timeout);
      }
      this.readTimeout = timeout;
      return this;
    }

    /**
     * Runs callbacks on {@code executor} (one at a time, in order) instead of the client's own thread.
     *
     * @param executor the executor; the caller keeps ownership of it
     * @return this builder
     */
    public Builder callbackExecutor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Sets how many events may wait for their callbacks before reading pauses. Memory for them
     * is bounded by this count times {@link #maxEventSize}.
     *
     * @param events at least 1; default 1024
     * @return this builder
     * @throws IllegalArgumentException if {@code events} is less than 1
     */
    public Builder bufferCapacity(int events) {
      if (events < 1) throw new IllegalArgumentException("bufferCapacity must be positive: " + events);
      this.bufferCapacity = events;
      return this;
    }

    /**
     * Starts as if events up to {@code id} were already seen: the first request sends it as {@code Last-Event-ID}.
     *
     * @param id the id to resume after
     * @return this builder
     */
    public Builder lastEventId(String id) {
      this.lastEventId = Objects.requireNonNull(id, "id");
      return this;
    }

    /**
     * Sets the longest line the stream may send; a longer one is dropped with its event and
     * reported as {@link SseException.Reason#PROTOCOL}. See {@link SseDecoder.Builder#maxLineLength}.
     *
     * @param bytes the limit; default {@value SseClient#DEFAULT_MAX_LINE_LENGTH}
     * @return this builder
     * @throws IllegalArgumentException if {@code bytes} is not positive or too large for an array
     */
    public Builder maxLineLength(int bytes) {
      SseDecoder.builder().maxLineLength(bytes);
      this.maxLineLength = bytes;
      return this;
    }

    /**
     * Sets the most data one event may carry; a larger event is dropped and reported as
     * {@link SseException.Reason#PROTOCOL}. See {@link SseDecoder.Builder#maxEventSize}.
     *
     * @param bytes the limit; default {@value SseClient#DEFAULT_MAX_EVENT_SIZE}
     * @return this builder
     * @throws IllegalArgumentException if {@code bytes} is not positive or too large for an array
     */
    public Builder maxEventSize(int bytes) {
      SseDecoder.builder().maxEventSize(bytes);
      this.maxEventSize = bytes;
      return this;
    }

    /**
     * Returns a client that has not connected yet; call {@link SseClient#start()}.
     *
     * @return the client
     * @throws NullPointerException if neither a URL nor a request was set
     * @throws IllegalStateException if both a request and a URL or headers were set
     * @throws IllegalArgumentException if the request carries a {@code Last-Event-ID} header
     */
    public SseClient build() {
      return new SseClient(this); // which reads every setting now
    }

    /**
     * Builds and starts a client whose {@code eventType} events, converted to {@code javaType},
     * are read with a blocking iterator; closing the stream closes the client.
     *
     * @param <T> the Java type
     * @param eventType the event type to read
     * @param javaType the class to convert the data to
     * @return the started stream
     * @throws NullPointerException if neither a URL nor a request was set
     * @throws IllegalStateException if both a request and a URL or headers were set
     */
    public <T> SseEventStream<T> stream(String eventType, Class<T> javaType) {
      return SseEventStream.start(new EventPublisher<>(this, eventType, PayloadType.of(javaType)),
          TypedEvent::data);
    }

    /**
     * Builds and starts a client whose {@code eventType} events, their data converted to
     * {@code type}, are read with a blocking iterator, each with its id, type and retry; closing
     * the stream closes the client.
     *
     * @param <T> the Java type
     * @param eventType the event type to read
     * @param type the type to convert the data to; may be generic
     * @return the started stream
     * @throws NullPointerException if neither a URL nor a request was set
     * @throws IllegalStateException if both a request and a URL or headers were set
     */
    public <T> SseEventStream<TypedEvent<T>> eventStream(String eventType, PayloadType<T> type) {
      return SseEventStream.start(new EventPublisher<>(this, eventType, type), event -> event);
    }

    /**
     * Returns a {@link Flow.Publisher} of the {@code eventType} events, their data converted to
     * {@code type}. Each subscriber gets a client of its own, made from this builder's settings as
     * they are now and started when it subscribes; the client reads no further ahead than the
     * subscriber's {@link Flow.Subscription#request demand} and its {@link #bufferCapacity}
     * allow, and {@link Flow.Subscription#cancel()} closes it. The stream ends with
     * {@code onComplete} when the client stops cleanly (a 204, or the end of a stream that is not
     * reconnected) and with {@code onError} carrying the fatal {@link SseException} otherwise,
     * in both cases after every event read was delivered. Events whose data does not convert are
     * skipped and reported to the {@link #listener} as {@link SseException.Reason#PAYLOAD}, and a
     * subscriber's {@code onNext} that throws (which Reactive Streams forbids) as
     * {@link SseException.Reason#HANDLER}; the stream goes on.
     *
     * @param <T> the Java type
     * @param eventType the event type to publish
     * @param type the type to convert the data to; may be generic
     * @return the publisher
     * @throws NullPointerException if neither a URL nor a request was set
     * @throws IllegalStateException if both a request and a URL or headers were set
     */
    public <T> Flow.Publisher<TypedEvent<T>> publisher(String eventType, PayloadType<T> type) {
      return new EventPublisher<>(this, eventType, type);
    }

    /** Sets an internal consumer of the client's end (see {@link Lifecycle}); not for users. */
    Builder terminal(Consumer<SseException> terminal) {
      this.terminal = terminal;
      return this;
    }

    /** Returns an independent copy of this builder. */
    Builder copy() {
      return new Builder(this);
    }

    /** Returns the request the settings describe, checking that they describe one. */
    Request resolvedRequest() {
      Request made;
      if (request != null) {
        if (url != null || headers.build().size() > 0) {
          throw new IllegalStateException("set the stream either with request(...) or with url(...) and header(...), not both");
        }
        made = request;
      } else {
        Objects.requireNonNull(url, "url is required (or a request)");
        made = new Request.Builder().url(url).headers(headers.build()).build();
      }
      if (made.header(Sse.LAST_EVENT_ID_HEADER) != null) {
        throw new IllegalArgumentException(Sse.LAST_EVENT_ID_HEADER + " is sent by the client: start from an id with lastEventId(...)");
      }
      return made;
    }
  }
}
