package dev.ssekit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.protocol.SseDecoder;
import dev.ssekit.server.EventId;
import dev.ssekit.server.SseHub;
import dev.ssekit.server.SsePlugin;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import java.util.function.Consumer;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.LongStream;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.internal.http2.StreamResetException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 cleartext beside HTTP/1.1, and a slow client cut off: over HTTP/2 by resetting its stream
 * alone, over HTTP/1.1 by closing its connection, both at once rather than at Jetty's idle timeout.
 */
class Http2ContractTest {
  private final Resources resources = new Resources();

  /**
   * An app whose plugin turns h2c on; its HTTP/1.1 connector keeps idle connections for minutes,
   * so that only the hub's reset can end a stalled stream within the test.
   */
  private Javalin app(SseHub hub, Consumer<JavalinConfig> more) {
    Javalin app = Javalin.create(c -> {
      c.startup.showJavalinBanner = false;
      c.jetty.addConnector((server, http) -> {
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setIdleTimeout(TimeUnit.MINUTES.toMillis(5));
        return connector;
      });
      c.registerPlugin(new SsePlugin(hub, sse -> sse.http2 = true));
      more.accept(c);
    }).start();
    resources.add(app::stop);
    return app;
  }

  @Test
  void h2cIsOffUnlessAsked() throws Exception {
    SseHub hub = resources.add(SseHub.create());
    Javalin app = resources.app(hub, 0, c -> {});
    OkHttpClient h2 = new OkHttpClient.Builder().protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE))
        .readTimeout(10, TimeUnit.SECONDS).build();
    try {
      assertThrows(IOException.class,
          () -> h2.newCall(new Request.Builder().url("http://127.0.0.1:" + app.port() + "/sse").build()).execute().close());
    } finally {
      h2.dispatcher().executorService().shutdown();
      h2.connectionPool().evictAll();
    }
  }

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  @Test
  void aStalledStreamIsResetAloneWhileTheOtherOnTheSameConnectionKeepsEveryEvent() throws Exception {
    SseHub hub = resources.add(SseHub.create(c -> c.clientQueueCapacity = 8));
    java.util.concurrent.atomic.AtomicInteger handled = new java.util.concurrent.atomic.AtomicInteger();
    Javalin app = app(hub, c -> c.requestLogger.http((ctx, ms) -> handled.incrementAndGet())); // once a handler finished
    OkHttpClient http = new OkHttpClient.Builder().protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE))
        .readTimeout(0, TimeUnit.SECONDS).build();
    resources.add(() -> {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    });
    Request request = new Request.Builder().url("http://127.0.0.1:" + app.port() + "/sse").build();
    Response reading = http.newCall(request).execute();
    // Never read until it is cut off; then read with a deadline, so that a stream the hub failed
    // to reset fails the test instead of waiting for an idle timeout.
    Response stalled = http.newBuilder().readTimeout(20, TimeUnit.SECONDS).build().newCall(request).execute();
    resources.add(reading);
    resources.add(stalled);
    assertEquals(Protocol.H2_PRIOR_KNOWLEDGE, reading.protocol());
    assertEquals(Protocol.H2_PRIOR_KNOWLEDGE, stalled.protocol());
    assertEquals(1, http.connectionPool().connectionCount(), "both streams share one connection");
    Await.until("both connected", () -> hub.stats().clients() == 2);

    List<ServerSentEvent> received = Collections.synchronizedList(new ArrayList<>());
    Thread reader = new Thread(() -> read(reading.body().byteStream(), received), "test-h2-reader");
    reader.setDaemon(true);
    reader.start();

    // Beyond OkHttp's 16 MiB window for the unread stream, so that its queue on the server fills.
    String big = "x".repeat(64 * 1024);
    int published = 0;
    while (hub.stats().slowClientsDisconnected() == 0) {
      assertTrue(published < 2000, "the stalled stream was never cut off");
      hub.publish("big", big);
      published++;
      int expected = published;
      Await.until(() -> "the reading stream keeps up: " + received.size() + " of " + expected, () -> received.size() >= expected);
    }
    int total = published;
    for (int i = 0; i < 20; i++) {
      hub.publish("after", "a" + i);
      int expected = ++total;
      Await.until(() -> "the reading stream goes on after the reset: " + received.size() + " of " + expected,
          () -> received.size() >= expected);
    }
    assertEquals(LongStream.rangeClosed(1, total).boxed().toList(),
        received.stream().map(e -> EventId.parse(e.id()).offset()).toList(), "every event, in order, none lost");
    assertEquals(1, hub.stats().clients(), "only the stalled client was cut off");
    assertEquals(1, http.connectionPool().connectionCount(), "the shared connection is still there");
    IOException reset = assertThrows(IOException.class, () -> stalled.body().source().readUtf8());
    assertTrue(reset instanceof StreamResetException, "its own stream was reset: " + reset);
    Await.until("the cut stream's handler to finish, once", () -> handled.get() == 1);
  }

  @Test
  void aStalledHttp11ClientIsDisconnectedWhenTheHubCutsItNotAtTheIdleTimeout() throws Exception {
    SseHub hub = resources.add(SseHub.create(c -> c.clientQueueCapacity = 4));
    Javalin app = app(hub, c -> {});
    ServerConnector connector = (ServerConnector) app.jettyServer().server().getConnectors()[0];
    assertEquals(TimeUnit.MINUTES.toMillis(5), connector.getIdleTimeout(), "only the cut can end the stream within the test");
    Socket stalled = stalledClient(app.port());
    // A reading client paces the publishing, so the stalled one fills its socket buffers before
    // its queue overflows, as a stalled client's does (the burst case is the next test).
    HttpResponse<InputStream> reading = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/sse")).build(), HttpResponse.BodyHandlers.ofInputStream());
    resources.add(reading.body());
    List<ServerSentEvent> received = Collections.synchronizedList(new ArrayList<>());
    Thread reader = new Thread(() -> read(reading.body(), received), "test-h1-reader");
    reader.setDaemon(true);
    reader.start();
    Await.until("both connected", () -> hub.stats().clients() == 2);
    assertEquals(2, connector.getConnectedEndPoints().size());

    String big = "x".repeat(64 * 1024);
    int published = 0;
    while (hub.stats().slowClientsDisconnected() == 0) {
      assertTrue(published < 2000, "the stalled client was never counted slow");
      hub.publish("big", big);
      int expected = ++published;
      Await.until(() -> "the reading client keeps up: " + received.size() + " of " + expected, () -> received.size() >= expected);
    }
    assertClosedSoon(connector, 1, stalled);
    assertEquals(1, hub.stats().clients(), "only the stalled client was cut off");
    hub.publish("after", "x");
    int expected = published + 1;
    Await.until("the reading client goes on", () -> received.size() >= expected);
  }

  @Test
  void aClientCutOffInABurstSeesABrokenStreamAndItsConnectionClosedToo() throws Exception {
    SseHub hub = resources.add(SseHub.create(c -> c.clientQueueCapacity = 4));
    Javalin app = app(hub, c -> {});
    ServerConnector connector = (ServerConnector) app.jettyServer().server().getConnectors()[0];
    Socket stalled = stalledClient(app.port());
    Await.until("connected", () -> hub.stats().clients() == 1);
    // Unpaced: the queue overflows long before the socket buffers fill, with no write pending.
    String big = "x".repeat(64 * 1024);
    for (int published = 0; hub.stats().slowClientsDisconnected() == 0; published++) {
      assertTrue(published < 2000, "the stalled client was never counted slow");
      hub.publish("big", big);
    }
    assertClosedSoon(connector, 0, stalled);
  }

  /** Connects a client that asks for the stream and never reads; its small receive buffer fills first. */
  private Socket stalledClient(int port) throws IOException {
    Socket stalled = resources.add(new Socket());
    stalled.setReceiveBufferSize(4096);
    stalled.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    stalled.getOutputStream().write("GET /sse HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    return stalled;
  }

  /**
   * Asserts that the server closes {@code stalled}'s TCP connection (leaving {@code left} open)
   * and that the client then reads an end, not an idle stream. Each wait fails after 20 s, long
   * before the connector's 5 min idle timeout would have closed it anyway.
   */
  private static void assertClosedSoon(ServerConnector connector, int left, Socket stalled) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (connector.getConnectedEndPoints().size() > left) {
      assertTrue(System.nanoTime() < deadline, () -> "the server still holds the connection 20 s after cutting the client off: "
          + connector.getConnectedEndPoints());
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    stalled.setSoTimeout(20_000);
    byte[] buffer = new byte[64 * 1024];
    byte[] tail = new byte[LAST_CHUNK.length];
    long read = 0;
    try {
      for (int n; (n = stalled.getInputStream().read(buffer)) >= 0; read += n) {
        // the last bytes read, across reads
        int keep = Math.min(n, tail.length);
        System.arraycopy(tail, keep, tail, 0, tail.length - keep);
        System.arraycopy(buffer, n - keep, tail, tail.length - keep, keep);
      }
    } catch (SocketTimeoutException stillOpen) {
      throw new AssertionError("the client's connection is still open after " + read + " bytes", stillOpen);
    } catch (SocketException reset) {
      return; // the server closed with bytes the client never read: a reset ends it too
    }
    assertFalse(Arrays.equals(tail, LAST_CHUNK), "a cut, not the chunked body's clean end");
  }

  private static final byte[] LAST_CHUNK = "\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  @Test
  void http11KeepsWorkingOnTheSamePort() throws Exception {
    SseHub hub = resources.add(SseHub.create());
    Javalin app = app(hub, c -> c.routes.get("/version", ctx -> ctx.result(ctx.req().getProtocol())));
    HttpResponse<String> h1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
        .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/version")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals("HTTP/1.1", h1.body());
    OkHttpClient h2 = new OkHttpClient.Builder().protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE)).build();
    try (Response response = h2.newCall(new Request.Builder().url("http://127.0.0.1:" + app.port() + "/version").build()).execute()) {
      assertEquals("HTTP/2.0", response.body().string());
    } finally {
      h2.dispatcher().executorService().shutdown();
      h2.connectionPool().evictAll();
    }
  }

  private static void read(InputStream in, List<ServerSentEvent> into) {
    SseDecoder decoder = SseDecoder.builder().maxEventSize(1 << 20).build(into::add);
    byte[] buffer = new byte[16384];
    try (in) {
      for (int n; (n = in.read(buffer)) >= 0; ) decoder.feed(buffer, 0, n);
    } catch (IOException e) {
      // the test is over
    }
  }
}
