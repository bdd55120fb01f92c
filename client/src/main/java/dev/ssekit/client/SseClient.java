package dev.ssekit.client;

import static dev.ssekit.client.internal.Dispatcher.safely;

import dev.ssekit.client.internal.Dispatcher;
import dev.ssekit.protocol.internal.NamedThreads;
import dev.ssekit.protocol.EventsLost;
import dev.ssekit.protocol.PayloadException;
import dev.ssekit.protocol.PayloadMapper;
import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.protocol.SseDecoder;
import java.io.Closeable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import okhttp3.Call;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
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
 * <p>A reader thread ({@code ssekit-client-reader}) reads and decodes the stream; callbacks run
 * one at a time, in stream order, on a callback thread ({@code ssekit-client-callbacks}) or the
 * executor you give, never on the reader, so a slow handler cannot stall the socket. Between the
 * two sits a bounded buffer ({@link Builder#bufferCapacity}); when it is full the reader waits,
 * TCP pushes back, and a server that cuts the client off for it is resumed from the last id
 * read, so no event is lost.
 *
 * <p>{@link #close()} stops everything within a bounded time, from any thread; afterwards no
 * thread of the client runs and the only callback still to come is {@link Listener#onClosed()},
 * which is always the last one.
 */
public final class SseClient implements Closeable {
  /** Default {@link Builder#readTimeout}: a stream silent this long is presumed dead. */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(45);

  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  /** Default {@link Builder#bufferCapacity}: events read but not yet handled. */
  public static final int DEFAULT_BUFFER_CAPACITY = 1024;

  /** Lifecycle callbacks; each has a no-op default, so override only what you need. */
  public interface Listener {
    /** Called when a connection opens with a usable response. Do not read its body. */
    default void onOpen(Response response) {}

    /** Called when the server signals that events after the client's last id were lost. */
    default void onEventsLost(EventsLost lost) {}

    /** Called for every error; {@link SseException#retryIn()} and {@link SseException#isFatal()} say what follows. */
    default void onError(SseException error) {}

    /** Called once, last, when the client has stopped for good: closed, told to stop (204), failed or gave up. */
    default void onClosed() {}
  }

  private record Handler<T>(Class<T> javaType, Consumer<? super T> consumer) {}

  private final HttpUrl url;
  private final OkHttpClient http;
  private final boolean ownsHttp;
  private final Headers headers;
  private final PayloadMapper payloads;
  private final Map<String, List<Handler<?>>> handlers;
  private final Consumer<ServerSentEvent> otherEvents;
  private final Listener listener;
  private final ReconnectPolicy policy;
  private final SseDecoder.Builder decoderSettings;
  private final ExecutorService ownExecutor;
  private final Dispatcher dispatcher;

  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean httpReleased = new AtomicBoolean();
  private final CountDownLatch closeSignal = new CountDownLatch(1);
  private final Thread reader;
  private volatile Call call;
  private volatile String lastEventId;

  private SseClient(Builder b) {
    this.url = Objects.requireNonNull(b.url, "url is required");
    this.ownsHttp = b.http == null;
    OkHttpClient base = b.http != null ? b.http : new OkHttpClient();
    // The call timeout would cut a healthy long-lived stream; silence is caught by the read timeout.
    this.http = base.newBuilder().readTimeout(b.readTimeout).callTimeout(Duration.ZERO).build();
    this.headers = b.headers.build();
    this.payloads = b.payloads;
    Map<String, List<Handler<?>>> byType = new LinkedHashMap<>();
    b.handlers.forEach((type, list) -> byType.put(type, List.copyOf(list)));
    this.handlers = Map.copyOf(byType);
    this.otherEvents = b.otherEvents;
    this.listener = b.listener;
    this.policy = b.policy;
    this.decoderSettings = SseDecoder.builder().maxLineLength(b.maxLineLength).maxEventSize(b.maxEventSize);
    this.lastEventId = b.lastEventId;
    this.ownExecutor = b.executor == null ? Executors.newSingleThreadExecutor(NamedThreads.factory("ssekit-client-callbacks")) : null;
    this.dispatcher = new Dispatcher(b.bufferCapacity, b.executor != null ? b.executor : ownExecutor);
    this.reader = NamedThreads.factory("ssekit-client-reader").newThread(this::readLoop);
  }

  /** Returns a builder for a client. */
  public static Builder builder() {
    return new Builder();
  }

  /** Connects, on the reader thread; does nothing if already started or closed. */
  public SseClient start() {
    if (!closed.get() && started.compareAndSet(false, true)) reader.start();
    return this;
  }

  /** Returns the last event id read from the stream ("" if none); it is sent as {@code Last-Event-ID} on reconnection. */
  public String lastEventId() {
    return lastEventId;
  }

  /** Returns whether the client has stopped for good, by {@link #close()} or by itself. */
  public boolean isClosed() {
    return closed.get();
  }

  /**
   * Stops the client: cancels the connection, drops events not yet handled, runs
   * {@link Listener#onClosed()} and waits up to 5 s in all for its threads to end; a callback
   * still running on the client's own thread then is interrupted (and {@code onClosed} follows it).
   * Safe from any thread, including a callback, and more than once.
   */
  @Override
  public void close() {
    stop(null, true);
    awaitThreads();
  }

  /** Stops for good; events already read are still handled unless the user closed the client. */
  private void stop(SseException fatal, boolean dropQueued) {
    if (!closed.compareAndSet(false, true)) {
      if (dropQueued) dispatcher.finish(null, true);
      return;
    }
    closeSignal.countDown();
    Call current = call;
    if (current != null) current.cancel();
    if (Thread.currentThread() != reader) reader.interrupt();
    if (!started.get()) releaseHttp(); // no reader will do it
    dispatcher.finish(() -> {
      try {
        if (fatal != null) safely(() -> listener.onError(fatal));
        safely(listener::onClosed);
      } finally {
        if (ownExecutor != null) ownExecutor.shutdown(); // its thread ends after this callback
      }
    }, dropQueued);
  }

  private void awaitThreads() {
    long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
    try {
      if (Thread.currentThread() != reader && reader.isAlive()) reader.join(millisUntil(deadline));
      if (!dispatcher.isDispatchThread()) {
        boolean finished = dispatcher.awaitFinished(millisUntil(deadline));
        if (ownExecutor != null) {
          if (!finished) ownExecutor.shutdownNow(); // a handler is stuck: interrupt it
          ownExecutor.awaitTermination(millisUntil(deadline), TimeUnit.MILLISECONDS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Returns the milliseconds left until {@code deadline}, at least 1 (0 would mean "forever" to join). */
  private static long millisUntil(long deadline) {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
  }

  private void releaseHttp() {
    if (ownsHttp && httpReleased.compareAndSet(false, true)) {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
  }

  private void readLoop() {
    Connection connection = new Connection(http, url, headers, decoderSettings, lastEventId, new Connection.Callbacks() {
      @Override
      public void open(Response response) throws InterruptedException {
        dispatcher.put(() -> safely(() -> listener.onOpen(response)));
      }

      @Override
      public void event(ServerSentEvent event) throws InterruptedException {
        deliver(event);
      }

      @Override
      public void error(SseException error) throws InterruptedException {
        dispatcher.put(() -> safely(() -> listener.onError(error)));
      }
    });
    SseException fatal = null;
    int failures = 0;
    try {
      while (!closed.get()) {
        Connection.Outcome outcome = connection.run(c -> {
          call = c;
          if (closed.get()) c.cancel(); // close() ran before the call was visible to it
        }, id -> lastEventId = id);
        if (closed.get() || outcome.stop()) break; // a 204 asks the client to stop for good
        if (outcome.healthyFor().compareTo(policy.resetAfter()) >= 0) failures = 0;
        SseException error = outcome.error();
        if (error.isFatal()) {
          fatal = error;
          break;
        }
        if (++failures > policy.maxAttempts()) {
          boolean quietEnd = policy.maxAttempts() == 0 && error.reason() == SseException.Reason.STREAM_ENDED;
          if (!quietEnd) fatal = policy.maxAttempts() == 0 ? error.asFatal() : exhausted(error);
          break;
        }
        Duration delay = policy.delay(failures, outcome.floor(), ThreadLocalRandom.current().nextDouble());
        SseException retrying = error.retrying(delay);
        dispatcher.put(() -> safely(() -> listener.onError(retrying)));
        if (closeSignal.await(delay.toMillis(), TimeUnit.MILLISECONDS)) break;
      }
    } catch (InterruptedException e) {
      // close() interrupted a wait
    } catch (RuntimeException e) {
      // Not expected from OkHttp or the decoder; never let the reader die without telling anyone.
      fatal = new SseException(SseException.Reason.NETWORK, "unexpected failure reading " + url + ": " + e, e, -1, null,
          true, null);
    }
    stop(fatal, false);
    releaseHttp();
  }

  private SseException exhausted(SseException last) {
    return new SseException(SseException.Reason.RETRIES_EXHAUSTED,
        "gave up after " + policy.maxAttempts() + " reconnection attempts; last: " + last.getMessage(),
        last, last.statusCode(), null, true, null);
  }

  /** Hands a decoded event to the callback thread; runs on the reader. */
  private void deliver(ServerSentEvent event) throws InterruptedException {
    if (event.type().equals(EventsLost.TYPE)) {
      dispatcher.put(() -> {
        EventsLost lost;
        try {
          lost = payloads.decode(event, EventsLost.class);
        } catch (PayloadException e) {
          reportEventError(SseException.Reason.PAYLOAD, e, event);
          return;
        }
        safely(() -> listener.onEventsLost(lost));
      });
      return;
    }
    dispatcher.put(() -> dispatch(event));
  }

  /** Runs the handlers for one event; on the callback thread. */
  private void dispatch(ServerSentEvent event) {
    List<Handler<?>> typed = handlers.get(event.type());
    if (typed == null) {
      if (otherEvents != null) handle(event, () -> otherEvents.accept(event));
      return;
    }
    for (Handler<?> handler : typed) invoke(handler, event);
  }

  private <T> void invoke(Handler<T> handler, ServerSentEvent event) {
    T payload;
    try {
      payload = payloads.decode(event, handler.javaType());
    } catch (PayloadException e) {
      reportEventError(SseException.Reason.PAYLOAD, e, event);
      return;
    }
    handle(event, () -> handler.consumer().accept(payload));
  }

  private void handle(ServerSentEvent event, Runnable handler) {
    try {
      handler.run();
    } catch (RuntimeException | Error e) {
      if (e instanceof VirtualMachineError) throw e;
      reportEventError(SseException.Reason.HANDLER, e, event);
    }
  }

  private void reportEventError(SseException.Reason reason, Throwable cause, ServerSentEvent event) {
    String what = reason == SseException.Reason.PAYLOAD ? cause.getMessage() : "handler for '" + event.type() + "' event"
        + (event.id() == null ? "" : " (id " + event.id() + ")") + " threw " + cause;
    SseException error = new SseException(reason, what, cause, -1, null, false, event);
    safely(() -> listener.onError(error));
  }

  /** Configures a {@link SseClient}; every setting but {@link #url} has a default. */
  public static final class Builder {
    private HttpUrl url;
    private OkHttpClient http;
    private final Headers.Builder headers = new Headers.Builder();
    private PayloadMapper payloads = PayloadMapper.defaults();
    private final Map<String, List<Handler<?>>> handlers = new LinkedHashMap<>();
    private Consumer<ServerSentEvent> otherEvents;
    private Listener listener = new Listener() {};
    private ReconnectPolicy policy = ReconnectPolicy.DEFAULT;
    private Duration readTimeout = DEFAULT_READ_TIMEOUT;
    private Executor executor;
    private int bufferCapacity = DEFAULT_BUFFER_CAPACITY;
    private String lastEventId = "";
    private int maxLineLength = SseDecoder.DEFAULT_MAX_LINE_LENGTH;
    private int maxEventSize = SseDecoder.DEFAULT_MAX_EVENT_SIZE;

    private Builder() {}

    /** Sets the stream's URL. */
    public Builder url(String url) {
      HttpUrl parsed = HttpUrl.parse(url);
      if (parsed == null) throw new IllegalArgumentException("not an http or https URL: " + url);
      return url(parsed);
    }

    /** Sets the stream's URL. */
    public Builder url(HttpUrl url) {
      this.url = Objects.requireNonNull(url, "url");
      return this;
    }

    /**
     * Uses {@code client}'s connection pool, dispatcher, interceptors and settings; the stream
     * overrides only its read and call timeouts. The caller keeps ownership of {@code client}.
     */
    public Builder okHttpClient(OkHttpClient client) {
      this.http = Objects.requireNonNull(client, "client");
      return this;
    }

    /** Adds a request header, e.g. for authorization. */
    public Builder header(String name, String value) {
      headers.add(name, value);
      return this;
    }

    /** Converts event data to handler types with {@code payloads} instead of the defaults. */
    public Builder payloads(PayloadMapper payloads) {
      this.payloads = Objects.requireNonNull(payloads, "payloads");
      return this;
    }

    /** Calls {@code handler} with the data of each {@code eventType} event converted to {@code javaType}. */
    public <T> Builder on(String eventType, Class<T> javaType, Consumer<? super T> handler) {
      Objects.requireNonNull(eventType, "eventType");
      handlers.computeIfAbsent(eventType, t -> new ArrayList<>()).add(new Handler<>(javaType, handler));
      return this;
    }

    /** Calls {@code handler} with every event whose type has no typed handler. */
    public Builder onEvent(Consumer<ServerSentEvent> handler) {
      this.otherEvents = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /** Receives lifecycle callbacks: open, lost events, errors, closed. */
    public Builder listener(Listener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Sets how the client reconnects; {@link ReconnectPolicy#NEVER} turns reconnection off. */
    public Builder reconnectPolicy(ReconnectPolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** Sets how long the stream may stay silent (no event, no comment) before it counts as dead: 1 ms to ~24 days, default 45 s. */
    public Builder readTimeout(Duration timeout) {
      // OkHttp counts whole milliseconds in an int, and would read less than 1 ms as "no timeout".
      if (timeout.compareTo(Duration.ofMillis(1)) < 0 || timeout.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
        throw new IllegalArgumentException("readTimeout must be between 1 ms and " + Integer.MAX_VALUE + " ms: " + timeout);
      }
      this.readTimeout = timeout;
      return this;
    }

    /** Runs callbacks on {@code executor} (one at a time, in order) instead of the client's own thread. */
    public Builder callbackExecutor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** Sets how many events may wait for their callbacks before reading pauses; default 1024. */
    public Builder bufferCapacity(int events) {
      if (events < 1) throw new IllegalArgumentException("bufferCapacity must be positive: " + events);
      this.bufferCapacity = events;
      return this;
    }

    /** Starts as if events up to {@code id} were already seen: the first request sends it as {@code Last-Event-ID}. */
    public Builder lastEventId(String id) {
      this.lastEventId = Objects.requireNonNull(id, "id");
      return this;
    }

    /** Sets the longest line the stream may send, in bytes; see {@link SseDecoder.Builder#maxLineLength}. */
    public Builder maxLineLength(int bytes) {
      SseDecoder.builder().maxLineLength(bytes);
      this.maxLineLength = bytes;
      return this;
    }

    /** Sets the most data one event may carry, in bytes; see {@link SseDecoder.Builder#maxEventSize}. */
    public Builder maxEventSize(int bytes) {
      SseDecoder.builder().maxEventSize(bytes);
      this.maxEventSize = bytes;
      return this;
    }

    /** Returns a client that has not connected yet; call {@link SseClient#start()}. */
    public SseClient build() {
      return new SseClient(this);
    }

    /**
     * Builds and starts a client whose {@code eventType} events, converted to {@code javaType},
     * are read with a blocking iterator; closing the stream closes the client.
     */
    public <T> SseEventStream<T> stream(String eventType, Class<T> javaType) {
      SseEventStream<T> stream = new SseEventStream<>(bufferCapacity);
      on(eventType, javaType, stream::offer);
      listener(stream.listening(listener));
      SseClient client = build();
      stream.attach(client);
      client.start();
      return stream;
    }
  }
}
