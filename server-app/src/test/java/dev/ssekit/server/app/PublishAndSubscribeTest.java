package dev.ssekit.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.server.Await;
import dev.ssekit.server.EventId;
import dev.ssekit.server.HttpStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The jar's publishing endpoint, topic subscriptions, tokens, CORS, 405s and /metrics. */
class PublishAndSubscribeTest {
  private static final String TOKEN = "s3cret-publish-token";
  private static final String SUBSCRIBE = "s3cret-subscribe-token";
  private static final Pattern ID = Pattern.compile("\\{\"id\":\"([^\"]+)\"}");
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) resources.get(i).close();
  }

  private SseServer server(Consumer<ServerConfig> config) {
    SseServer server = SseServer.start(c -> {
      c.port = 0;
      c.host = "127.0.0.1";
      c.heartbeatInterval = Duration.ZERO;
      c.publishToken = TOKEN;
      config.accept(c);
    });
    resources.add(server);
    return server;
  }

  private HttpStream open(SseServer server, String path, String... headers) throws Exception {
    HttpStream stream = HttpStream.open(server.port(), path, headers);
    resources.add(stream);
    return stream;
  }

  private HttpResponse<String> post(SseServer server, String contentType, String body, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/publish"))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) request.header("Content-Type", contentType);
    for (int i = 0; i < headers.length; i += 2) request.header(headers[i], headers[i + 1]);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(SseServer server, String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
    for (int i = 0; i < headers.length; i += 2) request.header(headers[i], headers[i + 1]);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String id(HttpResponse<String> response) {
    Matcher m = ID.matcher(response.body());
    assertTrue(m.matches(), response.statusCode() + " " + response.body());
    return m.group(1);
  }

  @Test
  void aPublishedEventReachesTheSubscribersOfItsTopicOnlyAsJsonOrForm() throws Exception {
    SseServer server = server(c -> {});
    HttpStream orders = open(server, "/sse?topic=orders");
    HttpStream both = open(server, "/sse?topic=orders&topic=news");
    HttpStream beats = open(server, "/sse");
    Await.until("three subscribers", () -> server.hub().stats().clients() == 3);

    HttpResponse<String> json = post(server, "application/json", "{\"topic\":\"orders\",\"type\":\"order\",\"data\":{\"id\":42}}",
        "Authorization", "Bearer " + TOKEN);
    assertEquals(200, json.statusCode(), json.body());
    assertEquals("application/json", json.headers().firstValue("content-type").orElseThrow());
    HttpResponse<String> form = post(server, "application/x-www-form-urlencoded", "topic=news&data=hello+%C3%BC",
        "Authorization", "Bearer " + TOKEN);
    assertEquals(200, form.statusCode(), form.body());

    ServerSentEvent order = orders.next();
    assertEquals(ServerSentEvent.of("order", "{\"id\":42}", id(json)), order);
    assertEquals(order, both.next());
    assertEquals(ServerSentEvent.of(ServerSentEvent.DEFAULT_TYPE, "hello ü", id(form)), both.next(), "type defaults to message");
    assertEquals(2, EventId.parse(id(form)).offset());

    // Each stream is in publishing order, so the next event a client gets after a marker of its
    // own topics shows that nothing of other topics came before it, without waiting for silence.
    String toDefault = id(publish(server, "{\"topic\":\"default\",\"type\":\"note\",\"data\":\"for everyone\"}"));
    String toOrders = id(publish(server, "{\"topic\":\"orders\",\"type\":\"order\",\"data\":\"2\"}"));
    assertEquals(toOrders, orders.next().id(), "nothing of another topic (news, default) reached orders");
    assertEquals(toOrders, both.next().id(), "nor orders and news");
    assertEquals(ServerSentEvent.of("note", "for everyone", toDefault), beats.next(),
        "without ?topic a client hears the default topic (besides heartbeats), and nothing of orders or news");
  }

  private HttpResponse<String> publish(SseServer server, String json) throws Exception {
    HttpResponse<String> response = post(server, "application/json", json, "Authorization", "Bearer " + TOKEN);
    assertEquals(200, response.statusCode(), response.body());
    return response;
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "Bearer wrong-token-value | application/json | {\"topic\":\"t\",\"data\":\"x\"}                | 401 | a valid Authorization: Bearer token is required",
      "                         | application/json | {\"topic\":\"t\",\"data\":\"x\"}                | 401 | a valid Authorization: Bearer token is required",
      "Bearer " + "x            | application/json | {}                                               | 401 | a valid Authorization",
      "GOOD                     | application/json | {\"data\":\"x\"}                                  | 400 | the field 'topic' is required",
      "GOOD                     | application/json | {\"topic\":\"t\"}                                 | 400 | the field 'data' is required",
      "GOOD                     | application/json | {\"topic\":\"t\",\"type\":\"a\\nb\",\"data\":\"x\"} | 400 | event type must not contain CR, LF or NUL",
      "GOOD                     | application/json | {\"topic\":\"\",\"data\":\"x\"}                   | 400 | a topic is 1 to 256 characters",
      "GOOD                     | application/json | [1,2]                                            | 400 | the body must be a JSON object",
      "GOOD                     | application/json | {\"topic\":                                        | 400 | the body is not JSON",
      "GOOD                     | text/plain       | topic=t&data=x                                   | 415 | send application/json or application/x-www-form-urlencoded",
      "GOOD                     | application/x-www-form-urlencoded | topic=t&topic=u&data=x          | 400 | the field 'topic' is given twice",
      "GOOD                     | application/json | {\"topic\":\"t\",\"data\":\"x\",\"topic\":\"u\"}  | 400 | the field 'topic' is given twice",
      "GOOD                     | application/json | {\"topic\":\"t\",\"data\":{\"a\":1,\"a\":2}}        | 400 | the key 'a' is given twice in one object of the body",
      "GOOD                     | application/json | {\"topic\":\"t\",\"data\":\"x\"} {}                | 400 | the body is not JSON",
      "GOOD                     | application/jsonfoo | {\"topic\":\"t\",\"data\":\"x\"}             | 415 | send application/json or application/x-www-form-urlencoded",
      "GOOD                     | application/json-seq | {\"topic\":\"t\",\"data\":\"x\"}            | 415 | send application/json or application/x-www-form-urlencoded",
      "GOOD                     | text/application/json | {\"topic\":\"t\",\"data\":\"x\"}           | 415 | the Content-Type is not a media type",
      "GOOD                     | application/json; charset | {\"topic\":\"t\",\"data\":\"x\"}       | 415 | the Content-Type has a malformed parameter",
      "GOOD                     | application/json; charset=iso-8859-1 | {\"topic\":\"t\",\"data\":\"x\"} | 415 | the charset 'iso-8859-1' is not supported; send UTF-8",
      "GOOD                     | application/x-www-form-urlencoded; charset=windows-1252 | topic=t&data=x | 415 | the charset 'windows-1252' is not supported",
      "GOOD                     |                  | {\"topic\":\"t\",\"data\":\"x\"}                | 415 | no Content-Type",
  })
  void aBadPublishIsRefusedWithOneLineOfJsonAndPublishesNothing(String auth, String type, String body, int status,
      String message) throws Exception {
    SseServer server = server(c -> {});
    List<String> headers = new ArrayList<>();
    if (auth != null) headers.addAll(List.of("Authorization", auth.equals("GOOD") ? "Bearer " + TOKEN : auth));
    HttpResponse<String> response = post(server, type, body, headers.toArray(String[]::new));
    assertEquals(status, response.statusCode(), response.body());
    assertTrue(response.body().startsWith("{\"error\":\"" + message), response.body());
    assertTrue(response.body().endsWith("\"}\n") && response.body().lines().count() == 1, response.body());
    if (status == 401) assertEquals("Bearer realm=\"publish\"", response.headers().firstValue("www-authenticate").orElseThrow());
    assertEquals(0, server.hub().stats().published());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "application/json",
      "Application/JSON",
      "application/json;charset=utf-8",
      "application/json; charset=\"UTF-8\"",
      "application/json ; charset=us-ascii ; profile=\"a;b\"",
      "application/x-www-form-urlencoded; charset=UTF-8",
  })
  void aMediaTypeIsItsTypeAndSubtypeInAnyCaseWithParameters(String contentType) throws Exception {
    SseServer server = server(c -> {});
    String body = contentType.toLowerCase(java.util.Locale.ROOT).contains("json") ? "{\"topic\":\"t\",\"data\":\"x\"}" : "topic=t&data=x";
    HttpResponse<String> response = post(server, contentType, body, "Authorization", "Bearer " + TOKEN);
    assertEquals(200, response.statusCode(), response.body());
    assertEquals(1, server.hub().stats().published());
  }

  @Test
  void publishingTakesTheTokenOnlyFromTheAuthorizationHeaderNeverFromTheQuery() throws Exception {
    // A token in a URL ends up in access logs and browser history; only EventSource needs that way.
    SseServer server = server(c -> {});
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/publish?access_token=" + TOKEN))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"topic\":\"t\",\"data\":\"x\"}"))
        .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    assertEquals(401, response.statusCode(), response.body());
    assertEquals("{\"error\":\"a valid Authorization: Bearer token is required\"}\n", response.body());
    assertEquals(0, server.hub().stats().published());
  }

  @Test
  void aChunkedBodyOverTheLimitIs413TooAndPublishesNothing() throws Exception {
    // Without a Content-Length the size is known only while reading: the limit must hold there
    // too, over the whole body, however it is cut into chunks.
    SseServer server = server(c -> c.maxEventSize = 1024);
    String prefix = "{\"topic\":\"t\",\"data\":\"";
    String suffix = "\"}";
    String justOver = prefix + "x".repeat(1025 - prefix.length() - suffix.length()) + suffix;
    assertEquals(1025, justOver.length(), "one byte over, and valid JSON: a cut-off read would publish it");
    assertEquals(List.of("413", "{\"error\":\"the body is larger than 1024 bytes (--max-event-size)\"}\n"),
        postChunked(server, justOver, 1025));
    assertEquals("413", postChunked(server, justOver, 300).get(0), "in chunks of 300 bytes");
    assertEquals(0, server.hub().stats().published());

    String atLimit = prefix + justOver.substring(prefix.length() + 1);
    assertEquals(1024, atLimit.length());
    List<String> fits = postChunked(server, atLimit, 300);
    assertEquals("200", fits.get(0), fits.get(1));
    assertEquals(1, server.hub().stats().published());
  }

  /**
   * Posts {@code json} with {@code Transfer-Encoding: chunked} in chunks of {@code chunk} bytes
   * and returns the status and body. The whole request goes out in one write before the response
   * is read: the server answers 413 before it read all of it, and a client still writing would
   * then meet a closed connection instead of the answer.
   */
  private static List<String> postChunked(SseServer server, String json, int chunk) throws Exception {
    StringBuilder request = new StringBuilder("POST /publish HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN
        + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
    for (int i = 0; i < json.length(); i += chunk) {
      String part = json.substring(i, Math.min(json.length(), i + chunk));
      request.append(Integer.toHexString(part.length())).append("\r\n").append(part).append("\r\n");
    }
    request.append("0\r\n\r\n");
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(20_000);
      socket.getOutputStream().write(request.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String response = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      String status = response.substring("HTTP/1.1 ".length(), "HTTP/1.1 ".length() + 3);
      return List.of(status, response.substring(response.indexOf("\r\n\r\n") + 4));
    }
  }

  @Test
  void aBodyOverTheLimitIs413AndAnIdempotencyKeyPublishesOnce() throws Exception {
    SseServer server = server(c -> c.maxEventSize = 1024);
    HttpResponse<String> big = post(server, "application/json", "{\"topic\":\"t\",\"data\":\"" + "x".repeat(1024) + "\"}",
        "Authorization", "Bearer " + TOKEN);
    assertEquals(413, big.statusCode(), big.body());
    assertEquals(0, server.hub().stats().published());
    HttpResponse<String> first = post(server, "application/json", "{\"topic\":\"t\",\"data\":\"once\"}",
        "Authorization", "Bearer " + TOKEN, "Idempotency-Key", "order-7");
    HttpResponse<String> again = post(server, "application/json", "{\"topic\":\"t\",\"data\":\"once\"}",
        "Authorization", "Bearer " + TOKEN, "Idempotency-Key", "order-7");
    assertEquals(id(first), id(again));
    assertEquals(1, server.hub().log().head().offset());
  }

  @Test
  void withoutAPublishTokenThereIsNoPublishing() throws Exception {
    SseServer server = server(c -> c.publishToken = null);
    assertEquals(404, post(server, "application/json", "{\"topic\":\"t\",\"data\":\"x\"}", "Authorization", "Bearer x").statusCode());
  }

  @Test
  void aSubscribeTokenIsRequiredByHeaderOrQueryWhenSet() throws Exception {
    SseServer server = server(c -> c.subscribeToken = SUBSCRIBE);
    HttpStream none = open(server, "/sse");
    assertEquals(401, none.status);
    assertEquals("Bearer realm=\"sse\"", none.headers.get("www-authenticate"));
    assertTrue(none.awaitEnd());
    HttpStream wrong = open(server, "/sse?access_token=nope-nope-nope");
    assertEquals(401, wrong.status);
    assertEquals(0, server.hub().stats().connectionsAccepted(), "nothing was streamed to them");
    assertEquals(200, open(server, "/sse", "Authorization: Bearer " + SUBSCRIBE).status);
    assertEquals(200, open(server, "/sse?access_token=" + SUBSCRIBE).status, "for EventSource, which cannot set headers");
    assertEquals(400, open(server, "/sse?topic=&access_token=" + SUBSCRIBE).status, "an empty topic is no topic");
  }

  @Test
  void otherMethodsAre405WithAllowAndCorsIsForTheConfiguredOriginsOnly() throws Exception {
    SseServer server = server(c -> c.corsOrigins = List.of("http://app.example"));
    HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/sse"))
        .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(405, put.statusCode());
    assertEquals("GET, HEAD, OPTIONS", put.headers().firstValue("allow").orElseThrow());
    assertEquals("POST, OPTIONS", get(server, "/publish").headers().firstValue("allow").orElseThrow());
    assertEquals(405, get(server, "/publish").statusCode());

    HttpStream allowed = open(server, "/sse", "Origin: http://app.example");
    assertEquals("http://app.example", allowed.headers.get("access-control-allow-origin"));
    assertEquals("Origin", allowed.headers.get("vary"));
    HttpStream other = open(server, "/sse", "Origin: http://evil.example");
    assertFalse(other.headers.containsKey("access-control-allow-origin"));

    HttpResponse<String> preflight = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/publish"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "http://app.example")
        .header("Access-Control-Request-Method", "POST").build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(204, preflight.statusCode());
    assertEquals("http://app.example", preflight.headers().firstValue("access-control-allow-origin").orElseThrow());
    assertEquals("POST", preflight.headers().firstValue("access-control-allow-methods").orElseThrow());
    assertTrue(preflight.headers().firstValue("access-control-allow-headers").orElseThrow().contains("Authorization"));
    HttpResponse<String> published = post(server, "application/json", "{\"topic\":\"t\",\"data\":\"x\"}",
        "Authorization", "Bearer " + TOKEN, "Origin", "http://app.example");
    assertEquals("http://app.example", published.headers().firstValue("access-control-allow-origin").orElseThrow());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "/sse     | PUT      | GET, HEAD, OPTIONS",
      "/sse     | POST     | GET, HEAD, OPTIONS",
      "/sse     | DELETE   | GET, HEAD, OPTIONS",
      "/sse     | PATCH    | GET, HEAD, OPTIONS",
      "/sse     | TRACE    | GET, HEAD, OPTIONS",
      "/sse     | QUERY    | GET, HEAD, OPTIONS",
      "/sse     | PROPFIND | GET, HEAD, OPTIONS",
      "/publish | GET      | POST, OPTIONS",
      "/publish | HEAD     | POST, OPTIONS",
      "/publish | PUT      | POST, OPTIONS",
      "/publish | TRACE    | POST, OPTIONS",
      "/publish | QUERY    | POST, OPTIONS",
      "/publish | PROPFIND | POST, OPTIONS",
  })
  void everyOtherMethodIs405WithTheAllowedOnes(String path, String method, String allow) throws Exception {
    SseServer server = server(c -> {});
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(405, response.statusCode(), response.body());
    assertEquals(allow, response.headers().firstValue("allow").orElseThrow());
    assertEquals(0, server.hub().stats().connectionsAccepted());
    assertEquals(0, server.hub().stats().published());
    HttpResponse<String> options = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(204, options.statusCode());
    assertEquals(allow, options.headers().firstValue("allow").orElseThrow(), "OPTIONS names the same methods");
  }

  @Test
  void headOfTheStreamIsAuthorizedLikeGetAndConnectsNobody() throws Exception {
    // HEAD promises GET's status and headers: with a subscribe token, a 200 would tell a
    // client without it that it may subscribe.
    SseServer server = server(c -> c.subscribeToken = SUBSCRIBE);
    HttpResponse<String> none = head(server, "/sse");
    assertEquals(401, none.statusCode());
    assertEquals("Bearer realm=\"sse\"", none.headers().firstValue("www-authenticate").orElseThrow());
    assertEquals(401, head(server, "/sse?access_token=nope-nope-nope").statusCode());
    assertEquals(400, head(server, "/sse?topic=&access_token=" + SUBSCRIBE).statusCode(), "a bad topic, as GET would say");

    HttpResponse<String> allowed = head(server, "/sse?topic=orders", "Authorization", "Bearer " + SUBSCRIBE);
    assertEquals(200, allowed.statusCode());
    assertEquals("text/event-stream; charset=utf-8", allowed.headers().firstValue("content-type").orElseThrow());
    assertEquals("no-cache", allowed.headers().firstValue("cache-control").orElseThrow());
    assertEquals("", allowed.body());
    assertEquals(200, head(server, "/sse?access_token=" + SUBSCRIBE).statusCode());
    assertEquals(0, server.hub().stats().connectionsAccepted(), "a HEAD streams nothing and takes no client's place");
  }

  private HttpResponse<String> head(SseServer server, String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .method("HEAD", HttpRequest.BodyPublishers.noBody());
    for (int i = 0; i < headers.length; i += 2) request.header(headers[i], headers[i + 1]);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aFullServerRefusesWith503AndRetryAfter() throws Exception {
    SseServer server = server(c -> {
      c.maxClients = 1;
      c.retry = Duration.ofMillis(2500);
    });
    HttpStream first = open(server, "/sse");
    assertEquals(200, first.status);
    Await.until("the first client connected", () -> server.hub().stats().clients() == 1);
    HttpStream second = open(server, "/sse");
    assertEquals(503, second.status);
    assertEquals("3", second.headers.get("retry-after"), "--retry 2.5s, rounded up to whole seconds");
    HttpStream eventSource = open(server, "/sse", "Accept: text/event-stream");
    assertEquals(200, eventSource.status, "an EventSource would give up on a 503 for good");
    assertTrue(eventSource.awaitEnd());
    assertTrue(eventSource.bodyText().startsWith("retry: 3000\n"), eventSource.bodyText());
    assertEquals(1, server.hub().stats().clients());
  }

  @Test
  void metricsServePrometheusTextWithTheHubsAndTheJvmsMeters() throws Exception {
    SseServer server = server(c -> {});
    HttpStream subscriber = open(server, "/sse?topic=t");
    Await.until("subscribed", () -> server.hub().stats().clients() == 1);
    for (int i = 0; i < 3; i++) {
      assertEquals(200, post(server, "application/json", "{\"topic\":\"t\",\"data\":\"" + i + "\"}", "Authorization", "Bearer " + TOKEN)
          .statusCode());
    }
    subscriber.next(3);
    HttpResponse<String> metrics = get(server, "/metrics");
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.headers().firstValue("content-type").orElseThrow().startsWith("text/plain"));
    String text = metrics.body();
    for (String line : List.of("ssekit_clients 1.0", "ssekit_events_published_total 3.0", "ssekit_events_delivered_total 3.0",
        "ssekit_connections_accepted_total 1.0", "ssekit_lost_signals_total 0.0")) {
      assertTrue(text.lines().anyMatch(l -> l.equals(line)), "has '" + line + "' in:\n" + text);
    }
    assertTrue(text.contains("ssekit_client_write_latency_seconds_count"), text);
    assertTrue(text.contains("jvm_memory_used_bytes"), "the JVM's meters too");
  }
}
