package dev.ssekit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ssekit.client.ReconnectPolicy;
import dev.ssekit.client.SseClient;
import dev.ssekit.client.SseEventStream;
import dev.ssekit.client.SseException;
import dev.ssekit.protocol.PayloadType;
import dev.ssekit.protocol.TypedEvent;
import dev.ssekit.server.SseHub;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The fault proxy cuts, stalls and drops connections between the real client and the real hub; nothing is lost. */
class FaultProxyTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @RegisterExtension
  final SseHubExtension sse = SseHubExtension.create(hub -> hub.history = 10_000);

  private static SseClient.Builder client(URI url) {
    return SseClient.builder()
        .url(url.toString())
        .reconnectPolicy(ReconnectPolicy.DEFAULT.withDelays(Duration.ofMillis(1), Duration.ofMillis(10)).withJitter(0));
  }

  @Test
  void randomCutsLandMidEventAndTheClientResumesWithNothingLostOrDoubled(SseHub hub) throws Exception {
    try (FaultProxy proxy = FaultProxy.builder(sse.baseUrl().getPort()).cutAfterRandomBytes(32, 800).seed(20261201L).start();
         SseEventStream<TypedEvent<String>> events = client(proxy.url("/sse"))
             .lastEventId(hub.stats().lastEventId().toString()) // from the start, however late the first connection gets through
             .eventStream("n", PayloadType.of(String.class))) {
      int total = 600;
      for (int i = 1; i <= total; i++) hub.publish("n", "event " + i + " " + "x".repeat(i % 53));
      List<String> received = new ArrayList<>();
      while (received.size() < total) {
        TypedEvent<String> event = events.poll(WAIT);
        if (event == null) throw new AssertionError("stuck after " + received.size() + " events; " + proxy);
        received.add(event.data());
      }
      for (int i = 1; i <= total; i++) assertEquals("event " + i + " " + "x".repeat(i % 53), received.get(i - 1));
      assertTrue(proxy.cuts() >= 30, "cut many times: " + proxy);
      assertTrue(proxy.midEventCuts() >= 10, "cuts in the middle of events: " + proxy.midEventCuts() + " of " + proxy.cuts());
    }
  }

  @Test
  void stallTripsTheClientsReadTimeoutAndDropMakesItReconnect(SseHub hub) throws Exception {
    BlockingQueue<SseException> errors = new LinkedBlockingQueue<>();
    try (FaultProxy proxy = FaultProxy.builder(sse.baseUrl().getPort()).start();
         SseEventStream<TypedEvent<String>> events = client(proxy.url("/sse"))
             .readTimeout(Duration.ofMillis(500))
             .listener(new SseClient.Listener() {
               @Override
               public void onError(SseException e) {
                 errors.add(e);
               }
             })
             .eventStream("n", PayloadType.of(String.class))) {
      awaitClients(hub, 1);
      hub.publish("n", "before");
      assertEquals("before", events.poll(WAIT).data());

      proxy.stall();
      assertEquals(SseException.Reason.READ_TIMEOUT, errors.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS).reason());
      proxy.resume();
      hub.publish("n", "after the stall");
      assertEquals("after the stall", events.poll(WAIT).data());

      int before = proxy.connections();
      proxy.dropConnections();
      SseException dropped = errors.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertTrue(dropped.reason() == SseException.Reason.NETWORK || dropped.reason() == SseException.Reason.STREAM_ENDED,
          dropped.toString());
      hub.publish("n", "after the drop");
      assertEquals("after the drop", events.poll(WAIT).data());
      assertTrue(proxy.connections() > before, "it reconnected: " + proxy);
    }
  }

  /** Waits until the hub has {@code n} clients, on the hub's own count: what the client connected through matters not. */
  private static void awaitClients(SseHub hub, int n) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (hub.stats().clients() != n) {
      if (System.nanoTime() > deadline) throw new AssertionError("the hub has " + hub.stats().clients() + " clients, not " + n);
      TimeUnit.MILLISECONDS.sleep(5);
    }
  }
}
