package dev.ssekit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ssekit.client.ReconnectPolicy;
import dev.ssekit.client.SseClient;
import dev.ssekit.protocol.EventsLost;
import dev.ssekit.protocol.Heartbeat;
import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.redis.RedisEventLog;
import dev.ssekit.redis.RedisProcess;
import dev.ssekit.server.EventId;
import dev.ssekit.server.EventLog;
import dev.ssekit.server.EventLogException;
import dev.ssekit.server.Publication;
import dev.ssekit.server.app.SseServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Several server processes on one Redis stream are one stream: clients moved between them, nodes
 * killed, Redis restarted and cut off, and every client still gets every event once, in order —
 * or, when the store itself is wiped, is told so.
 */
class ScaleOutContractTest {
  private static final ReconnectPolicy FAST =
      ReconnectPolicy.DEFAULT.withDelays(Duration.ofMillis(5), Duration.ofMillis(50)).withJitter(0.2);

  private final Resources resources = new Resources();

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  private List<ServerJar> nodes(RedisProcess redis, String stream, int count, String... more) throws Exception {
    List<ServerJar> nodes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      List<String> flags = new ArrayList<>(List.of("--port", "0", "--host", "127.0.0.1", "--log", redis.uri(stream),
          "--retry", "50ms", "--history", "100000", "--log-timeout", "1s"));
      flags.addAll(List.of(more));
      nodes.add(resources.add(ServerJar.startSmall("node-" + (char) ('A' + i), flags.toArray(String[]::new))));
    }
    for (ServerJar node : nodes) node.port(); // all up
    return nodes;
  }

  private SseClient client(int port, String from, Received received) {
    SseClient client = SseClient.builder()
        .url("http://127.0.0.1:" + port + "/sse?topic=" + Publication.DEFAULT_TOPIC) // the jar's clients default to its heartbeats
        .reconnectPolicy(FAST)
        .readTimeout(Duration.ofSeconds(10))
        .lastEventId(from)
        .listener(received)
        .onEvent(received::event)
        .build();
    resources.add(client);
    return client.start();
  }

  /** Publishes {@code event} with {@code key}, again and again while the log is unreachable: a retry never doubles it. */
  private static void publishSurely(EventLog publisher, ServerSentEvent event, String key) {
    Await.until("publishing " + key, () -> {
      try {
        publisher.append(Publication.of(event).withIdempotencyKey(key));
        return true;
      } catch (EventLogException unreachable) {
        return false;
      }
    });
  }

  @Test
  void threeNodesOneRedisClientsMovedNodeKilledRedisRestartedEveryEventOnceInOrderThenAWipeIsSignalled()
      throws Exception {
    RedisProcess redis = resources.add(RedisProcess.start());
    List<ServerJar> nodes = nodes(redis, "it", 3, "--heartbeat-interval", "0");
    TcpProxy balancer = resources.add(new TcpProxy(nodes.stream().map(ServerJar::port).toList(), 2_000, 16_000, 20261201L));
    // One publisher per node: each appends to the shared stream as its node would.
    List<RedisEventLog> publishers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      publishers.add(resources.add(RedisEventLog.builder(redis.uri("it")).history(100_000).timeout(Duration.ofSeconds(1)).build()));
    }
    String start = publishers.get(0).head().toString();

    List<Received> clients = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      Received received = new Received();
      client(balancer.port(), start, received);
      clients.add(received);
    }

    int total = 3000;
    AtomicInteger published = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < 3; p++) {
      RedisEventLog publisher = publishers.get(p);
      int first = p + 1;
      Thread thread = new Thread(() -> {
        for (int i = first; i <= total; i += 3) {
          publishSurely(publisher, ServerSentEvent.of("n", Integer.toString(i)), "it-" + i);
          published.incrementAndGet();
          if (i % 30 == first) LockSupport.parkNanos(15_000_000); // ~500 events a second, all three together
        }
      }, "test-publisher-" + p);
      thread.start();
      threads.add(thread);
    }
    Await.until("a third published", () -> published.get() >= total / 3);
    nodes.get(0).kill(); // SIGKILL: its clients find another node through the balancer
    Await.until("two thirds published", () -> published.get() >= 2 * total / 3);
    redis.restart(); // SIGKILL, then AOF: nodes' tails and the publishers carry on
    for (Thread thread : threads) thread.join();

    for (Received received : clients) {
      Await.until(() -> "every event at every client; " + received + ", cuts " + balancer.cuts(), () -> received.count() >= total);
    }
    List<Long> offsets = LongStream.rangeClosed(1, total).boxed().toList();
    List<String> data = IntStream.rangeClosed(1, total).mapToObj(Integer::toString).sorted().toList();
    for (Received received : clients) {
      assertEquals(offsets, received.ids(), "every id once, in order");
      List<String> got = new ArrayList<>(received.events().stream().map(ServerSentEvent::data).toList());
      Collections.sort(got);
      assertEquals(data, got, "every published event, none doubled by a retry");
      assertEquals(List.of(), received.lost());
    }
    assertTrue(balancer.cuts() >= 30, "clients were moved between nodes: " + balancer.cuts() + " cuts");
    assertTrue(balancer.connections(1) > 5 && balancer.connections(2) > 5, "both surviving nodes served clients");
    for (ServerJar node : nodes.subList(1, 3)) {
      Await.until(() -> "the node's health to show the log reachable: " + node.health(),
          () -> node.health().contains("\"reachable\":true"));
    }

    // The store itself is lost: no client may go on silently.
    redis.wipe();
    int after = 20;
    for (int i = 1; i <= after; i++) publishSurely(publishers.get(i % 3), ServerSentEvent.of("n", "new " + i), "new-" + i);
    for (Received received : clients) {
      Await.until(() -> "the loss signal and the new history; " + received, () -> received.count() >= total + after);
      List<EventsLost> lost = received.lost();
      assertEquals(1, lost.size(), "told exactly once: " + lost);
      assertEquals(received.events().get(total - 1).id(), lost.get(0).lastEventId());
      assertEquals(LongStream.rangeClosed(1, after).boxed().toList(), received.ids().subList(total, total + after),
          "then the new history from its start");
    }
  }

  @Test
  void aNodeCutOffFromRedisAgainAndAgainLosesNoneOfItsClientsEvents() throws Exception {
    RedisProcess redis = resources.add(RedisProcess.start());
    // Between the node and Redis: every connection is cut after a few hundred to a few thousand bytes.
    TcpProxy cutter = resources.add(new TcpProxy(List.of(redis.port()), 1_000, 10_000, 42L));
    SseServer node = resources.server(c -> {
      c.heartbeatInterval = Duration.ZERO;
      c.retry = Duration.ofMillis(20);
      c.history = 100_000;
      c.log = "redis://127.0.0.1:" + cutter.port() + "/cut";
      c.logTimeout = Duration.ofSeconds(1);
    });
    RedisEventLog publisher = resources.add(RedisEventLog.builder(redis.uri("cut")).history(100_000).build());
    String start = publisher.head().toString();
    List<Received> clients = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Received received = new Received();
      client(node.port(), start, received);
      clients.add(received);
    }
    // Connected first: what is tested is the node's tail through the cuts, not replays through them.
    Await.until("the clients connected", () -> node.hub().stats().clients() == 3);
    int total = 2000;
    for (int i = 1; i <= total; i++) {
      publishSurely(publisher, ServerSentEvent.of("n", Integer.toString(i)), "cut-" + i);
      if (i % 20 == 0) LockSupport.parkNanos(5_000_000);
    }
    for (Received received : clients) {
      Await.until(() -> "every event; " + received + ", cuts " + cutter.cuts(), () -> received.count() >= total);
      assertEquals(LongStream.rangeClosed(1, total).boxed().toList(), received.ids());
      assertEquals(IntStream.rangeClosed(1, total).mapToObj(Integer::toString).toList(),
          received.events().stream().map(ServerSentEvent::data).toList());
      assertEquals(List.of(), received.lost());
    }
    assertTrue(cutter.cuts() >= 20, "the node's connections to Redis were cut " + cutter.cuts() + " times");
    assertEquals(0, node.hub().stats().resets(), "no cut looked like a lost history");
  }

  @Test
  void whileRedisIsDownPublishesFailFastAndConnectedClientsStayConnected() throws Exception {
    RedisProcess redis = resources.add(RedisProcess.start());
    SseServer node = resources.server(c -> {
      c.heartbeatInterval = Duration.ZERO;
      c.log = redis.uri("outage");
      c.logTimeout = Duration.ofMillis(500);
    });
    Received received = new Received();
    client(node.port(), node.hub().stats().lastEventId(), received);
    Await.until("connected", () -> node.hub().stats().clients() == 1);
    node.hub().publish("n", "before");
    Await.until(() -> "the first event; " + received, () -> received.count() == 1);

    redis.kill();
    long started = System.nanoTime();
    EventLogException e = org.junit.jupiter.api.Assertions.assertThrows(EventLogException.class, () -> node.hub().publish("n", "lost?"));
    assertTrue(Duration.ofNanos(System.nanoTime() - started).toMillis() < 3000, "failed fast: " + e.getMessage());
    assertTrue(e.getMessage().contains("unreachable"), e.getMessage());
    assertEquals(1, node.hub().stats().clients(), "the client stays connected");

    redis.restart();
    publishSurely(node.hub().log(), ServerSentEvent.of("n", "after"), "after");
    Await.until(() -> "the event after the outage; " + received, () -> received.count() == 2);
    assertEquals(List.of(1L, 2L), received.ids());
    assertEquals(1, received.opens(), "never reconnected: the outage did not touch its stream");
    assertEquals(List.of(), received.errors());
    assertEquals(List.of(), received.lost());
  }

  @Test
  void threeNodesPutOneHeartbeatPerIntervalIntoTheStreamAndGoOnWhenOneDies() throws Exception {
    RedisProcess redis = resources.add(RedisProcess.start());
    List<ServerJar> nodes = nodes(redis, "beats", 3, "--heartbeat-interval", "100ms");
    List<long[]> beats = Collections.synchronizedList(new ArrayList<>()); // {offset, epoch millis}
    Received received = new Received();
    SseClient client = SseClient.builder().url("http://127.0.0.1:" + nodes.get(1).port() + "/sse")
        .reconnectPolicy(FAST).listener(received).onEvent(received::event)
        .build();
    resources.add(client);
    client.start();
    Await.until(() -> "30 heartbeats; " + received, () -> received.count() >= 30);
    nodes.get(0).kill(); // whichever node won the last beats, two are left to win the next
    int before = received.count();
    Await.until(() -> "30 more heartbeats after a node died; " + received, () -> received.count() >= before + 30);
    for (ServerSentEvent e : received.events()) {
      beats.add(new long[] {EventId.parse(e.id()).offset(), Heartbeat.CODEC.decode(e.data()).epochMillis()});
    }
    List<Long> slots = beats.stream().map(b -> Math.floorDiv(b[1] + 50, 100)).toList();
    assertEquals(slots.size(), slots.stream().distinct().count(), "one heartbeat per 100 ms slot, never two: " + slots);
    for (int i = 1; i < beats.size(); i++) {
      assertEquals(beats.get(i - 1)[0] + 1, beats.get(i)[0], "consecutive ids");
      long gap = beats.get(i)[1] - beats.get(i - 1)[1];
      assertTrue(gap <= 2000, "the beats go on; a gap of " + gap + " ms at " + i);
    }
    long span = slots.get(slots.size() - 1) - slots.get(0) + 1;
    assertTrue(slots.size() >= span / 2, slots.size() + " beats over " + span + " slots: about one per interval");
    assertEquals(List.of(), received.lost());
  }
}
