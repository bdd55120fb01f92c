package dev.ssekit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseHubMetricsTest {
  @Test
  void metersFollowTheTrafficTheyCount() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (SseHub hub = SseHub.create(c -> {
      c.history = 3;
      c.clientQueueCapacity = 4;
    })) {
      new SseHubMetrics(hub, Tags.of("stream", "test")).bindTo(registry);
      FakeSink a = new FakeSink();
      a.connect(hub, null);
      FakeSink stalled = new FakeSink();
      stalled.connect(hub, null);
      stalled.await("its id-only block written", () -> stalled.text().startsWith("id: "));
      stalled.stall();
      List<EventId> ids = new ArrayList<>();
      for (int i = 1; i <= 6; i++) {
        ids.add(hub.publish("n", "e" + i));
        a.awaitEvents(i);
      }
      Await.until("the stalled client cut off", () -> hub.stats().slowClientsDisconnected() == 1);
      FakeSink resumed = new FakeSink();
      resumed.connect(hub, ids.get(3).toString()); // 5 and 6 are retained: a replay
      FakeSink lost = new FakeSink();
      lost.connect(hub, ids.get(0).toString()); // trimmed: ssekit-lost, then a replay
      resumed.awaitEvents(2);
      lost.awaitEvents(4);

      assertEquals(3.0, registry.get("ssekit.clients").tag("stream", "test").gauge().value());
      assertEquals(6.0, registry.get("ssekit.events.published").functionCounter().count());
      assertEquals(6.0, registry.get("ssekit.events.delivered").functionCounter().count());
      assertEquals(4.0, registry.get("ssekit.connections.accepted").functionCounter().count());
      assertEquals(2.0, registry.get("ssekit.replays").functionCounter().count());
      assertEquals(1.0, registry.get("ssekit.lost.signals").functionCounter().count());
      assertEquals(1.0, registry.get("ssekit.clients.slow.disconnected").functionCounter().count());
      assertEquals(0.0, registry.get("ssekit.log.resets").functionCounter().count());
      // A batch is recorded just after its write, so the last may land after the event is seen.
      Await.until("every live write timed", () -> registry.get("ssekit.client.write.latency").timer().count() >= 6);
      long batches = registry.get("ssekit.client.write.latency").timer().count();
      assertTrue(registry.get("ssekit.client.write.latency").timer().totalTime(java.util.concurrent.TimeUnit.NANOSECONDS) > 0,
          "latencies are measured, not zero");
      Await.until("every batch's depth recorded", () -> registry.get("ssekit.client.queue.depth").summary().count() >= batches);
      assertTrue(registry.get("ssekit.client.queue.depth").summary().max() >= 1);
    }
  }
}
