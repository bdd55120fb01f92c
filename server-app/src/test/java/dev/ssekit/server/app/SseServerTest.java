package dev.ssekit.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ssekit.redis.RedisProcess;
import dev.ssekit.server.Await;
import dev.ssekit.server.HttpStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The runnable server in-process: its endpoints besides the stream, its start and its stop. */
class SseServerTest {
  private final List<AutoCloseable> resources = new ArrayList<>();

  private SseServer server(Consumer<ServerConfig> config) {
    SseServer server = SseServer.start(c -> {
      c.port = 0;
      c.host = "127.0.0.1";
      config.accept(c);
    });
    resources.add(server);
    return server;
  }

  private HttpStream open(int port, String path, String... headers) throws Exception {
    HttpStream stream = HttpStream.open(port, path, headers);
    resources.add(stream);
    return stream;
  }

  @AfterEach
  void close() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) resources.get(i).close();
  }

  @Test
  void aServerThatFailsToStartLeavesNothingRunning() {
    java.util.Set<Thread> ssekitThreads = Await.threadSet("ssekit-");
    java.util.Set<Thread> jettyThreads = Await.threadSet("JettyServerThreadPool");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SseServer.start(c -> {
      c.port = 0;
      c.host = "127.0.0.1";
      c.heartbeatInterval = Duration.ofNanos(1000); // passes Jetty's start, fails the heartbeat's
    }));
    assertTrue(e.getMessage().contains("heartbeat interval"), e.getMessage());
    Await.noThreadsBut(ssekitThreads, "ssekit-");
    Await.noThreadsBut(jettyThreads, "JettyServerThreadPool");
  }

  @Test
  void closeEndsStreamsCleanlyAndPromptly() throws Exception {
    SseServer server = SseServer.start(c -> {
      c.port = 0;
      c.heartbeatInterval = Duration.ofMillis(50);
    });
    HttpStream stream = open(server.port(), "/sse");
    stream.next();
    long started = System.nanoTime();
    server.close();
    assertTrue(stream.awaitEnd(), "the stream ends with the final chunk, not a reset");
    assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 5, "stopped within seconds");
  }

  @Test
  void connectionsThatSendTheirRequestHeadersTooSlowlyAreClosedWhileStreamsGoOn() throws Exception {
    Duration deadline = Duration.ofMillis(300);
    SseServer server = server(c -> {
      c.heartbeatInterval = Duration.ofMillis(50);
      c.headerTimeout = deadline;
    });
    HttpStream stream = open(server.port(), "/sse");
    long firstBeat = heartbeatMillis(stream.next());
    List<java.net.Socket> slow = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port());
      resources.add(socket);
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write("GET /sse HTTP/1.1\r\nHost: x\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      slow.add(socket);
    }
    long started = System.nanoTime();
    for (java.net.Socket socket : slow) {
      int read;
      try {
        read = socket.getInputStream().read();
      } catch (java.net.SocketException reset) {
        read = -1;
      }
      assertEquals(-1, read, "closed by the server, not answered");
    }
    long took = Duration.ofNanos(System.nanoTime() - started).toMillis();
    assertTrue(took < 5_000, "closed at the deadline, long before Jetty's 30 s idle timeout: " + took + " ms");
    assertEquals(200, stream.status);
    // The stream's deadline ended with its headers: it must outlive it many times over. Its
    // heartbeats carry the server's clock, so this waits on the server's progress, not on a
    // local clock that a loaded machine would stretch; a deadline left armed ends the stream,
    // and next() then fails.
    long span = 0;
    while (span < 5 * deadline.toMillis()) span = heartbeatMillis(stream.next()) - firstBeat;
    assertEquals(200, stream.status);
  }

  private static long heartbeatMillis(dev.ssekit.protocol.ServerSentEvent event) {
    assertEquals(dev.ssekit.protocol.ServerSentEvent.HEARTBEAT_TYPE, event.type(), event.toString());
    return Long.parseLong(event.data());
  }

  @Test
  void aPublishWhileTheLogIsUnreachableIs503WithRetryAfter() throws Exception {
    try (RedisProcess redis = RedisProcess.start()) {
      SseServer server = server(c -> {
        c.heartbeatInterval = Duration.ZERO;
        c.log = redis.uri("publish-503");
        c.logTimeout = Duration.ofMillis(300);
        c.publishToken = "s3cret-publish-token";
      });
      redis.kill();
      HttpResponse<String> refused = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/publish"))
              .header("Authorization", "Bearer s3cret-publish-token").header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString("{\"topic\":\"t\",\"data\":\"x\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(503, refused.statusCode(), refused.body());
      assertEquals("1", refused.headers().firstValue("retry-after").orElseThrow(), "a publisher knows when to retry");
      assertTrue(refused.body().startsWith("{\"error\":\"") && refused.body().lines().count() == 1, refused.body());
    }
  }

  @Test
  void http2CleartextOnlyWhenAsked() throws Exception {
    // Java's client asks for h2c with an Upgrade header on a plain http:// request.
    HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server(c -> {}).port() + "/health")).build();
    assertEquals(HttpClient.Version.HTTP_1_1, h2.send(health, HttpResponse.BodyHandlers.ofString()).version(), "off by default");
    SseServer http2 = server(c -> c.http2 = true);
    HttpResponse<String> upgraded = h2.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http2.port() + "/health")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(HttpClient.Version.HTTP_2, upgraded.version());
    assertEquals(200, upgraded.statusCode());
  }

  @Test
  void healthReportsClientsAndEvents() throws Exception {
    SseServer server = server(c -> c.heartbeatInterval = Duration.ZERO);
    String id = server.hub().publish("x", "1").toString();
    HttpStream stream = open(server.port(), "/sse");
    Await.until("client connected", () -> server.hub().stats().clients() == 1);
    HttpResponse<String> health = health(server.port());
    assertEquals(200, health.statusCode());
    assertEquals("application/json", health.headers().firstValue("content-type").orElseThrow());
    assertEquals("{\"status\":\"UP\",\"clients\":1,\"published\":1,\"lastEventId\":\"" + id + "\",\"connectionsAccepted\":1,"
        + "\"slowClientsDisconnected\":0,\"lostSignals\":0,\"log\":{\"kind\":\"memory\",\"reachable\":true,\"newestId\":\""
        + id + "\",\"tailLag\":0}}", health.body());
    assertNull(stream.poll(Duration.ZERO));
  }

  @Test
  void healthOfANodeWhoseRedisIsDownIs503SoBalancersMoveOn() throws Exception {
    try (RedisProcess redis = RedisProcess.start()) {
      SseServer server = server(c -> {
        c.heartbeatInterval = Duration.ZERO;
        c.log = redis.uri("health");
        c.logTimeout = Duration.ofMillis(300);
      });
      String id = server.hub().publish("x", "1").toString();
      Await.until("the tail to deliver it", () -> server.hub().stats().lastEventId().toString().equals(id));
      HttpResponse<String> up = health(server.port());
      assertEquals(200, up.statusCode());
      assertTrue(up.body().contains("\"log\":{\"kind\":\"redis\",\"reachable\":true,\"newestId\":\"" + id + "\",\"tailLag\":0}"),
          up.body());
      redis.kill();
      HttpResponse<String> down = health(server.port());
      assertEquals(503, down.statusCode());
      assertTrue(down.body().startsWith("{\"status\":\"DOWN\""), down.body());
      assertTrue(down.body().contains("\"reachable\":false,\"newestId\":null,\"tailLag\":null,\"error\":\""), down.body());
    }
  }

  private static HttpResponse<String> health(int port) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void demoPageSubscribesWithEventSource() throws Exception {
    SseServer server = server(c -> c.heartbeatInterval = Duration.ZERO);
    HttpResponse<String> page = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, page.statusCode());
    assertTrue(page.headers().firstValue("content-type").orElseThrow().startsWith("text/html"));
    assertTrue(page.body().contains("new EventSource('/sse'"), "the page subscribes to the server's stream");
  }

}
