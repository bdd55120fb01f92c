package dev.ssekit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ssekit.client.SseClient;
import dev.ssekit.protocol.Heartbeat;
import dev.ssekit.server.HeartbeatSource;
import dev.ssekit.server.SseHub;
import dev.ssekit.server.app.SseServer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Slow and many clients: one stalled reader holds back nobody; hundreds of clients come and go without a trace. */
class LoadContractTest {
  private final Resources resources = new Resources();

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  private SseServer server(Duration heartbeat) {
    return resources.server(c -> {
      c.heartbeatInterval = heartbeat;
      c.maxClients = 2000;
    });
  }

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static JsonNode health(SseServer server) throws Exception {
    HttpResponse<String> response = HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health")).build(),
        HttpResponse.BodyHandlers.ofString());
    return JsonMapper.builder().build().readTree(response.body());
  }

  @Test
  void stalledReaderDelaysNoOneAndIsEventuallyDisconnected() throws Exception {
    // The server's parts, with a shorter client queue so that the stalled client overflows in
    // seconds rather than after the default 1024 frames.
    SseHub hub = resources.add(SseHub.create(c -> c.clientQueueCapacity = 128));
    int port = resources.app(hub, 0, c -> {}).port();
    resources.add(HeartbeatSource.start(hub, Duration.ofMillis(50)));
    Socket stalled = new Socket();
    stalled.setReceiveBufferSize(4096); // it never reads: the server's writes to it soon stop completing
    stalled.connect(new InetSocketAddress("127.0.0.1", port));
    resources.add(stalled);
    stalled.getOutputStream().write("GET /sse HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

    Received reader = new Received();
    List<Long> beats = Collections.synchronizedList(new ArrayList<>()); // when each heartbeat arrived
    SseClient client = SseClient.builder().url("http://127.0.0.1:" + port + "/sse").listener(reader)
        .on("heartbeat", Heartbeat.class, beat -> beats.add(System.nanoTime()))
        .onEvent(reader::event)
        .build().start();
    resources.add(client);
    Await.until("both clients connected", () -> hub.stats().clients() == 2);
    int firstBeat = beats.size();

    // Big events in batches, each published only once the reading client has the previous batch:
    // if the stalled connection held anything back, the reading client would stop getting them.
    String big = "x".repeat(32 * 1024);
    int published = 0;
    while (hub.stats().clients() == 2) {
      assertTrue(published < 20_000, "the stalled client was never disconnected");
      for (int i = 0; i < 16; i++) hub.publish("big", big); // a batch well within the reading client's queue
      published += 16;
      int expected = published;
      Await.until(() -> expected + " events at the reading client; " + reader, () -> reader.count() == expected);
    }
    int beatsBefore = beats.size();
    Await.until("heartbeats keep coming", () -> beats.size() >= beatsBefore + 5);
    // Every 50 ms a heartbeat, all the while the stalled client filled up and was cut off: a
    // fan-out that waited on it would leave a gap here.
    List<Long> arrivals = List.copyOf(beats).subList(firstBeat, beats.size());
    long longestGap = 0;
    for (int i = 1; i < arrivals.size(); i++) longestGap = Math.max(longestGap, arrivals.get(i) - arrivals.get(i - 1));
    assertTrue(TimeUnit.NANOSECONDS.toMillis(longestGap) < 1000,
        "heartbeats every 50 ms never stopped for long; the longest gap was " + TimeUnit.NANOSECONDS.toMillis(longestGap) + " ms");
    List<Long> ids = reader.ids();
    assertEquals(published, ids.size(), "every big event reached the reading client");
    for (int i = 1; i < ids.size(); i++) assertTrue(ids.get(i) > ids.get(i - 1), "in order");
    assertTrue(reader.events().stream().allMatch(e -> e.data().equals(big)));
    assertTrue(hub.stats().slowClientsDisconnected() >= 1, "the stalled client was cut off for its full queue, and counted");
  }

  @Test
  void hundredsOfClientsComeAndGoAndLeaveNothingBehind() throws Exception {
    SseServer server = server(Duration.ofMillis(100));
    OkHttpClient http = new OkHttpClient();
    ExecutorService callbacks = Executors.newFixedThreadPool(4, r -> new Thread(r, "test-callbacks"));
    resources.add(callbacks::shutdownNow);
    resources.add(() -> {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    });
    QueuedThreadPool jetty = (QueuedThreadPool) server.app().jettyServer().server().getThreadPool();
    health(server);
    int busyIdle = jetty.getBusyThreads(); // Jetty's acceptors and selectors
    long serverThreads = -1;
    for (int round = 1; round <= 3; round++) {
      List<SseClient> clients = new ArrayList<>();
      AtomicInteger withHeartbeat = new AtomicInteger();
      for (int i = 0; i < 500; i++) {
        AtomicInteger mine = new AtomicInteger();
        clients.add(SseClient.builder().url("http://127.0.0.1:" + server.port() + "/sse")
            .okHttpClient(http)
            .callbackExecutor(callbacks)
            .on("heartbeat", Heartbeat.class, beat -> {
              if (mine.getAndIncrement() == 0) withHeartbeat.incrementAndGet();
            })
            .build().start());
      }
      clients.forEach(resources::add); // closed even if this round fails
      int r = round;
      Await.until(() -> "round " + r + ": all 500 clients got a heartbeat, " + withHeartbeat.get() + " did",
          () -> withHeartbeat.get() == 500);
      assertEquals(500, health(server).get("clients").asInt());
      clients.forEach(SseClient::close);
      Await.until(() -> "round " + r + ": the server to release every client",
          () -> server.hub().stats().clients() == 0);
      assertEquals(0, health(server).get("clients").asInt());
      assertEquals(0, Await.threads("ssekit-client-"), "no client thread is left");
      if (serverThreads < 0) serverThreads = Await.threads("ssekit-"); // the writer pool starts its threads lazily
      assertEquals(serverThreads, Await.threads("ssekit-"), "the hub's threads are fixed, not per client");
      // Jetty's pool may keep idle threads for a minute after a burst; a thread held per
      // connection would stay busy instead.
      Await.until(() -> "busy Jetty threads back to " + busyIdle + ", now " + jetty.getBusyThreads(),
          () -> jetty.getBusyThreads() <= busyIdle);
    }
    assertEquals(1500, server.hub().stats().connectionsAccepted());
  }
}
