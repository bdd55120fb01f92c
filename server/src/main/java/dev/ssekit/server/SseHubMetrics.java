package dev.ssekit.server;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters for a hub (needs {@code io.micrometer:micrometer-core} on the classpath):
 *
 * <pre>{@code
 * new SseHubMetrics(hub).bindTo(registry);   // before clients connect
 * }</pre>
 *
 * <ul>
 *   <li>{@code ssekit.clients} (gauge): clients connected now;</li>
 *   <li>{@code ssekit.events.published}, {@code ssekit.events.delivered} (counters): events this
 *       hub appended to its log, and events its tail delivered (from any hub on the log);</li>
 *   <li>{@code ssekit.connections.accepted}, {@code ssekit.replays} (replays served to resuming
 *       clients), {@code ssekit.lost.signals} ({@code ssekit-lost} sent),
 *       {@code ssekit.clients.slow.disconnected} (cut off because their queue was full),
 *       {@code ssekit.log.resets} (history lost under the hub) — counters;</li>
 *   <li>{@code ssekit.client.queue.depth} (distribution): frames waiting in a client's queue
 *       when its writer takes them;</li>
 *   <li>{@code ssekit.client.write.latency} (timer): how long the oldest of those frames waited
 *       between the hub queuing it and the writer handing it to the socket.</li>
 * </ul>
 *
 * <p>Bind it to one registry (use a {@code CompositeMeterRegistry} for several) before clients
 * connect: the distributions cover clients that connect afterwards.
 */
public final class SseHubMetrics implements MeterBinder {
  private final SseHub hub;
  private final Tags tags;

  /**
   * Creates the binder for {@code hub}.
   *
   * @param hub the hub to measure
   */
  public SseHubMetrics(SseHub hub) {
    this(hub, Tags.empty());
  }

  /**
   * Creates the binder for {@code hub}, adding {@code tags} to every meter (e.g. the stream's name).
   *
   * @param hub the hub to measure
   * @param tags tags for every meter
   */
  public SseHubMetrics(SseHub hub, Iterable<Tag> tags) {
    this.hub = Objects.requireNonNull(hub, "hub");
    this.tags = Tags.of(tags);
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("ssekit.clients", hub, h -> h.stats().clients()).tags(tags)
        .description("Clients connected now, live or catching up").register(registry);
    counter(registry, "ssekit.events.published", "Events this hub appended to its log", s -> s.published());
    counter(registry, "ssekit.events.delivered", "Events the log's tail delivered to this hub", s -> s.delivered());
    counter(registry, "ssekit.connections.accepted", "Clients ever connected", s -> s.connectionsAccepted());
    counter(registry, "ssekit.replays", "Resuming clients that were served a replay from the log", s -> s.replays());
    counter(registry, "ssekit.lost.signals", "ssekit-lost signals sent", s -> s.lostSignals());
    counter(registry, "ssekit.clients.slow.disconnected", "Clients cut off because their queue was full",
        s -> s.slowClientsDisconnected());
    counter(registry, "ssekit.log.resets", "Times the hub lost continuity with its log and ended every stream",
        s -> s.resets());
    DistributionSummary depth = DistributionSummary.builder("ssekit.client.queue.depth").tags(tags)
        .description("Frames waiting in a client's queue when its writer takes them").baseUnit("frames")
        .publishPercentileHistogram().register(registry);
    Timer latency = Timer.builder("ssekit.client.write.latency").tags(tags)
        .description("How long the oldest queued frame waited before it was handed to the client's socket")
        .publishPercentileHistogram().register(registry);
    hub.observe((frames, waitedNanos) -> {
      depth.record(frames);
      latency.record(waitedNanos, TimeUnit.NANOSECONDS);
    });
  }

  private void counter(MeterRegistry registry, String name, String description, ToDoubleFunction<HubStats> value) {
    FunctionCounter.builder(name, hub, h -> value.applyAsDouble(h.stats())).tags(tags).description(description)
        .register(registry);
  }
}
