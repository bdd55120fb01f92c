package dev.ssekit.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ssekit.client.SseException.Reason;
import dev.ssekit.protocol.EventsLost;
import dev.ssekit.protocol.Heartbeat;
import dev.ssekit.protocol.PayloadMapper;
import dev.ssekit.protocol.ServerSentEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

class SseClientTest extends ClientTestBase {
  record Order(long id, String item, Map<String, Integer> extras) {}

  @Test
  void typedHandlersGetDecodedPayloadsAndTheRawHandlerTheRest() throws Exception {
    PayloadMapper payloads = PayloadMapper.builder().register("order", Order.class).build();
    List<Object> typed = new ArrayList<>();
    open().send("id: 1\nevent: heartbeat\ndata: 1764123456789\n\n"
        + "id: 2\nevent: order\ndata: {\"id\":7,\"item\":\"tea ☕\",\"extras\":{\"milk\":1}}\n\n"
        + "id: 3\nevent: other\ndata: raw\n\n");
    started(builder().payloads(payloads)
        .on("heartbeat", Heartbeat.class, hb -> typed.add(hb))
        .on("order", Order.class, o -> typed.add(o)));
    recording.await("event", 1);
    assertEquals(List.of(Heartbeat.ofEpochMilli(1764123456789L), new Order(7, "tea ☕", Map.of("milk", 1))), typed);
    assertEquals(List.of(ServerSentEvent.of("other", "raw", "3")), recording.values("event"));
  }

  @Test
  void sendsStreamHeadersAndCustomOnes() throws Exception {
    open().send(": hi\n\n");
    started(builder().header("Authorization", "Bearer t"));
    RecordedRequest request = server.takeRequest();
    assertEquals("text/event-stream", request.getHeaders().get("Accept"));
    assertEquals("no-cache", request.getHeaders().get("Cache-Control"));
    assertEquals("Bearer t", request.getHeaders().get("Authorization"));
    assertNull(request.getHeaders().get("Last-Event-ID"), "nothing to resume on the first connection");
  }

  @Test
  void resendsTheLastEventIdIncludingIdOnlyBlocksOnEveryReconnection() throws Exception {
    enqueueStream("id: 1\ndata: a\n\nid: 2\ndata: b\n\n");
    enqueueStream("id: 3\ndata: c\n\nid: 7\n\n");
    open().send("data: d\n\n");
    SseClient client = started(builder());
    recording.await("event", 4);
    assertNull(server.takeRequest().getHeaders().get("Last-Event-ID"));
    assertEquals("2", server.takeRequest().getHeaders().get("Last-Event-ID"));
    assertEquals("7", server.takeRequest().getHeaders().get("Last-Event-ID"));
    assertEquals(ServerSentEvent.of("message", "d", "7"), recording.values("event").get(3));
    assertEquals("7", client.lastEventId());
  }

  @Test
  void nonAsciiIdsAreResentAsUtf8() throws Exception {
    enqueueStream("id: ключ-🔑\ndata: a\n\n");
    open().send("data: b\n\n");
    started(builder());
    recording.await("event", 2);
    server.takeRequest();
    assertEquals("ключ-🔑", server.takeRequest().getHeaders().get("Last-Event-ID"));
  }

  @Test
  void startsFromAGivenLastEventId() throws Exception {
    open().send("data: x\n\n");
    started(builder().lastEventId("41"));
    assertEquals("41", server.takeRequest().getHeaders().get("Last-Event-ID"));
    recording.await("event", 1);
    assertEquals("41", ((ServerSentEvent) recording.values("event").get(0)).id());
  }

  @Test
  void serverRetryIsTheMinimumWait() throws Exception {
    enqueueStream("retry: 300\n\n");
    open().send("data: x\n\n");
    started(builder());
    recording.await("event", 1);
    SseException ended = recording.errors().get(0);
    assertEquals(Reason.STREAM_ENDED, ended.reason());
    assertEquals(Duration.ofMillis(300), ended.retryIn(), "retry 300 beats the 10 ms backoff");
  }

  @Test
  void jitterOnlyAddsToTheServerRetry() throws Exception {
    enqueueStream("retry: 200\n\n");
    open().send("data: x\n\n");
    started(builder().reconnectPolicy(QUICK.withJitter(0.5)));
    recording.await("event", 1);
    Duration wait = recording.errors().get(0).retryIn();
    assertTrue(wait.toMillis() >= 200 && wait.toMillis() <= 300, "200 ms plus up to 50%: " + wait);
  }

  @Test
  void backoffGrowsThenResetsAfterAHealthyConnection() throws Exception {
    enqueueStatus(500);
    enqueueStatus(502);
    enqueueStatus(503);
    OpenBody healthy = open();
    enqueueStatus(500);
    open();
    started(builder().reconnectPolicy(QUICK.withResetAfter(Duration.ofMillis(100))));
    recording.await("open", 1);
    long openedAt = System.nanoTime();
    healthy.send("data: up\n\n");
    recording.await("event", 1);
    Await.elapsed(openedAt, Duration.ofMillis(150));
    healthy.end();
    recording.await("open", 2);
    List<Duration> waits = recording.errors().stream().map(SseException::retryIn).toList();
    assertEquals(List.of(10L, 20L, 40L, 10L, 20L), waits.stream().map(Duration::toMillis).toList(),
        "doubling, then back to the start after the healthy connection");
    assertEquals(List.of(500, 502, 503, -1, 500), recording.errors().stream().map(SseException::statusCode).toList());
  }

  @Test
  void status204StopsForGood() throws Exception {
    enqueueStatus(204);
    SseClient client = started(builder());
    recording.awaitClosed();
    assertEquals(List.of(), recording.errors());
    assertEquals(1, server.getRequestCount());
    assertTrue(client.isClosed());
  }

  @Test
  void clientErrorStatusFailsWithTheStatus() throws Exception {
    enqueueStatus(404);
    started(builder());
    recording.awaitClosed();
    SseException error = recording.errors().get(0);
    assertEquals(Reason.HTTP_STATUS, error.reason());
    assertEquals(404, error.statusCode());
    assertTrue(error.isFatal());
    assertNull(error.retryIn());
    assertTrue(error.getMessage().startsWith("HTTP 404 Client Error from http://"), error.getMessage());
    assertEquals(1, server.getRequestCount());
    assertEquals(List.of("state:CONNECTING", "state:CLOSED(HTTP_STATUS)", "error", "closed"), recording.kinds());
  }

  @Test
  void serverErrorsTimeoutsAndThrottlingAreRetriedHonouringRetryAfter() throws Exception {
    enqueueStatus(503, "Retry-After: 1");
    enqueueStatus(408); // OkHttp itself retries a first 408 once, so the client sees the second
    enqueueStatus(408);
    enqueueStatus(429, "Retry-After: 0");
    open().send("data: finally\n\n");
    started(builder());
    recording.await("event", 1);
    assertEquals(List.of(503, 408, 429), recording.errors().stream().map(SseException::statusCode).toList());
    assertEquals(List.of(1000L, 20L, 40L), recording.errors().stream().map(e -> e.retryIn().toMillis()).toList());
  }

  @Test
  void wrongContentTypeFails() throws Exception {
    server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/html").body("<html>").build());
    started(builder());
    recording.awaitClosed();
    SseException error = recording.errors().get(0);
    assertEquals(Reason.CONTENT_TYPE, error.reason());
    assertTrue(error.isFatal());
    assertTrue(error.getMessage().contains("but got text/html"), error.getMessage());
  }

  @Test
  void silentConnectionIsDeadAfterTheReadTimeoutAndIsReplaced() throws Exception {
    open().send("id: 5\ndata: then silence\n\n");
    open().send("data: fresh\n\n");
    started(builder().readTimeout(Duration.ofMillis(200)));
    recording.await("event", 2);
    SseException timeout = recording.errors().get(0);
    assertEquals(Reason.READ_TIMEOUT, timeout.reason());
    assertFalse(timeout.isFatal());
    server.takeRequest();
    assertEquals("5", server.takeRequest().getHeaders().get("Last-Event-ID"));
  }

  @Test
  void callTimeoutOfASharedClientDoesNotCutAHealthyStream() throws Exception {
    OkHttpClient shared = new OkHttpClient.Builder()
        .callTimeout(Duration.ofMillis(100))
        .addInterceptor(chain -> chain.proceed(chain.request().newBuilder().header("X-Shared", "yes").build()))
        .build();
    OpenBody body = open();
    started(builder().okHttpClient(shared));
    body.send("data: 1\n\n");
    recording.await("event", 1);
    Await.elapsed(System.nanoTime(), Duration.ofMillis(300));
    body.send("data: 2\n\n");
    recording.await("event", 2);
    assertEquals(List.of(), recording.errors());
    assertEquals("yes", server.takeRequest().getHeaders().get("X-Shared"));
  }

  @Test
  void closingAClientLeavesTheUsersOkHttpClientWorking() throws Exception {
    OkHttpClient shared = new OkHttpClient();
    OpenBody body = open();
    SseClient client = started(builder().okHttpClient(shared));
    body.send("data: 1\n\n");
    recording.await("event", 1);
    client.close();
    assertFalse(shared.dispatcher().executorService().isShutdown(), "the user's dispatcher is theirs to shut down");
    server.enqueue(new MockResponse.Builder().body("still here").build());
    try (okhttp3.Response response = shared.newCall(new okhttp3.Request.Builder().url(server.url("/other")).build()).execute()) {
      assertEquals("still here", response.body().string());
    }
    shared.dispatcher().executorService().shutdown();
    shared.connectionPool().evictAll();
  }

  @Test
  void handlerExceptionIsReportedAndTheStreamGoesOn() throws Exception {
    open().send("id: 1\nevent: t\ndata: boom\n\nid: 2\nevent: t\ndata: fine\n\n");
    List<String> handled = new ArrayList<>();
    RuntimeException boom = new IllegalStateException("handler bug");
    started(builder().on("t", String.class, s -> {
      if (s.equals("boom")) throw boom;
      handled.add(s);
    }));
    recording.await(() -> "handled", r -> handled.size() == 1);
    SseException error = recording.errors().get(0);
    assertEquals(Reason.HANDLER, error.reason());
    assertSame(boom, error.getCause());
    assertEquals("1", error.event().id());
    assertFalse(error.isFatal());
    assertEquals(List.of("fine"), handled);
  }

  @Test
  void listenerThatThrowsEvenAnErrorStopsNoCallbackAfterIt() throws Exception {
    open().send("event: heartbeat\ndata: not a time\n\ndata: 1\n\ndata: 2\n\n");
    SseClient client = started(builder()
        .on("heartbeat", Heartbeat.class, hb -> {})
        .listener(new SseClient.Listener() {
          @Override
          public void onOpen(okhttp3.Response response) {
            recording.onOpen(response);
            throw new AssertionError("listener bug in onOpen");
          }

          @Override
          public void onError(SseException error) {
            recording.onError(error);
            throw new AssertionError("listener bug in onError");
          }

          @Override
          public void onClosed() {
            recording.onClosed();
          }
        }));
    recording.await("event", 2);
    assertEquals(List.of(200), recording.values("open"));
    assertEquals(Reason.PAYLOAD, recording.errors().get(0).reason());
    long started = System.nanoTime();
    client.close();
    assertTrue(Duration.ofNanos(System.nanoTime() - started).toMillis() < 5000, "close is not held up");
    assertTrue(recording.closed());
    assertEquals(0, Await.threads("ssekit-client-"));
  }

  @Test
  void closeInterruptsAStuckHandlerAfterItsDeadlineAndStillEndsWithOnClosed() throws Exception {
    open().send("data: stuck\n\ndata: dropped\n\n");
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean interrupted = new java.util.concurrent.atomic.AtomicBoolean();
    SseClient client = started(builder().onEvent(e -> {
      running.countDown();
      try {
        never.await();
      } catch (InterruptedException stop) {
        interrupted.set(true);
      }
    }));
    running.await();
    long started = System.nanoTime();
    client.close();
    long tookMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();
    assertTrue(tookMillis < 8000, "one deadline for all of close(), took " + tookMillis + " ms");
    Await.until("the callback thread to end", () -> Await.threads("ssekit-client-") == 0);
    assertTrue(interrupted.get(), "the stuck handler was interrupted");
    assertEquals(List.of("state:CONNECTING", "state:OPEN", "open", "state:CLOSED", "closed"), recording.kinds(),
        "onClosed came last, and the queued event was dropped");
  }

  @Test
  void aShutDownCallbackExecutorStopsTheClientWithAFatalErrorAndOnClosed() throws Exception {
    ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
    closeLater(executor::shutdownNow);
    OpenBody body = open().send("data: 1\n\n");
    SseClient client = started(builder().callbackExecutor(executor));
    recording.await("event", 1);
    // Until the callbacks so far have drained, the next event would still run in the same task.
    Await.until("the executor to be idle", () -> executor.getActiveCount() == 0);
    executor.shutdown();
    body.send("data: 2\n\n");
    recording.awaitClosed();
    assertTrue(client.isClosed());
    SseException fatal = recording.errors().get(0);
    assertTrue(fatal.isFatal());
    assertTrue(fatal.getCause() instanceof java.util.concurrent.RejectedExecutionException, String.valueOf(fatal.getCause()));
    assertEquals(ServerSentEvent.message("2"), recording.values("event").get(1), "what was read is still handled");
  }

  @Test
  void bytesThatAreNotUtf8AreReportedOncePerConnectionAndReplaced() throws Exception {
    byte[] bad = {(byte) 0xFF};
    okio.Buffer stream = new okio.Buffer().writeUtf8("id: 1\ndata: a").write(bad).writeUtf8("\n\ndata: b").write(bad)
        .writeUtf8("\n\ndata: ok \uFFFD\n\n");
    server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream").body(stream).build());
    started(builder().reconnectPolicy(ReconnectPolicy.NEVER));
    recording.awaitClosed();
    assertEquals(List.of(ServerSentEvent.of("message", "a\uFFFD", "1"), ServerSentEvent.of("message", "b\uFFFD", "1"),
        ServerSentEvent.of("message", "ok \uFFFD", "1")), recording.values("event"));
    List<SseException> errors = recording.errors();
    assertEquals(1, errors.size(), "once per connection: " + errors);
    assertEquals(Reason.PROTOCOL, errors.get(0).reason());
    assertFalse(errors.get(0).isFatal());
    assertTrue(errors.get(0).getMessage().contains("not UTF-8"), errors.get(0).getMessage());
  }

  @Test
  void undecodablePayloadIsReportedWithTheEventAndTheStreamGoesOn() throws Exception {
    open().send("id: 1\nevent: heartbeat\ndata: yesterday\n\nid: 2\nevent: heartbeat\ndata: 5\n\n");
    List<Heartbeat> beats = new ArrayList<>();
    started(builder().on("heartbeat", Heartbeat.class, beats::add));
    recording.await(() -> "a heartbeat", r -> beats.size() == 1);
    SseException error = recording.errors().get(0);
    assertEquals(Reason.PAYLOAD, error.reason());
    assertTrue(error.getMessage().startsWith("cannot decode 'heartbeat' event (id 1) as Heartbeat"), error.getMessage());
    assertEquals(List.of(Heartbeat.ofEpochMilli(5)), beats);
  }

  @Test
  void oversizedLineIsReportedAndTheStreamGoesOn() throws Exception {
    open().send("id: 1\ndata: " + "x".repeat(5000) + "\n\nid: 2\ndata: ok\n\n");
    started(builder().maxLineLength(1024));
    recording.await("event", 1);
    assertEquals(Reason.PROTOCOL, recording.errors().get(0).reason());
    assertEquals(List.of(ServerSentEvent.of("message", "ok", "2")), recording.values("event"));
  }

  @Test
  void lostEventsSignalReachesTheListener() throws Exception {
    open().send("event: ssekit-lost\ndata: {\"lastEventId\":\"3\",\"firstAvailableId\":\"9\"}\n\nid: 9\ndata: x\n\n");
    started(builder().lastEventId("3"));
    recording.await("event", 1);
    assertEquals(List.of(new EventsLost("3", "9")), recording.values("lost"));
  }

  @Test
  void callbacksRunOneAtATimeInOrderOffTheReaderThread() throws Exception {
    StringBuilder stream = new StringBuilder();
    for (int i = 1; i <= 500; i++) stream.append("id: ").append(i).append("\ndata: ").append(i).append("\n\n");
    open().send(stream.toString());
    started(builder());
    recording.await("event", 500);
    List<Recording.Call> events = recording.calls().stream().filter(c -> c.kind().equals("event")).toList();
    for (int i = 0; i < 500; i++) assertEquals(Integer.toString(i + 1), ((ServerSentEvent) events.get(i).value()).data());
    assertTrue(events.stream().allMatch(c -> c.thread().startsWith("ssekit-client-callbacks-")), events.get(0).thread());
  }

  @Test
  void callbacksCanRunOnTheCallersExecutor() throws Exception {
    ExecutorService executor = Executors.newFixedThreadPool(4, r -> new Thread(r, "caller-pool"));
    closeLater(executor::shutdownNow);
    StringBuilder stream = new StringBuilder();
    for (int i = 1; i <= 200; i++) stream.append("data: ").append(i).append("\n\n");
    open().send(stream.toString());
    started(builder().callbackExecutor(executor));
    recording.await("event", 200);
    List<Recording.Call> events = recording.calls().stream().filter(c -> c.kind().equals("event")).toList();
    for (int i = 0; i < 200; i++) assertEquals(Integer.toString(i + 1), ((ServerSentEvent) events.get(i).value()).data());
    assertTrue(events.stream().allMatch(c -> c.thread().equals("caller-pool")));
  }

  @Test
  void slowHandlerWithATinyBufferLosesNothing() throws Exception {
    StringBuilder stream = new StringBuilder();
    for (int i = 1; i <= 300; i++) stream.append("id: ").append(i).append("\ndata: ").append(i).append("\n\n");
    open().send(stream.toString());
    CountDownLatch release = new CountDownLatch(1);
    started(builder().bufferCapacity(2).onEvent(e -> {
      try {
        release.await();
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
      recording.event(e);
    }));
    recording.await("open", 1);
    release.countDown();
    recording.await("event", 300);
    List<Object> events = recording.values("event");
    for (int i = 0; i < 300; i++) assertEquals(Integer.toString(i + 1), ((ServerSentEvent) events.get(i)).id());
  }

  @Test
  void givesUpAfterTheAllowedAttempts() throws Exception {
    for (int i = 0; i < 3; i++) enqueueStatus(500);
    started(builder().reconnectPolicy(QUICK.withMaxAttempts(2)));
    recording.awaitClosed();
    SseException last = recording.errors().get(recording.errors().size() - 1);
    assertEquals(Reason.RETRIES_EXHAUSTED, last.reason());
    assertTrue(last.isFatal());
    assertEquals(3, server.getRequestCount());
  }

  @Test
  void attemptsThatNeverOpenCountEvenWhenAnyHealthyStreamResetsTheBackoff() throws Exception {
    // resetAfter zero resets the count after every stream that opened, not after every attempt.
    for (int i = 0; i < 3; i++) enqueueStatus(500);
    started(builder().reconnectPolicy(QUICK.withMaxAttempts(2).withResetAfter(Duration.ZERO)));
    recording.awaitClosed();
    SseException last = recording.errors().get(recording.errors().size() - 1);
    assertEquals(Reason.RETRIES_EXHAUSTED, last.reason());
    assertEquals(List.of(Duration.ofMillis(10), Duration.ofMillis(20)),
        recording.errors().subList(0, 2).stream().map(SseException::retryIn).toList(), "the backoff grows");
    assertEquals(3, server.getRequestCount());
  }

  @Test
  void neverReconnectingEndsQuietlyWhenTheStreamEnds() throws Exception {
    enqueueStream("data: only\n\n");
    started(builder().reconnectPolicy(ReconnectPolicy.NEVER));
    recording.awaitClosed();
    assertEquals(List.of(), recording.errors());
    assertEquals(1, recording.values("event").size());
  }

  @Test
  void neverReconnectingReportsANetworkFailureAsFatal() throws Exception {
    server.close(); // nothing listens
    started(builder().reconnectPolicy(ReconnectPolicy.NEVER));
    recording.awaitClosed();
    assertEquals(Reason.NETWORK, recording.errors().get(0).reason());
    assertTrue(recording.errors().get(0).isFatal());
  }

  @Test
  void closeFromInsideACallbackStopsEverything() throws Exception {
    open().send("data: 1\n\ndata: 2\n\ndata: 3\n\n");
    SseClient[] self = new SseClient[1];
    self[0] = started(builder().onEvent(e -> {
      recording.event(e);
      self[0].close();
    }));
    recording.awaitClosed();
    assertEquals(1, recording.values("event").size(), "no event after close");
    assertEquals("closed", recording.calls().get(recording.calls().size() - 1).kind());
    Await.until("client threads to end", () -> Await.threads("ssekit-client-") == 0);
  }

  @Test
  void closeStopsPromptlyMidStreamAndLeavesNoThreads() throws Exception {
    OpenBody body = open();
    SseClient client = started(builder());
    body.send("data: 1\n\n");
    recording.await("event", 1);
    long started = System.nanoTime();
    client.close();
    assertTrue(Duration.ofNanos(System.nanoTime() - started).toMillis() < 5000, "close is bounded");
    assertTrue(recording.closed(), "onClosed ran before close returned");
    assertEquals(0, Await.threads("ssekit-client-"), "no client thread left");
    int callbacks = recording.calls().size();
    body.send("data: 2\n\n");
    client.close(); // idempotent
    assertEquals(callbacks, recording.calls().size(), "nothing fires after close");
  }

  @Test
  void closeDuringABackoffWaitIsImmediate() throws Exception {
    enqueueStatus(503, "Retry-After: 3600");
    SseClient client = started(builder());
    recording.await("error", 1);
    long started = System.nanoTime();
    client.close();
    assertTrue(Duration.ofNanos(System.nanoTime() - started).toMillis() < 5000);
    assertEquals(0, Await.threads("ssekit-client-"));
  }

  @Test
  void closeWithoutStartRunsOnClosedAndStartAfterCloseDoesNothing() throws Exception {
    SseClient client = builder().build();
    client.close();
    assertTrue(recording.closed());
    client.start();
    assertEquals(0, server.getRequestCount());
    assertEquals(0, Await.threads("ssekit-client-"));
  }

  @Test
  void pullStreamIteratesTypedEvents() throws Exception {
    OpenBody body = open();
    try (SseEventStream<Heartbeat> beats = SseClient.builder().url(server.url("/sse")).reconnectPolicy(QUICK)
        .stream("heartbeat", Heartbeat.class)) {
      body.send("event: heartbeat\ndata: 1\n\nevent: other\ndata: x\n\nevent: heartbeat\ndata: 2\n\n");
      assertEquals(Heartbeat.ofEpochMilli(1), beats.next());
      assertTrue(beats.hasNext());
      assertEquals(Instant.ofEpochMilli(2), beats.next().time());
      assertNull(beats.poll(Duration.ofMillis(50)));
      body.send("event: heartbeat\ndata: 3\n\n");
      assertEquals(Heartbeat.ofEpochMilli(3), beats.poll(Duration.ofSeconds(20)));
      beats.close();
      assertFalse(beats.hasNext());
      assertThrows(NoSuchElementException.class, beats::next);
    }
    Await.until("client threads to end", () -> Await.threads("ssekit-client-") == 0);
  }

  @Test
  void pullStreamWithATinyBufferLosesNothing() throws Exception {
    StringBuilder stream = new StringBuilder();
    for (int i = 1; i <= 300; i++) stream.append("id: ").append(i).append("\nevent: heartbeat\ndata: ").append(i).append("\n\n");
    OpenBody body = open();
    body.send(stream.toString());
    try (SseEventStream<Heartbeat> beats = SseClient.builder().url(server.url("/sse")).reconnectPolicy(QUICK)
        .bufferCapacity(2).stream("heartbeat", Heartbeat.class)) {
      List<Long> got = new ArrayList<>();
      // 300 events arrive at once and only 2 fit: the reader waits on the loop again and again.
      while (got.size() < 300) got.add(beats.next().epochMillis());
      assertEquals(java.util.stream.LongStream.rangeClosed(1, 300).boxed().toList(), got);
    }
  }

  @Test
  void pullStreamEndsWithTheErrorThatStoppedTheClient() throws Exception {
    enqueueStream("event: heartbeat\ndata: 1\n\n");
    enqueueStatus(401);
    SseEventStream<Heartbeat> beats = SseClient.builder().url(server.url("/sse")).reconnectPolicy(QUICK)
        .stream("heartbeat", Heartbeat.class);
    closeLater(beats);
    List<Heartbeat> got = new ArrayList<>();
    SseException error = assertThrows(SseException.class, () -> beats.forEachRemaining(got::add));
    assertEquals(List.of(Heartbeat.ofEpochMilli(1)), got);
    assertEquals(401, error.statusCode());
  }

  @Test
  void builderRejectsBadSettings() {
    assertThrows(IllegalArgumentException.class, () -> SseClient.builder().url("not a url"));
    assertThrows(IllegalArgumentException.class, () -> SseClient.builder().readTimeout(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> SseClient.builder().readTimeout(Duration.ofNanos(999_999)),
        "OkHttp would read less than 1 ms as no timeout at all");
    assertThrows(IllegalArgumentException.class, () -> SseClient.builder().readTimeout(Duration.ofDays(25)));
    assertThrows(IllegalArgumentException.class, () -> SseClient.builder().bufferCapacity(0));
    assertThrows(IllegalArgumentException.class, () -> SseClient.builder().maxLineLength(0));
    assertThrows(NullPointerException.class, () -> SseClient.builder().build(), "a URL is required");
  }
}
