package dev.ssekit.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ssekit.client.SseException.Reason;
import dev.ssekit.protocol.ServerSentEvent;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okio.BufferedSink;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Any request: method and body resent on every reconnection, a hook per attempt, the stream headers the client owns. */
class RequestTest extends ClientTestBase {
  private static final MediaType JSON = MediaType.get("application/json");

  private SseClient.Builder requesting(Request request) {
    return SseClient.builder().request(request).reconnectPolicy(QUICK).listener(recording).onEvent(recording::event);
  }

  @ParameterizedTest
  @ValueSource(strings = {"POST", "REPORT"})
  void methodAndBodyAreSentOnEveryConnection(String method) throws Exception {
    enqueueStream("id: 1\ndata: a\n\n");
    enqueueStatus(503);
    open().send("id: 2\ndata: b\n\n");
    Request request = new Request.Builder().url(server.url("/ask"))
        .method(method, RequestBody.create("{\"q\":1}", JSON))
        .header("Authorization", "Bearer t")
        .build();
    started(requesting(request));
    recording.await("event", 2);
    for (int i = 0; i < 3; i++) {
      RecordedRequest seen = server.takeRequest();
      assertEquals(method, seen.getMethod(), "attempt " + i);
      assertEquals("/ask", seen.getUrl().encodedPath());
      assertEquals("{\"q\":1}", seen.getBody().utf8(), "attempt " + i);
      assertEquals("application/json; charset=utf-8", seen.getHeaders().get("Content-Type"));
      assertEquals("Bearer t", seen.getHeaders().get("Authorization"));
      assertEquals("text/event-stream", seen.getHeaders().get("Accept"));
      assertEquals(i == 0 ? null : "1", seen.getHeaders().get("Last-Event-ID"), "attempt " + i);
    }
  }

  @Test
  void theTransformerRunsOncePerAttemptAndTheClientStillOwnsLastEventId() throws Exception {
    enqueueStream("id: 1\ndata: a\n\n");
    enqueueStatus(500);
    open().send("id: 2\ndata: b\n\n");
    AtomicInteger calls = new AtomicInteger();
    List<String> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
    started(builder().requestTransformer(r -> {
      threads.add(Thread.currentThread().getName());
      return r.newBuilder()
          .header("Authorization", "Bearer token-" + calls.incrementAndGet())
          .header("Last-Event-ID", "forged")
          .build();
    }));
    recording.await("event", 2);
    for (int i = 1; i <= 3; i++) {
      RecordedRequest seen = server.takeRequest();
      assertEquals("Bearer token-" + i, seen.getHeaders().get("Authorization"), "a fresh token on attempt " + i);
      assertEquals(i == 1 ? List.of() : List.of("1"), seen.getHeaders().values("Last-Event-ID"), "attempt " + i);
    }
    assertEquals(3, calls.get(), "once per attempt");
    assertEquals(3, server.getRequestCount());
    assertTrue(threads.stream().allMatch(t -> t.startsWith("ssekit-client-reader-")), threads.toString());
  }

  @Test
  void aTransformerThatThrowsFailsTheAttemptAndTheNextOneIsMade() throws Exception {
    open().send("data: in\n\n");
    AtomicInteger calls = new AtomicInteger();
    RuntimeException down = new IllegalStateException("token service down");
    started(builder().requestTransformer(r -> {
      if (calls.incrementAndGet() == 1) throw down;
      return r;
    }));
    recording.await("event", 1);
    SseException error = recording.errors().get(0);
    assertEquals(Reason.REQUEST, error.reason());
    assertEquals(down, error.getCause());
    assertTrue(error.retryIn() != null && !error.isFatal());
    assertEquals(1, server.getRequestCount(), "the failed attempt sent nothing");
  }

  @Test
  void aTransformerThatThrowsAnErrorFailsOnlyThatAttemptToo() throws Exception {
    open().send("data: in\n\n");
    AtomicInteger calls = new AtomicInteger();
    AssertionError broken = new AssertionError("a bug in the user's code");
    started(builder().requestTransformer(r -> {
      if (calls.incrementAndGet() == 1) throw broken;
      return r;
    }));
    recording.await("event", 1);
    SseException error = recording.errors().get(0);
    assertEquals(Reason.REQUEST, error.reason());
    assertEquals(broken, error.getCause());
    assertTrue(error.retryIn() != null && !error.isFatal());
  }

  @Test
  void theUsersAcceptAndCacheControlAreKept() throws Exception {
    open().send("data: x\n\n");
    started(requesting(new Request.Builder().url(server.url("/sse"))
        .header("Accept", "text/event-stream, application/json;q=0.5").header("Cache-Control", "max-age=0").build()));
    RecordedRequest seen = server.takeRequest();
    assertEquals(List.of("text/event-stream, application/json;q=0.5"), seen.getHeaders().values("Accept"));
    assertEquals(List.of("max-age=0"), seen.getHeaders().values("Cache-Control"));
  }

  @Test
  void aRedirectLoopIsFatalAndReportedOnce() throws Exception {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return new MockResponse.Builder().code(301).addHeader("Location", "").build();
      }
    });
    SseClient client = started(builder());
    recording.awaitClosed();
    assertEquals(List.of("state:CONNECTING", "state:CLOSED(REDIRECT_LOOP)", "error", "closed"), recording.kinds());
    SseException error = recording.errors().get(0);
    assertTrue(error.isFatal());
    assertTrue(error.getMessage().contains("Too many follow-up requests: 21"), error.getMessage());
    assertEquals(21, server.getRequestCount(), "one attempt: OkHttp's 20 follow-ups, never retried");
    assertTrue(client.isClosed());
  }

  @Test
  void aBodyThatCannotBeSentTwiceIsRejected() {
    RequestBody oneShot = new RequestBody() {
      @Override
      public MediaType contentType() {
        return JSON;
      }

      @Override
      public void writeTo(BufferedSink sink) {}

      @Override
      public boolean isOneShot() {
        return true;
      }
    };
    Request request = new Request.Builder().url(server.url("/sse")).post(oneShot).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SseClient.builder().request(request));
    assertTrue(e.getMessage().contains("one-shot"), e.getMessage());
  }

  @Test
  void requestAndUrlOrHeadersDoNotMix() {
    Request request = new Request.Builder().url(server.url("/sse")).build();
    assertThrows(IllegalStateException.class, () -> SseClient.builder().request(request).url(server.url("/other")).build());
    assertThrows(IllegalStateException.class, () -> SseClient.builder().request(request).header("X", "1").build());
    IllegalArgumentException own = assertThrows(IllegalArgumentException.class,
        () -> SseClient.builder().url(server.url("/sse")).header("Last-Event-ID", "3").build());
    assertTrue(own.getMessage().contains("lastEventId("), own.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> SseClient.builder().request(request.newBuilder().header("Last-Event-ID", "3").build()).build());
  }

  @Test
  void aGetRequestWorksAsAUrlDoes() throws Exception {
    open().send("data: x\n\n");
    started(requesting(new Request.Builder().url(server.url("/sse")).build()));
    recording.await("event", 1);
    assertEquals(ServerSentEvent.message("x"), recording.values("event").get(0));
    RecordedRequest seen = server.takeRequest();
    assertEquals("GET", seen.getMethod());
    assertNull(seen.getHeaders().get("Last-Event-ID"));
  }
}
