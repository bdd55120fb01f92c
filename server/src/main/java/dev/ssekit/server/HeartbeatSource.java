package dev.ssekit.server;

import dev.ssekit.protocol.Heartbeat;
import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.protocol.internal.NamedThreads;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a {@link Heartbeat} to a hub at a fixed rate, from its own thread
 * ({@code ssekit-heartbeat-1}), until closed: {@code event: heartbeat}, {@code data: <epoch millis>}.
 */
public final class HeartbeatSource implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HeartbeatSource.class);

  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(NamedThreads.factory("ssekit-heartbeat"));

  private HeartbeatSource(SseHub hub, Duration interval, Clock clock) {
    long millis = interval.toMillis();
    if (millis <= 0) throw new IllegalArgumentException("heartbeat interval must be positive: " + interval);
    scheduler.scheduleAtFixedRate(() -> {
      try {
        hub.publish(ServerSentEvent.HEARTBEAT_TYPE, Heartbeat.ofEpochMilli(clock.millis()));
      } catch (IllegalStateException closed) {
        scheduler.shutdown();
      } catch (RuntimeException e) {
        LOG.warn("Heartbeat failed; will try again next beat", e);
      }
    }, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** Starts publishing a heartbeat to {@code hub} every {@code interval}, the first after one interval. */
  public static HeartbeatSource start(SseHub hub, Duration interval) {
    return new HeartbeatSource(hub, interval, Clock.systemUTC());
  }

  /** Stops publishing and waits for the thread to end. */
  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
