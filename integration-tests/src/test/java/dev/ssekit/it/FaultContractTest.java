package dev.ssekit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ssekit.client.ReconnectPolicy;
import dev.ssekit.client.SseClient;
import dev.ssekit.protocol.EventsLost;
import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.server.Publication;
import dev.ssekit.server.InMemoryEventLog;
import dev.ssekit.server.app.SseServer;
import dev.ssekit.testing.FaultProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Nothing is lost, duplicated or reordered when servers restart and connections are cut. */
class FaultContractTest {
  /** Reconnect fast, as a test needs, but with real backoff growth. */
  private static final ReconnectPolicy FAST =
      ReconnectPolicy.DEFAULT.withDelays(Duration.ofMillis(5), Duration.ofMillis(40)).withJitter(0.2);

  private final Resources resources = new Resources();

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  private static SseServer start(int port, InMemoryEventLog log) {
    return SseServer.start(c -> {
      c.port = port;
      c.host = "127.0.0.1";
      c.heartbeatInterval = Duration.ZERO;
      c.retry = Duration.ofMillis(20);
      c.eventLog = log;
    });
  }

  private SseClient subscribe(int port, Received received) {
    SseClient client = SseClient.builder()
        .url("http://127.0.0.1:" + port + "/sse?topic=" + Publication.DEFAULT_TOPIC) // the jar's clients default to its heartbeats
        .reconnectPolicy(FAST)
        .listener(received)
        .onEvent(received::event)
        .build();
    resources.add(client);
    return client.start();
  }

  @Test
  void clientResumesAcrossAServerRestartAndGetsEveryEventOnce() throws Exception {
    InMemoryEventLog log = new InMemoryEventLog(100_000); // the log outlives the process, as a shared store would
    AtomicReference<SseServer> current = new AtomicReference<>(start(0, log));
    int port = current.get().port();
    resources.add(() -> current.get().close());
    Received received = new Received();
    subscribe(port, received);
    Await.until("connected", () -> current.get().hub().stats().clients() == 1);

    int total = 3000;
    for (int i = 1; i <= total; i++) {
      if (i == total / 2) {
        // Restart in the middle of the stream: events published so far are still in flight.
        current.get().close();
        current.set(start(port, log));
      }
      current.get().hub().publish("n", i);
      if (i % 10 == 0) LockSupport.parkNanos(1_000_000); // keep publishing while the client reads
    }
    Await.until(() -> "all " + total + " events; " + received, () -> received.count() >= total);
    assertEquals(LongStream.rangeClosed(1, total).boxed().toList(), received.ids(), "every id once, in order");
    assertTrue(received.opens() >= 2, "the client reconnected to the new server");
    assertEquals(List.of(), received.lost());
  }

  @Test
  void restartWithoutTheLogIsSignalledAsLostEventsEvenOnceTheNewCounterHasPassedTheClientsId() throws Exception {
    SseServer first = start(0, new InMemoryEventLog(1000));
    int port = first.port();
    Received received = new Received();
    subscribe(port, received);
    Await.until("connected", () -> first.hub().stats().clients() == 1);
    for (int i = 1; i <= 50; i++) first.hub().publish("n", i);
    Await.until("50 events", () -> received.count() == 50);
    String seen = received.events().get(49).id();
    first.close();

    // The new process has its own history, already past offset 50: ids alone would line up.
    InMemoryEventLog fresh = new InMemoryEventLog(1000);
    for (int i = 1; i <= 80; i++) fresh.append(Publication.of(ServerSentEvent.of("n", "new " + i)));
    SseServer second = start(port, fresh);
    resources.add(second);
    Await.until(() -> "the lost signal and the new server's events; " + received, () -> received.count() == 130);
    assertEquals(List.of(new EventsLost(seen, fresh.read(1, 1).get(0).id().toString())), received.lost(),
        "the new server does not know the old process's " + seen);
    assertEquals("new 1", received.events().get(50).data(), "then every retained event, from the oldest");
    assertEquals("new 80", received.events().get(129).data());
  }

  @Test
  void connectionsCutAtRandomMomentsLoseNothing() throws Exception {
    SseServer server = resources.server(c -> {
      c.heartbeatInterval = Duration.ZERO;
      c.retry = Duration.ofMillis(1);
      c.history = 100_000;
    });
    // Budgets from inside the response headers to a few dozen events, so most cuts land mid-event.
    FaultProxy proxy = resources.add(FaultProxy.builder(server.port()).cutAfterRandomBytes(32, 2500).seed(20261126L).start());
    Received received = new Received();
    SseClient client = SseClient.builder()
        .url(proxy.url("/sse?topic=" + Publication.DEFAULT_TOPIC).toString())
        .reconnectPolicy(FAST.withDelays(Duration.ofMillis(1), Duration.ofMillis(10)))
        .lastEventId(server.hub().stats().lastEventId().toString()) // everything from the start, however late the first connection gets through
        .listener(received)
        .onEvent(received::event)
        .build();
    resources.add(client);
    client.start();

    int total = 4000;
    for (int i = 1; i <= total; i++) {
      server.hub().publish("n", "event " + i + " " + "x".repeat(i % 97));
      if (i % 20 == 0) LockSupport.parkNanos(1_000_000);
    }
    Await.until(() -> "all " + total + " events through the proxy; " + received + ", cuts " + proxy.cuts(),
        () -> received.count() >= total);
    assertEquals(LongStream.rangeClosed(1, total).boxed().toList(), received.ids(), "every id once, in order");
    for (int i = 0; i < total; i += 997) {
      assertEquals("event " + (i + 1) + " " + "x".repeat((i + 1) % 97), received.events().get(i).data());
    }
    assertTrue(proxy.cuts() >= 200, "cut hundreds of times, was " + proxy.cuts());
    assertTrue(proxy.midEventCuts() >= 100, "most cuts in the middle of an event: " + proxy.midEventCuts() + " of " + proxy.cuts());
    assertEquals(List.of(), received.lost());
  }
}
