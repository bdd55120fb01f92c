package dev.ssekit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.server.Publication;
import dev.ssekit.server.EventId;
import dev.ssekit.server.InMemoryEventLog;
import dev.ssekit.server.SseHub;
import dev.ssekit.server.app.SseServer;
import io.javalin.Javalin;
import io.javalin.http.ContentType;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real browser's {@code EventSource} against the hub: it sees every event, and after a server
 * restart it reconnects with the {@code Last-Event-ID} it tracked itself and misses nothing.
 */
class BrowserContractTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Resources resources = new Resources();
  private final List<JsonNode> reports = Collections.synchronizedList(new ArrayList<>());
  private final List<String> lastEventIdHeaders = Collections.synchronizedList(new ArrayList<>());

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  /** A node of the stream: a hub and its Javalin app, on {@code port} (0 for any). */
  private record Node(SseHub hub, Javalin app) implements AutoCloseable {
    @Override
    public void close() {
      app.stop();
      hub.close();
    }
  }

  private Node start(int port, InMemoryEventLog log, byte[] page) {
    SseHub hub = SseHub.create(c -> {
      c.eventLog = log;
      c.retry = Duration.ofMillis(200);
    });
    Javalin app = resources.app(hub, port, c -> {
      c.routes.before("/sse", ctx -> lastEventIdHeaders.add(String.valueOf(ctx.header("Last-Event-ID"))));
      c.routes.get("/browser.html", ctx -> ctx.contentType(ContentType.HTML).result(page));
    });
    return new Node(hub, app);
  }

  private int reportServer() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
    byte[] page = page();
    server.createContext("/browser.html", exchange -> {
      exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
      exchange.sendResponseHeaders(200, page.length);
      exchange.getResponseBody().write(page);
      exchange.close();
    });
    server.createContext("/report", exchange -> {
      try (InputStream body = exchange.getRequestBody()) {
        reports.add(JSON.readTree(new String(body.readAllBytes(), StandardCharsets.UTF_8)));
      }
      exchange.getResponseHeaders().add("Access-Control-Allow-Origin", "*");
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    server.start();
    resources.add(() -> server.stop(0));
    return server.getAddress().getPort();
  }

  private byte[] page() throws IOException {
    try (InputStream in = getClass().getResourceAsStream("browser.html")) {
      return in.readAllBytes();
    }
  }

  private List<JsonNode> reported(String kind) {
    return reported(kind, null);
  }

  /** What pages of {@code origin} (any, if null) reported of {@code kind}, in the order they saw it. */
  private List<JsonNode> reported(String kind, String origin) {
    synchronized (reports) {
      return reports.stream().filter(r -> r.get("kind").asString().equals(kind))
          .filter(r -> origin == null || r.get("origin").asString().equals(origin))
          .sorted(Comparator.comparingInt(r -> r.get("seq").asInt())).toList();
    }
  }

  @Test
  void browserReceivesEveryEventAndResumesAfterARestartWithItsOwnLastEventId() throws Exception {
    byte[] page;
    try (InputStream in = getClass().getResourceAsStream("browser.html")) {
      page = in.readAllBytes();
    }
    int reportPort = reportServer();
    InMemoryEventLog log = new InMemoryEventLog(10_000);
    Node first = start(0, log, page);
    int port = first.app().port();
    resources.add(() -> first.close());

    Browser browser = Browser.open("http://127.0.0.1:" + port + "/browser.html?report=http://127.0.0.1:" + reportPort + "/report");
    resources.add(browser);
    Await.until(() -> "the browser to connect; browser says:\n" + browser.output(),
        () -> first.hub().stats().clients() == 1 && !reported("open").isEmpty());

    String fortieth = null;
    for (int i = 1; i <= 40; i++) fortieth = first.hub().publish("n", "event " + i + " ünïcödé 🎉").toString();
    Await.until(() -> "40 events in the browser, got " + reported("event").size(), () -> reported("event").size() == 40);

    first.close(); // ends the stream cleanly; the browser reconnects after retry: 200 ms
    for (int i = 41; i <= 50; i++) log.append(Publication.of(ServerSentEvent.of("n", "event " + i + " ünïcödé 🎉"))); // published while it was away
    Node second = start(port, log, page);
    resources.add(second);
    Await.until("the browser to come back", () -> second.hub().stats().clients() == 1);
    for (int i = 51; i <= 60; i++) second.hub().publish("n", "event " + i + " ünïcödé 🎉");
    Await.until(() -> "60 events in the browser, got " + reported("event").size(), () -> reported("event").size() == 60);

    List<JsonNode> events = reported("event");
    assertEquals(IntStream.rangeClosed(1, 60).mapToObj(i -> (long) i).toList(),
        events.stream().map(e -> EventId.parse(e.get("id").asString()).offset()).toList(), "every id once, in order");
    assertEquals(log.read(1, 60).stream().map(e -> e.id().toString()).toList(),
        events.stream().map(e -> e.get("id").asString()).toList(), "the log's own ids, tags included");
    assertEquals(IntStream.rangeClosed(1, 60).mapToObj(i -> "event " + i + " ünïcödé 🎉").toList(),
        events.stream().map(e -> e.get("data").asString()).toList());
    assertEquals("null", lastEventIdHeaders.get(0), "the first request resumes nothing");
    assertTrue(lastEventIdHeaders.contains(fortieth), "the browser sent its own Last-Event-ID: " + lastEventIdHeaders);
    assertEquals(List.of(), reported("lost"));
    assertTrue(reported("open").size() >= 2);
  }

  @Test
  void aPageOfAnAllowedOriginSubscribesAndPublishesAcrossOriginsAndAnyOtherCannot() throws Exception {
    int reportPort = reportServer();
    String allowed = "http://127.0.0.1:" + reportPort;
    String other = "http://localhost:" + reportPort; // another origin: another host name
    SseServer server = SseServer.start(c -> {
      c.port = 0;
      c.host = "127.0.0.1";
      c.heartbeatInterval = Duration.ZERO;
      c.publishToken = "page-token-123";
      c.corsOrigins = List.of(allowed);
    });
    resources.add(server);
    String base = "http://127.0.0.1:" + server.port();
    String query = "?report=" + allowed + "/report&stream=" + base + "/sse%3Ftopic%3Dt&publish=" + base
        + "/publish&token=page-token-123";
    resources.add(Browser.open(allowed + "/browser.html" + query));
    Await.until(() -> "the allowed page to publish and hear its event; reports " + reports,
        () -> reported("event", allowed).size() == 1 && reported("published", allowed).size() == 1);
    assertEquals("from the page at " + allowed, reported("event", allowed).get(0).get("data").asString());
    assertEquals(200, reported("published", allowed).get(0).get("status").asInt());

    resources.add(Browser.open(other + "/browser.html" + query.replace("report=" + allowed, "report=" + other)));
    Await.until(() -> "the other page's stream to fail and its publish to be refused; reports " + reports,
        () -> !reported("error", other).isEmpty() && !reported("publish-refused", other).isEmpty());
    assertEquals(List.of(), reported("open", other), "its EventSource never opened");
    server.hub().publish("t", "n", "after");
    Await.until("the allowed page to hear the next event", () -> reported("event", allowed).size() == 2);
    assertEquals(List.of(), reported("event", other), "a page of another origin reads nothing of the stream");
    assertEquals(List.of(), reported("published", other), "nor can it publish");
    assertEquals(2, server.hub().stats().published(), "only the allowed page's publish and the test's went in");
  }

  @Test
  void demoPageSubscribesWithItsOwnScript() throws Exception {
    SseServer server = SseServer.start(c -> {
      c.port = 0;
      c.host = "127.0.0.1";
      c.heartbeatInterval = Duration.ofMillis(100);
    });
    resources.add(server);
    Browser browser = Browser.open("http://127.0.0.1:" + server.port() + "/");
    resources.add(browser);
    // Only the page's JavaScript opens /sse: a subscriber there means the demo works in a browser.
    Await.until(() -> "the demo page to subscribe; browser says:\n" + browser.output(),
        () -> server.hub().stats().clients() == 1);
    assertEquals(1, server.hub().stats().connectionsAccepted());
  }
}
