package dev.ssekit.server;

import dev.ssekit.protocol.Heartbeat;
import dev.ssekit.protocol.ServerSentEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a {@link Heartbeat} to a hub once per interval, from its own thread
 * ({@code ssekit-heartbeat-N}), until closed: {@code event: heartbeat}, {@code data: <epoch millis>}.
 *
 * <p>Beats fall on the clock's interval boundaries, and each is published with an idempotency key
 * naming its interval: however many nodes run a heartbeat source on one shared log, exactly one
 * beat per interval enters it, and when a node dies the others' next beat simply goes in.
 *
 * <p>A beat that cannot be published (the log is unreachable) is logged and the next one tried
 * at the next interval; the source stops only when closed or when its hub closes.
 */
public final class HeartbeatSource implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HeartbeatSource.class);

  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(NamedThreads.factory("ssekit-heartbeat"));
  private final SseHub hub;
  private final long intervalMillis;
  private final Clock clock;
  private final String topic;
  private boolean failing; // touched only by the scheduler's thread

  private HeartbeatSource(SseHub hub, Duration interval, String topic, Clock clock) {
    this.hub = hub;
    this.topic = Publication.checkTopic(topic);
    this.intervalMillis = interval.toMillis();
    this.clock = clock;
    if (intervalMillis <= 0) {
      scheduler.shutdown();
      throw new IllegalArgumentException("heartbeat interval must be at least 1 ms: " + interval);
    }
    long untilBoundary = intervalMillis - Math.floorMod(clock.millis(), intervalMillis);
    scheduler.scheduleAtFixedRate(this::beat, untilBoundary, intervalMillis, TimeUnit.MILLISECONDS);
  }

  /**
   * Starts publishing a heartbeat to {@code hub} once per {@code interval}, the first at the next
   * interval boundary of the system clock.
   *
   * @param hub where the beats are published
   * @param interval the time between beats, at least 1 ms
   * @return the running source; close it to stop
   */
  public static HeartbeatSource start(SseHub hub, Duration interval) {
    return start(hub, interval, Publication.DEFAULT_TOPIC);
  }

  /**
   * Starts publishing a heartbeat to {@code topic} of {@code hub} once per {@code interval}, the
   * first at the next interval boundary of the system clock.
   *
   * @param hub where the beats are published
   * @param interval the time between beats, at least 1 ms
   * @param topic the topic the beats go to
   * @return the running source; close it to stop
   */
  public static HeartbeatSource start(SseHub hub, Duration interval, String topic) {
    return new HeartbeatSource(hub, interval, topic, Clock.systemUTC());
  }

  private void beat() {
    long now = clock.millis();
    // The beat's interval, rounded so that a tick a little early or late still names its own.
    long slot = Math.floorDiv(now + intervalMillis / 2, intervalMillis);
    try {
      hub.publish(Publication.of(ServerSentEvent.heartbeat(now)).toTopic(topic)
          .withIdempotencyKey("heartbeat/" + topic + "/" + intervalMillis + "/" + slot));
      if (failing) LOG.info("Heartbeats are being published again");
      failing = false;
    } catch (HubClosedException closed) {
      scheduler.shutdown();
    } catch (RuntimeException e) {
      if (!failing) LOG.warn("A heartbeat could not be published; trying again every interval until one is", e);
      failing = true;
    }
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
