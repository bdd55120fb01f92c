package dev.ssekit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ssekit.client.ReconnectPolicy;
import dev.ssekit.client.SseClient;
import dev.ssekit.client.SseEventStream;
import dev.ssekit.client.SseException;
import dev.ssekit.protocol.PayloadType;
import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.protocol.SseComment;
import dev.ssekit.protocol.TypedEvent;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The scripted server does what its scripts say, as the ssekit client and a plain HTTP client see it. */
class ScriptedSseServerTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final ReconnectPolicy QUICK =
      ReconnectPolicy.DEFAULT.withDelays(Duration.ofMillis(5), Duration.ofMillis(50)).withJitter(0);

  private final ScriptedSseServer server = start();
  private final BlockingQueue<SseException> errors = new LinkedBlockingQueue<>();
  private final BlockingQueue<SseComment> comments = new LinkedBlockingQueue<>();

  private static ScriptedSseServer start() {
    try {
      return ScriptedSseServer.start();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @AfterEach
  void close() {
    server.close();
  }

  private SseEventStream<TypedEvent<String>> subscribe(SseClient.Builder builder) {
    return builder.url(server.url().toString())
        .reconnectPolicy(QUICK)
        .onComment(comments::add)
        .listener(new SseClient.Listener() {
          @Override
          public void onError(SseException e) {
            errors.add(e);
          }
        })
        .eventStream("order", PayloadType.of(String.class));
  }

  private static TypedEvent<String> next(SseEventStream<TypedEvent<String>> events) throws InterruptedException {
    TypedEvent<String> event = events.poll(WAIT);
    if (event == null) throw new AssertionError("no event within " + WAIT);
    return event;
  }

  private SseException nextError() throws InterruptedException {
    SseException error = errors.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    if (error == null) throw new AssertionError("no error within " + WAIT);
    return error;
  }

  @Test
  void cutMidEventThenTheReconnectionResumesFromTheLastCompleteEvent() throws Exception {
    server.enqueue(SseScript.stream()
        .retry(Duration.ofMillis(5))
        .event(ServerSentEvent.of("order", "one", "1"))
        .comment("still there")
        .cutAfter(12)
        .event(ServerSentEvent.of("order", "two, never whole", "2")));
    server.enqueue(SseScript.stream().event(ServerSentEvent.of("order", "three", "3")));
    try (SseEventStream<TypedEvent<String>> events = subscribe(SseClient.builder().header("Authorization", "Bearer t"))) {
      assertEquals("one", next(events).data());
      TypedEvent<String> three = next(events);
      assertEquals("three", three.data(), "the half event is dropped, as the spec requires");
      assertEquals("3", three.id());
      assertEquals(new SseComment("still there"), comments.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS));

      SseRequest first = server.takeRequest();
      SseRequest second = server.takeRequest();
      assertEquals(0, first.connection());
      assertNull(first.lastEventId());
      assertEquals("GET", first.method());
      assertEquals("/sse", first.target());
      assertEquals(1, second.connection());
      assertEquals("1", second.lastEventId(), "it resumed after the last complete event");
      assertEquals("Bearer t", second.header("authorization"), "headers are kept on reconnection");
      assertTrue(second.header("Accept").contains("text/event-stream"), second.toString());
    }
  }

  @Test
  void unavailableWithRetryAfterThenNoContentStopsTheClient() throws Exception {
    // Retry-After: 0 would not do: OkHttp itself repeats a 503 that asks for no wait, unseen by the client.
    server.enqueue(SseScript.status(503).header("Retry-After", "1"), SseScript.noContent());
    try (SseEventStream<TypedEvent<String>> events = subscribe(SseClient.builder())) {
      SseException busy = nextError();
      assertEquals(SseException.Reason.HTTP_STATUS, busy.reason());
      assertEquals(503, busy.statusCode());
      assertEquals(Duration.ofSeconds(1), busy.retryIn(), "the client waits as long as Retry-After says");
      assertTrue(!events.hasNext(), "a 204 ends the stream for good");
      assertEquals(2, server.connectionCount());
    }
  }

  @Test
  void wrongContentTypeIsRefusedByTheClient() throws Exception {
    server.enqueue(SseScript.stream().contentType("text/html").raw("<html>"));
    try (SseEventStream<TypedEvent<String>> events = subscribe(SseClient.builder())) {
      assertEquals(SseException.Reason.CONTENT_TYPE, nextError().reason());
      assertThrows(SseException.class, events::hasNext, "fatal: the stream ends with the error");
    }
  }

  @Test
  void stalledStreamIsDroppedByTheClientsReadTimeoutAndTheNextScriptServesTheReconnection() throws Exception {
    server.enqueue(SseScript.stream().event(ServerSentEvent.of("order", "one", "1")).stall());
    try (SseEventStream<TypedEvent<String>> events = subscribe(SseClient.builder().readTimeout(Duration.ofMillis(300)))) {
      assertEquals("one", next(events).data());
      assertEquals(SseException.Reason.READ_TIMEOUT, nextError().reason(), "the read timeout fired");
      assertNull(server.takeRequest().lastEventId());
      assertEquals("1", server.takeRequest().lastEventId());
      server.enqueue(SseScript.stream().event(ServerSentEvent.of("order", "two", "2")));
      assertEquals("two", next(events).data(), "the waiting reconnection took the script enqueued later");
    }
  }

  @Test
  void bodyIsChunkedAndEndsCleanlyOrIsCutWithoutTheLastChunk() throws Exception {
    server.enqueue(SseScript.stream().raw("data: a\n\n").end(), SseScript.stream().raw("data: b\n\n").cut());
    assertEquals("9\r\ndata: a\n\n\r\n0\r\n\r\n", rawBody());
    assertEquals("9\r\ndata: b\n\n\r\n", rawBody());
    SseRequest request = server.takeRequest();
    assertEquals("GET", request.method());
  }

  @Test
  void requestBodiesAreRecorded() throws Exception {
    server.enqueue(SseScript.status(404));
    HttpURLConnection post = (HttpURLConnection) server.url("/answers?q=1").toURL().openConnection();
    post.setDoOutput(true);
    post.setRequestMethod("POST");
    post.getOutputStream().write("{\"question\":1}".getBytes(StandardCharsets.UTF_8));
    assertEquals(404, post.getResponseCode());
    SseRequest request = server.takeRequest();
    assertEquals("POST", request.method());
    assertEquals("/answers?q=1", request.target());
    assertEquals("{\"question\":1}", request.body());
  }

  @Test
  void noRequestInTimeIsAnAssertionFailureNamingTheServer() {
    AssertionError e = assertThrows(AssertionError.class, () -> server.takeRequest(Duration.ofMillis(10)));
    assertTrue(e.getMessage().contains(server.url().toString()), e.getMessage());
  }

  @Test
  void closeEndsEveryConnectionAndThread() throws Exception {
    server.enqueue(SseScript.stream().comment("open"));
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
      socket.getOutputStream().write("GET /sse HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      server.takeRequest();
      server.close();
      InputStream in = socket.getInputStream();
      while (in.read() >= 0) {
        // what was written before the close
      }
    }
    assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("ssekit-scripted-sse")),
        "no server thread is left");
  }

  /** Reads one response's raw body bytes (with chunk framing) over a plain socket, up to the end or the cut. */
  private String rawBody() throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
      socket.getOutputStream().write("GET /sse HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response);
      assertTrue(response.contains("\r\nTransfer-Encoding: chunked\r\n"), response);
      return response.substring(response.indexOf("\r\n\r\n") + 4);
    }
  }
}
