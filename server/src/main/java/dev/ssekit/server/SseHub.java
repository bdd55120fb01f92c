package dev.ssekit.server;

import dev.ssekit.protocol.EventsLost;
import dev.ssekit.protocol.PayloadMapper;
import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.protocol.SseComment;
import dev.ssekit.protocol.SseEncoder;
import dev.ssekit.server.EventLog.LoggedEvent;
import dev.ssekit.server.EventLog.Replay;
import dev.ssekit.server.internal.ClientChannel;
import dev.ssekit.protocol.internal.NamedThreads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes events to every connected client: gives each event an id, encodes it once, keeps it
 * for replay and hands the same bytes to each client's bounded queue.
 *
 * <p>Serve it on a Javalin app with {@link SsePlugin}; publish from any thread:
 *
 * <pre>{@code
 * SseHub hub = SseHub.create(config -> config.retry = Duration.ofSeconds(2));
 * Javalin.create(config -> config.registerPlugin(new SsePlugin("/sse", hub))).start(8080);
 * hub.publish("order", new Order(42, "tea"));
 * }</pre>
 *
 * <p>A client that connects with {@code Last-Event-ID} first gets every retained event after it,
 * then the live stream, with no gap and no duplicate: taking the replay and joining the live
 * stream happen under the same lock as publishing. A client whose queue fills up is disconnected
 * and counted, so it never holds back the others.
 *
 * <p>Owns its writer and timer threads ({@code ssekit-writer-*}, {@code ssekit-hub-timer});
 * {@link #close()} ends every stream and stops them.
 */
public final class SseHub implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SseHub.class);

  private final SseHubConfig config;
  private final EventLog log;
  private final ExecutorService writers;
  private final ScheduledExecutorService timer;
  private final byte[] connectFrame;
  private final byte[] keepAliveFrame;

  private final Object lock = new Object();
  private final Set<ClientChannel> clients = new HashSet<>(); // guarded by lock
  private boolean closed; // guarded by lock
  private long lastEventId; // guarded by lock
  private volatile long lastFanOutNanos = System.nanoTime();

  private final AtomicLong published = new AtomicLong();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong slowDisconnects = new AtomicLong();

  private SseHub(SseHubConfig config) {
    config.validate();
    this.config = config;
    this.log = config.eventLog != null ? config.eventLog : new InMemoryEventLog(config.history);
    this.writers = Executors.newFixedThreadPool(config.writerThreads, NamedThreads.factory("ssekit-writer"));
    this.timer = Executors.newSingleThreadScheduledExecutor(NamedThreads.factory("ssekit-hub-timer"));
    this.connectFrame = config.retry == null ? null : new SseEncoder().retry(config.retry).toByteArray();
    this.keepAliveFrame = new SseEncoder().comment(SseComment.KEEP_ALIVE).toByteArray();
    long period = config.keepAliveInterval.toMillis();
    timer.scheduleAtFixedRate(this::keepAlive, period, Math.max(1, period / 4), TimeUnit.MILLISECONDS);
  }

  /** Returns a hub with default settings. */
  public static SseHub create() {
    return create(config -> {});
  }

  /** Returns a hub configured by {@code config}. */
  public static SseHub create(Consumer<SseHubConfig> config) {
    SseHubConfig c = new SseHubConfig();
    config.accept(c);
    return new SseHub(c);
  }

  /**
   * Publishes {@code payload} as an event of {@code type}, its data converted by the configured
   * {@link PayloadMapper}, and returns the id it was given.
   */
  public long publish(String type, Object payload) {
    return publish(config.payloads.toEvent(type, payload));
  }

  /** Publishes {@code event} (its own id, if any, is replaced) and returns the id it was given. */
  public long publish(ServerSentEvent event) {
    Objects.requireNonNull(event, "event");
    List<ClientChannel> slow;
    long id;
    synchronized (lock) {
      if (closed) throw new IllegalStateException("hub is closed");
      LoggedEvent logged = log.append(event);
      id = logged.id();
      lastEventId = id;
      published.incrementAndGet(); // with the id, so that stats() never shows one ahead of the other
      slow = fanOut(logged.frame());
    }
    disconnectSlow(slow);
    return id;
  }

  /** Returns counters an operator wants to see: clients, events and slow clients cut off. */
  public HubStats stats() {
    synchronized (lock) {
      return new HubStats(clients.size(), published.get(), lastEventId, accepted.get(), slowDisconnects.get());
    }
  }

  /**
   * Connects a client that has seen everything up to {@code lastEventId} (null for a new one):
   * queues its replay and joins it to the live stream in one step. Returns null if the hub is
   * closed or full. Used by {@link SsePlugin}.
   */
  ClientChannel connect(ClientChannel.Sink sink, String lastEventId, Object owner) {
    synchronized (lock) {
      if (closed || clients.size() >= config.maxClients) return null;
      Replay replay = log.replay(lastEventId);
      List<byte[]> frames = new ArrayList<>(replay.events().size() + 2);
      if (connectFrame != null) frames.add(connectFrame);
      if (lastEventId == null || lastEventId.isEmpty()) {
        // A new client learns where it joined, so that if it is cut off before its first event
        // it still resumes from here rather than as a new client that missed what came between.
        frames.add(new SseEncoder().id(Long.toString(log.newestId())).toByteArray());
      }
      if (replay.lost() != null) frames.add(SseEncoder.encode(config.payloads.toEvent(EventsLost.TYPE, replay.lost())));
      for (LoggedEvent e : replay.events()) frames.add(e.frame());
      ClientChannel channel = new ClientChannel(sink, writers, config.clientQueueCapacity, owner, this::closed);
      channel.prime(frames);
      clients.add(channel);
      accepted.incrementAndGet();
      return channel;
    }
  }

  /** Returns how long ending streams may take before clients are cut off. */
  Duration shutdownTimeout() {
    return config.shutdownTimeout;
  }

  /** Returns the delay a refused client should wait, for its {@code Retry-After}. */
  long retryAfterSeconds() {
    return config.retry == null ? 5 : Math.max(1, (config.retry.toMillis() + 999) / 1000);
  }

  /**
   * Ends the streams of the clients {@code which} selects: each gets what is queued, then its
   * response ends; any still busy after the shutdown timeout is cut off. Returns when all are gone.
   */
  void endClients(Predicate<ClientChannel> which) {
    List<ClientChannel> ending;
    synchronized (lock) {
      ending = clients.stream().filter(which).toList();
    }
    ending.forEach(ClientChannel::end);
    long deadline = System.nanoTime() + config.shutdownTimeout.toNanos();
    synchronized (lock) {
      try {
        while (ending.stream().anyMatch(clients::contains)) {
          long left = deadline - System.nanoTime();
          if (left <= 0) break;
          lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    ending.forEach(ClientChannel::abort);
  }

  /**
   * Ends every stream (clients may reconnect elsewhere and resume), stops the hub's threads and
   * refuses further publishing. Returns within about the shutdown timeout.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) return;
      closed = true;
    }
    timer.shutdownNow();
    endClients(c -> true);
    writers.shutdown();
    try {
      if (!writers.awaitTermination(config.shutdownTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS)) {
        writers.shutdownNow();
      }
    } catch (InterruptedException e) {
      writers.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private List<ClientChannel> fanOut(byte[] frame) {
    lastFanOutNanos = System.nanoTime();
    List<ClientChannel> slow = null;
    for (ClientChannel c : clients) {
      if (!c.offer(frame)) {
        if (slow == null) slow = new ArrayList<>();
        slow.add(c);
      }
    }
    return slow;
  }

  private void disconnectSlow(List<ClientChannel> slow) {
    if (slow == null) return;
    for (ClientChannel c : slow) {
      if (c.abort()) {
        slowDisconnects.incrementAndGet();
        LOG.info("Disconnected a client whose queue was full ({} frames); it may resume with Last-Event-ID",
            config.clientQueueCapacity);
      }
    }
  }

  private void keepAlive() {
    if (System.nanoTime() - lastFanOutNanos < config.keepAliveInterval.toNanos()) return;
    List<ClientChannel> slow;
    synchronized (lock) {
      if (closed) return;
      slow = fanOut(keepAliveFrame);
    }
    disconnectSlow(slow);
  }

  private void closed(ClientChannel channel) {
    synchronized (lock) {
      clients.remove(channel);
      lock.notifyAll();
    }
  }
}
