package dev.ssekit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ssekit.protocol.EventsLost;
import dev.ssekit.protocol.Heartbeat;
import dev.ssekit.protocol.PayloadMapper;
import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.protocol.SseDecoder;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The hub over real HTTP, against a plain socket client that sends only what curl would. */
class SsePluginHttpTest {
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final PayloadMapper payloads = PayloadMapper.defaults();

  /** A hub configured like the server jar's (retry 2 s) plus {@code config}, served at {@code /sse}; closed after the test. */
  private Served serve(Consumer<SseHubConfig> config) {
    SseHub hub = SseHub.create(c -> {
      c.retry = Duration.ofSeconds(2);
      config.accept(c);
    });
    return new Served(hub, app(hub));
  }

  private record Served(SseHub hub, Javalin app) {
    int port() {
      return app.port();
    }
  }

  /** Serves {@code hub} at {@code /sse} on loopback; the hub and the app are closed after the test. */
  private Javalin app(SseHub hub) {
    resources.add(hub);
    Javalin app = Javalin.create(c -> {
      c.startup.showJavalinBanner = false;
      c.jetty.host = "127.0.0.1";
      c.jetty.port = 0;
      c.registerPlugin(new SsePlugin("/sse", hub));
    }).start();
    resources.add(app::stop);
    return app;
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
  void answersAnyAcceptWithAStreamAndFlushesHeadersAtOnce() throws Exception {
    Served server = serve(c -> c.retry = null); // nothing to send: the headers alone must arrive
    for (String accept : new String[] {"Accept: */*", "Accept: application/json", "Accept: text/event-stream"}) {
      HttpStream stream = open(server.port(), "/sse", accept);
      assertEquals(200, stream.status);
      assertEquals("text/event-stream; charset=utf-8", stream.headers.get("content-type"));
      assertEquals("no-cache", stream.headers.get("cache-control"));
      assertEquals("no", stream.headers.get("x-accel-buffering"));
    }
    HttpStream noAccept = open(server.port(), "/sse");
    assertEquals(200, noAccept.status, "no Accept header at all");
    assertEquals("text/event-stream; charset=utf-8", noAccept.headers.get("content-type"));
    assertEquals("no-cache", noAccept.headers.get("cache-control"));
    assertEquals("no", noAccept.headers.get("x-accel-buffering"));
  }

  @Test
  void heartbeatsCarryIncreasingIdsAndEpochMillisAtTheConfiguredRate() throws Exception {
    Served server = serve(c -> {});
    resources.add(HeartbeatSource.start(server.hub(), Duration.ofMillis(100)));
    HttpStream stream = open(server.port(), "/sse", "Accept: */*");
    List<ServerSentEvent> beats = stream.next(6);
    long firstId = EventId.parse(beats.get(0).id()).offset();
    for (int i = 0; i < beats.size(); i++) {
      ServerSentEvent e = beats.get(i);
      assertEquals("heartbeat", e.type());
      assertEquals(firstId + i, EventId.parse(e.id()).offset());
      assertTrue(e.data().matches("\\d{13}"), e.data());
    }
    long first = payloads.decode(beats.get(0), Heartbeat.class).epochMillis();
    long last = payloads.decode(beats.get(5), Heartbeat.class).epochMillis();
    double meanGap = (last - first) / 5.0;
    assertTrue(meanGap >= 50 && meanGap <= 200, "heartbeats every ~100 ms, mean gap was " + meanGap);
    assertTrue(stream.bodyText().startsWith("retry: 2000\n\n"), "retry is advertised on connect");
  }

  @Test
  void lastEventIdHeaderOrQueryParameterReplaysWhatWasMissed() throws Exception {
    Served server = serve(c -> {});
    List<String> ids = new ArrayList<>(List.of(server.hub().stats().lastEventId().toString()));
    for (int i = 1; i <= 5; i++) ids.add(server.hub().publish("n", i).toString());
    HttpStream byHeader = open(server.port(), "/sse", "Last-Event-ID: " + ids.get(2));
    HttpStream byQuery = open(server.port(), "/sse?lastEventId=" + ids.get(3));
    ids.add(server.hub().publish("n", 6).toString());
    assertEquals(ids.subList(3, 7), byHeader.next(4).stream().map(ServerSentEvent::id).toList());
    assertEquals(ids.subList(4, 7), byQuery.next(3).stream().map(ServerSentEvent::id).toList());
    HttpStream both = open(server.port(), "/sse?lastEventId=" + ids.get(1), "Last-Event-ID: " + ids.get(5));
    assertEquals(ids.get(6), both.next().id(), "the header, which a browser updates on reconnection, wins");
    HttpStream emptyHeader = open(server.port(), "/sse?lastEventId=" + ids.get(4), "Last-Event-ID:");
    assertEquals(ids.get(5), emptyHeader.next().id(), "an empty header is no id, so the query parameter counts");
  }

  @Test
  void tooOldOrUnknownIdGetsTheLostSignalThenTheOldestRetained() throws Exception {
    Served server = serve(c -> c.history = 2);
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= 5; i++) ids.add(server.hub().publish("n", i).toString());
    HttpStream stream = open(server.port(), "/sse", "Last-Event-ID: " + ids.get(0));
    ServerSentEvent signal = stream.next();
    assertEquals(EventsLost.TYPE, signal.type());
    assertEquals(new EventsLost(ids.get(0), ids.get(3)), payloads.decode(signal, EventsLost.class));
    assertEquals(ids.subList(3, 5), stream.next(2).stream().map(ServerSentEvent::id).toList());

    HttpStream unknown = open(server.port(), "/sse", "Last-Event-ID: from-another-server");
    assertEquals(new EventsLost("from-another-server", ids.get(3)), payloads.decode(unknown.next(), EventsLost.class));
    // Browsers send an id that is not ASCII as UTF-8; it must come back as it was sent.
    HttpStream arabic = open(server.port(), "/sse", "Last-Event-ID: \u0663.\u0663");
    assertEquals(new EventsLost("\u0663.\u0663", ids.get(3)), payloads.decode(arabic.next(), EventsLost.class));
  }

  @Test
  void textIsUtf8EndToEnd() throws Exception {
    Served server = serve(c -> {});
    HttpStream stream = open(server.port(), "/sse");
    String text = "Grüße, 世界 — ça va? 🎉👩‍💻";
    server.hub().publish("text", text);
    assertEquals(text, stream.next().data());
    byte[] expected = ("data: " + text + "\n").getBytes(StandardCharsets.UTF_8);
    byte[] body = stream.bodyBytes();
    assertTrue(indexOf(body, expected) >= 0, "the data line is the exact UTF-8 bytes");
  }

  @Test
  void eachFrameLeavesInOneWriteNotByteByByte() throws Exception {
    // A 1-byte response buffer once made Jetty send every byte as its own chunk and system call.
    Served server = serve(c -> {});
    HttpStream stream = open(server.port(), "/sse");
    String payload = "x".repeat(1024);
    server.hub().publish("big", payload);
    assertEquals(payload, stream.next().data());
    List<byte[]> chunks = stream.chunks();
    byte[] frame = ("event: big\ndata: " + payload + "\n\n").getBytes(StandardCharsets.UTF_8);
    assertTrue(chunks.stream().anyMatch(chunk -> indexOf(chunk, frame) >= 0),
        () -> "one chunk holds the whole 1 KB frame; got " + chunks.size() + " chunks, the largest "
            + chunks.stream().mapToInt(c -> c.length).max().orElse(0) + " bytes");
    for (byte[] chunk : chunks) assertEquals('\n', chunk[chunk.length - 1], "chunks end on line ends");
  }

  @Test
  void stalledReaderIsCutOffWithoutDelayingOthers() throws Exception {
    SseHub hub = SseHub.create(c -> c.clientQueueCapacity = 4);
    Javalin app = app(hub);
    // Jetty's idle timeout (30 s by default) fails a write that makes no progress, and would close
    // the stalled connection even if the hub's cut did not: with minutes of it, only the cut can
    // close it within this test's waits.
    ServerConnector connector = (ServerConnector) app.jettyServer().server().getConnectors()[0];
    connector.setIdleTimeout(java.util.concurrent.TimeUnit.MINUTES.toMillis(5)); // for connections accepted from now on
    Socket stalled = new Socket();
    stalled.setReceiveBufferSize(4096);
    stalled.connect(new InetSocketAddress("127.0.0.1", app.port()));
    resources.add(stalled);
    stalled.getOutputStream().write("GET /sse HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    Await.until("the stalled client connected", () -> hub.stats().clients() == 1);
    SseConnection stalledChannel = hub.connections().get(0);
    HttpStream fast = open(app.port(), "/sse");
    Await.until("both clients connected", () -> hub.stats().clients() == 2);

    char[] filler = new char[64 * 1024];
    Arrays.fill(filler, 'x');
    String big = new String(filler);
    // Its writer must keep up until its socket buffers are full and a write is left pending, so
    // that its queue overflows only then, as a stalled client's does: each event waits until the
    // writer handed it to Jetty. (A queue that overflows in a burst, with no write pending, is
    // cut the same way; Http2ContractTest covers it.)
    org.eclipse.jetty.io.EndPoint stalledEnd = endPointOf(connector, stalled);
    int published = 0;
    while (hub.stats().slowClientsDisconnected() == 0) {
      assertTrue(published < 2000, "the stalled client was never cut off");
      hub.publish("big", big);
      published++;
      assertEquals(published, EventId.parse(fast.next().id()).offset(), "the reading client keeps up, in order");
      Await.until("the stalled client's writer to take event " + published + " or wait on its full socket",
          () -> hub.stats().slowClientsDisconnected() > 0 || writePending(stalledEnd) || stalledChannel.queued() == 0);
    }
    Await.until("the stalled client to be gone", () -> hub.stats().clients() == 1);
    // Cut off means the connection is closed, not merely forgotten by the hub while Jetty keeps
    // its socket and pending write until the idle timeout.
    Await.until(() -> "the server to close the stalled connection; open: " + connector.getConnectedEndPoints().size(),
        () -> connector.getConnectedEndPoints().size() == 1);
    assertEndsSoon(stalled);
    hub.publish("after", "x");
    assertEquals("after", fast.next().type());
  }

  @Test
  void aClientThatStopsReadingIsClosedAtJettysIdleTimeoutThoughItsQueueNeverFills() throws Exception {
    // A direct write Jetty's idle timeout cannot see: the sink closes the connection when the
    // timeout finds it waiting, as Jetty does with a write of its own. Nothing else would: the
    // queue stays far from full, and no keep-alive is due.
    SseHub hub = SseHub.create(c -> c.keepAliveInterval = Duration.ofHours(1));
    Javalin app = app(hub);
    ServerConnector connector = (ServerConnector) app.jettyServer().server().getConnectors()[0];
    connector.setIdleTimeout(500); // for connections accepted from now on
    Socket stalled = new Socket();
    stalled.setReceiveBufferSize(4096);
    stalled.connect(new InetSocketAddress("127.0.0.1", app.port()));
    resources.add(stalled);
    stalled.getOutputStream().write("GET /sse HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    Await.until("the client connected", () -> hub.stats().clients() == 1);
    SseConnection channel = hub.connections().get(0);
    org.eclipse.jetty.io.EndPoint end = endPointOf(connector, stalled);
    String big = "x".repeat(64 * 1024);
    for (int published = 0; !writePending(end) && end.isOpen(); published++) {
      assertTrue(published < 500, "the socket never filled");
      hub.publish("big", big);
      Await.until("the writer to take the event or wait on the full socket",
          () -> writePending(end) || channel.queued() == 0 || !end.isOpen());
    }
    assertTrue(((ServletSink) channel.sink()).writesDirectly());
    Await.until(() -> "the idle timeout to close the stalled connection; open: " + connector.getConnectedEndPoints().size(),
        () -> connector.getConnectedEndPoints().isEmpty());
    Await.until("the hub to let it go", () -> hub.stats().clients() == 0);
    assertEquals(0, hub.stats().slowClientsDisconnected(), "not cut by the hub: its queue never filled");
    assertEndsSoon(stalled);
  }

  @Test
  void aHandlerThatWrapsTheResponseInsideTheContextSeesEveryByte() throws Exception {
    // A handler between the servlet and the connection may change the body (compress, buffer,
    // rewrite): the stream then writes through it, not past it.
    java.util.concurrent.atomic.AtomicLong seen = new java.util.concurrent.atomic.AtomicLong();
    SseHub hub = SseHub.create(c -> c.retry = null);
    resources.add(hub);
    Javalin app = Javalin.create(c -> {
      c.startup.showJavalinBanner = false;
      c.jetty.host = "127.0.0.1";
      c.jetty.port = 0;
      c.jetty.modifyServletContextHandler(context -> context.insertHandler(new org.eclipse.jetty.server.Handler.Wrapper() {
        @Override
        public boolean handle(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
            org.eclipse.jetty.util.Callback callback) throws Exception {
          return super.handle(request, new org.eclipse.jetty.server.Response.Wrapper(request, response) {
            @Override
            public void write(boolean last, java.nio.ByteBuffer content, org.eclipse.jetty.util.Callback written) {
              if (content != null) seen.addAndGet(content.remaining());
              super.write(last, content, written);
            }
          }, callback);
        }
      }));
      c.registerPlugin(new SsePlugin("/sse", hub));
    }).start();
    resources.add(app::stop);
    HttpStream stream = open(app.port(), "/sse");
    Await.until("connected", () -> hub.stats().clients() == 1);
    long before = seen.get();
    String payload = "y".repeat(300);
    hub.publish("t", payload);
    assertEquals(payload, stream.next().data());
    assertTrue(seen.get() - before >= payload.length(), "the wrapper saw the event: " + (seen.get() - before) + " bytes");
    assertTrue(!((ServletSink) hub.connections().get(0).sink()).writesDirectly());
  }

  /** Returns the server's end of {@code client}'s connection. */
  static org.eclipse.jetty.io.EndPoint endPointOf(ServerConnector connector, Socket client) {
    return connector.getConnectedEndPoints().stream()
        .filter(end -> end.getRemoteSocketAddress() instanceof InetSocketAddress remote && remote.getPort() == client.getLocalPort())
        .findFirst().orElseThrow(() -> new AssertionError("no connection from port " + client.getLocalPort()));
  }

  /** Returns whether a write to {@code end} waits for the peer to read: its socket buffers are full. */
  static boolean writePending(org.eclipse.jetty.io.EndPoint end) {
    return end instanceof org.eclipse.jetty.io.AbstractEndPoint e && e.getWriteFlusher().isPending();
  }

  /**
   * Reads what the server sent {@code socket} before it closed the connection, and fails if it
   * stays open: each read may wait 20 s, far less than the connector's idle timeout.
   */
  static void assertEndsSoon(Socket socket) throws java.io.IOException {
    socket.setSoTimeout(20_000);
    byte[] buffer = new byte[64 * 1024];
    try {
      while (socket.getInputStream().read(buffer) >= 0) {
        // what was on its way when the connection closed
      }
    } catch (java.net.SocketTimeoutException open) {
      throw new AssertionError("the connection is still open, 20 s after its last bytes", open);
    } catch (java.net.SocketException reset) {
      // closed with unread bytes in the server's buffers: a reset is an end too
    }
  }

  @Test
  void goneClientOfAnIdleStreamIsNoticedThroughKeepAlives() throws Exception {
    // HTTP/1.1 gives the server no word of a client that leaves while nothing is written; the write
    // after the one that met the closed socket fails. Keep-alive comments are those writes.
    SseHub hub = SseHub.create(c -> c.keepAliveInterval = Duration.ofMillis(100));
    Javalin app = app(hub);
    HttpStream stream = open(app.port(), "/sse");
    stream.awaitBody("a keep-alive comment", body -> body.startsWith(":\n") || body.contains("\n:\n"));
    assertEquals(1, hub.stats().clients());
    stream.close();
    Await.until("the server to release the idle client", () -> hub.stats().clients() == 0);
  }

  @Test
  void goneClientIsNoticedAndReleased() throws Exception {
    Served server = serve(c -> {});
    resources.add(HeartbeatSource.start(server.hub(), Duration.ofMillis(50)));
    HttpStream stream = open(server.port(), "/sse");
    stream.next();
    assertEquals(1, server.hub().stats().clients());
    stream.close();
    Await.until("the server to release the client", () -> server.hub().stats().clients() == 0);
  }

  @Test
  void thousandsOfConnectionsLeaveNoClientsConnectionsOrThreadsBehind() throws Exception {
    SseHub hub = SseHub.create();
    Javalin app = app(hub);
    resources.add(HeartbeatSource.start(hub, Duration.ofMillis(20)));
    ServerConnector connector = (ServerConnector) app.jettyServer().server().getConnectors()[0];

    QueuedThreadPool jettyPool = (QueuedThreadPool) app.jettyServer().server().getThreadPool();
    connectAndLeave(app.port(), 1500);
    awaitNothingOpen(hub, connector);
    long ssekitThreads = Await.threads("ssekit-");
    int busyAfterFirstRound = jettyPool.getBusyThreads();
    connectAndLeave(app.port(), 1500);
    awaitNothingOpen(hub, connector);
    // A thread stuck per connection would show up as busy; Jetty's own selectors and acceptors always are.
    Await.until(() -> "busy Jetty threads back to " + busyAfterFirstRound + ", now " + jettyPool.getBusyThreads(),
        () -> jettyPool.getBusyThreads() <= busyAfterFirstRound);
    assertEquals(ssekitThreads, Await.threads("ssekit-"), "ssekit's own threads are fixed, not per client");
    assertEquals(3000, hub.stats().connectionsAccepted());
  }

  private static void connectAndLeave(int port, int times) throws Exception {
    for (int i = 0; i < times; i++) {
      try (HttpStream stream = HttpStream.open(port, "/sse")) {
        assertEquals(200, stream.status);
        if (i % 100 == 0) stream.next();
      }
    }
  }

  private static void awaitNothingOpen(SseHub hub, ServerConnector connector) {
    Await.until(() -> "clients and connections released: " + hub.stats().clients() + " clients, "
            + connector.getConnectedEndPoints().size() + " connections",
        () -> hub.stats().clients() == 0 && connector.getConnectedEndPoints().isEmpty());
  }

  @Test
  void fullServerAnswers503WithRetryAfter() throws Exception {
    Served server = serve(c -> c.maxClients = 1);
    HttpStream first = open(server.port(), "/sse");
    assertEquals(200, first.status);
    HttpStream second = open(server.port(), "/sse");
    assertEquals(503, second.status);
    assertEquals("2", second.headers.get("retry-after"));
    // An EventSource would give up on a 503 for good: it is told to come back instead.
    HttpStream browser = open(server.port(), "/sse", "Accept: text/event-stream");
    assertEquals(200, browser.status);
    assertEquals("text/event-stream; charset=utf-8", browser.headers.get("content-type"));
    assertTrue(browser.awaitEnd(), "the stream ends at once");
    assertEquals("retry: 2000\n\n: This event stream is not accepting clients now; retry later.\n", browser.bodyText());
    assertEquals(1, server.hub().stats().clients());
  }

  @Test
  void closingTheHubEndsStreamsCleanlyAndPromptly() throws Exception {
    Served server = serve(c -> {});
    resources.add(HeartbeatSource.start(server.hub(), Duration.ofMillis(50)));
    HttpStream stream = open(server.port(), "/sse");
    stream.next();
    long started = System.nanoTime();
    server.hub().close();
    assertTrue(stream.awaitEnd(), "the stream ends with the final chunk, not a reset");
    assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 5, "stopped within seconds");
  }

  @Test
  void theConnectHookRefusesWithItsStatusAndHeadersAndStreamsNothing() throws Exception {
    SseHub hub = SseHub.create(c -> c.retry = Duration.ofSeconds(2));
    resources.add(hub);
    Javalin app = Javalin.create(c -> {
      c.startup.showJavalinBanner = false;
      c.jetty.host = "127.0.0.1";
      c.jetty.port = 0;
      c.registerPlugin(new SsePlugin(hub, sse -> {
        sse.path = "/events";
        sse.onConnect = ctx -> {
          String auth = ctx.header("Authorization");
          if (auth == null) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"events\"");
            throw new io.javalin.http.UnauthorizedResponse("a bearer token is required");
          }
          if (!auth.equals("Bearer alice")) throw new io.javalin.http.ForbiddenResponse("not yours");
          return Subscription.to(ctx.queryParams("topic")).with("user", "alice");
        };
      }));
    }).start();
    resources.add(app::stop);

    HttpStream anonymous = open(app.port(), "/events?topic=a");
    assertEquals(401, anonymous.status);
    assertEquals("Bearer realm=\"events\"", anonymous.headers.get("www-authenticate"));
    assertTrue(anonymous.awaitEnd());
    assertEquals("a bearer token is required\n", anonymous.bodyText());
    HttpStream mallory = open(app.port(), "/events?topic=a", "Authorization: Bearer mallory");
    assertEquals(403, mallory.status);
    assertTrue(mallory.awaitEnd());
    // HEAD is judged by the same hook (Javalin would otherwise answer it 200 from the GET route).
    java.net.http.HttpResponse<String> anonymousHead = head(app.port(), "/events?topic=a");
    assertEquals(401, anonymousHead.statusCode());
    assertEquals("Bearer realm=\"events\"", anonymousHead.headers().firstValue("www-authenticate").orElseThrow());
    assertEquals(403, head(app.port(), "/events?topic=a", "Authorization", "Bearer mallory").statusCode());
    java.net.http.HttpResponse<String> aliceHead = head(app.port(), "/events?topic=a", "Authorization", "Bearer alice");
    assertEquals(200, aliceHead.statusCode());
    assertEquals("text/event-stream; charset=utf-8", aliceHead.headers().firstValue("content-type").orElseThrow());
    assertEquals("", aliceHead.body());
    assertEquals(0, hub.stats().connectionsAccepted(), "none reached the hub, nor did a HEAD");

    HttpStream alice = open(app.port(), "/events?topic=a&topic=b", "Authorization: Bearer alice");
    assertEquals(200, alice.status);
    Await.until("alice connected", () -> hub.connections().size() == 1);
    assertEquals(java.util.Set.of("a", "b"), hub.connections().get(0).subscription().topics());
    assertEquals("alice", hub.connections().get(0).subscription().attribute("user").orElseThrow());
    hub.publish("c", "n", "not hers");
    hub.publish("b", "n", "hers");
    assertEquals("hers", alice.next().data());
    assertTrue(alice.bodyText().startsWith("retry: 2000\n\n"), "the rest of the route is as before: " + alice.bodyText());
  }

  private static java.net.http.HttpResponse<String> head(int port, String path, String... headers) throws Exception {
    java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
        .method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody());
    for (int i = 0; i < headers.length; i += 2) request.header(headers[i], headers[i + 1]);
    return java.net.http.HttpClient.newHttpClient().send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aSubscriptionToTooManyTopicsGets400AndStreamsNothing() throws Exception {
    SseHub hub = SseHub.create(c -> c.maxTopicsPerClient = 2);
    resources.add(hub);
    Javalin app = Javalin.create(c -> {
      c.startup.showJavalinBanner = false;
      c.jetty.host = "127.0.0.1";
      c.jetty.port = 0;
      c.registerPlugin(new SsePlugin(hub, sse -> sse.onConnect = ctx -> Subscription.to(ctx.queryParams("topic"))));
    }).start();
    resources.add(app::stop);
    HttpStream greedy = open(app.port(), "/sse?topic=a&topic=b&topic=c");
    assertEquals(400, greedy.status);
    assertTrue(greedy.awaitEnd());
    assertEquals("a client may subscribe to at most 2 topics; this one asked for 3\n", greedy.bodyText());
    assertEquals(0, hub.stats().connectionsAccepted());
    HttpStream fine = open(app.port(), "/sse?topic=a&topic=b");
    assertEquals(200, fine.status);
  }

  @Test
  void chunksAreFramedExactlyAndACleanEndLeavesTheConnectionReusable() throws Exception {
    Served server = serve(c -> c.retry = null);
    String big = "x".repeat(2000); // beyond the small-frame buffer: written as the shared frame
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(20_000);
      java.io.OutputStream out = socket.getOutputStream();
      java.io.InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
      out.write("GET /sse HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertEquals("HTTP/1.1 200 OK", asciiLine(in));
      java.util.Map<String, String> headers = new java.util.HashMap<>();
      for (String line; !(line = asciiLine(in)).isEmpty(); ) {
        headers.merge(line.substring(0, line.indexOf(':')).toLowerCase(java.util.Locale.ROOT), line.substring(line.indexOf(':') + 1).trim(),
            (a, b) -> a + ", " + b);
      }
      assertEquals("chunked", headers.get("transfer-encoding"), "one Transfer-Encoding, chunked: " + headers);
      Await.until("connected", () -> server.hub().stats().clients() == 1);
      server.hub().publish("small", "s");
      server.hub().publish("large", big);
      server.hub().publish("small", "t");
      List<String> data = new ArrayList<>();
      SseDecoder decoder = new SseDecoder(e -> data.add(e.data()));
      while (data.size() < 3) {
        byte[] chunk = strictChunk(in);
        assertTrue(chunk.length > 0, "no end before the events");
        decoder.feed(chunk, 0, chunk.length);
      }
      assertEquals(List.of("s", big, "t"), data);
      assertTrue(((ServletSink) server.hub().connections().get(0).sink()).writesDirectly(),
          "the chunks came straight from the sink, not from Jetty's HTTP layer");
      server.hub().connections().get(0).close(); // a clean end
      while (true) {
        byte[] chunk = strictChunk(in);
        if (chunk.length == 0) break; // the last chunk, then the trailer's empty line
      }
      assertEquals("", asciiLine(in), "the empty line that ends a chunked body");
      // Exactly framed, so the same connection serves the next request.
      out.write("GET /sse?lastEventId=x HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertEquals("HTTP/1.1 200 OK", asciiLine(in));
    }
  }

  /** Reads one chunk, checking its framing to the byte; an empty array for the last chunk. */
  private static byte[] strictChunk(java.io.InputStream in) throws IOException {
    String size = asciiLine(in);
    assertTrue(size.matches("[0-9a-f]+"), "a chunk size line: '" + size + "'");
    byte[] chunk = in.readNBytes(Integer.parseInt(size, 16));
    if (chunk.length == 0) return chunk;
    assertEquals("", asciiLine(in), "CRLF right after the chunk's bytes");
    return chunk;
  }

  /** Reads a line that must end in CRLF. */
  private static String asciiLine(java.io.InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b; (b = in.read()) != '\r'; ) {
      if (b < 0) throw new java.io.EOFException("the connection ended: " + line);
      line.append((char) b);
    }
    assertEquals('\n', in.read(), "CR is followed by LF");
    return line.toString();
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
      return i;
    }
    return -1;
  }
}
