package dev.ssekit.server;

import dev.ssekit.protocol.PayloadMapper;
import java.time.Duration;

/**
 * Settings of a {@link SseHub}, set in the lambda given to {@link SseHub#create}, which reads them
 * once (changing them afterwards has no effect):
 *
 * <pre>{@code
 * SseHub hub = SseHub.create(config -> {
 *   config.history = 10_000;
 *   config.retry = Duration.ofSeconds(2);
 * });
 * }</pre>
 */
public final class SseHubConfig {
  /** Events kept for replay to resuming clients, when {@link #eventLog} is not set. */
  public int history = 1000;

  /**
   * The log the hub appends to and delivers from; null for an {@link InMemoryEventLog} of
   * {@link #history} events, which the hub closes with itself. A log given here stays open when
   * the hub closes (it may outlive the hub, as a shared store does).
   */
  public EventLog eventLog;

  /** The reconnection delay sent to every client with {@code retry:} when it connects; null sends none. */
  public Duration retry;

  /** Most clients connected at once; a client beyond it gets {@code 503} with {@code Retry-After}. */
  public int maxClients = 10_000;

  /**
   * Most topics one client may subscribe to; a subscription naming more is refused (the plugin
   * answers {@code 400}). Each topic of each client costs memory, so this bounds what one request
   * can make the hub hold.
   */
  public int maxTopicsPerClient = 64;

  /**
   * Frames queued for one client before it counts as too slow and is disconnected (it may
   * resume); at most {@value #MAX_QUEUE_CAPACITY}.
   */
  public int clientQueueCapacity = 1024;

  /** The largest {@link #clientQueueCapacity}: the hub keeps four times as many recent events. */
  public static final int MAX_QUEUE_CAPACITY = 1 << 20;

  /** After this long without an event, every client gets a comment so that proxies keep the stream open. */
  public Duration keepAliveInterval = Duration.ofSeconds(15);

  /** How long {@link SseHub#close()} lets clients drain their queues before cutting them off. */
  public Duration shutdownTimeout = Duration.ofSeconds(3);

  /**
   * Converts payloads of {@link SseHub#publish(String, Object)} to event data. Its JSON, unless
   * chosen with {@code PayloadMapper.Builder.json}, is the serving Javalin app's
   * ({@code config.jsonMapper(...)}), else Jackson 3.
   */
  public PayloadMapper payloads = PayloadMapper.defaults();

  /** Threads that write to clients; writes never block, so a few serve any number of clients. */
  public int writerThreads = Math.max(2, Runtime.getRuntime().availableProcessors());

  SseHubConfig() {}

  void validate() {
    require(history >= 0, "history must not be negative: " + history);
    require(maxClients > 0, "maxClients must be positive: " + maxClients);
    require(clientQueueCapacity > 0 && clientQueueCapacity <= MAX_QUEUE_CAPACITY,
        "clientQueueCapacity must be between 1 and " + MAX_QUEUE_CAPACITY + ": " + clientQueueCapacity);
    require(maxTopicsPerClient > 0, "maxTopicsPerClient must be positive: " + maxTopicsPerClient);
    require(writerThreads > 0, "writerThreads must be positive: " + writerThreads);
    require(retry == null || !retry.isNegative(), "retry must not be negative: " + retry);
    require(keepAliveInterval != null && keepAliveInterval.toMillis() > 0, "keepAliveInterval must be positive: " + keepAliveInterval);
    require(shutdownTimeout != null && !shutdownTimeout.isNegative(), "shutdownTimeout must not be negative: " + shutdownTimeout);
    require(payloads != null, "payloads must not be null");
  }

  private static void require(boolean condition, String message) {
    if (!condition) throw new IllegalArgumentException(message);
  }
}
