package dev.ssekit.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ssekit.client.SseClient.State;
import dev.ssekit.protocol.ServerSentEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/** The state machine: readable state, each change announced in order with its cause, restart distinct from close. */
class LifecycleTest extends ClientTestBase {
  @Test
  void statesFollowTheConnectionAcrossACutInOrderWithTheOtherCallbacks() throws Exception {
    OpenBody first = open();
    OpenBody second = open();
    SseClient client = builder().build();
    closeLater(client);
    assertEquals(State.NEW, client.state());
    client.start();
    first.send("id: 1\ndata: a\n\n");
    recording.await("event", 1);
    assertEquals(State.OPEN, client.state());
    first.end(); // the server cuts the stream
    recording.await("open", 2);
    second.send("id: 2\ndata: b\n\n");
    recording.await("event", 2);
    client.close();
    assertEquals(State.CLOSED, client.state());
    assertEquals(List.of("state:CONNECTING", "state:OPEN", "open", "event",
        "state:CONNECTING(STREAM_ENDED)", "error", "state:OPEN", "open", "event", "state:CLOSED", "closed"), recording.kinds());
    SseException cut = recording.states().get(2).cause();
    assertSame(recording.errors().get(0), cut, "the reason for the reconnection is the error reported next");
    assertEquals(Duration.ofMillis(10), cut.retryIn());
  }

  @Test
  void failedAttemptsWhileConnectingChangeNoState() throws Exception {
    enqueueStatus(503);
    enqueueStatus(502);
    open().send("data: up\n\n");
    started(builder());
    recording.await("event", 1);
    assertEquals(List.of("state:CONNECTING", "error", "error", "state:OPEN", "open", "event"), recording.kinds());
  }

  @Test
  void restartDropsTheConnectionAndResumesAtOnceWithTheLastEventId() throws Exception {
    OpenBody first = open();
    open().send("data: after\n\n");
    SseClient client = started(builder().reconnectPolicy(QUICK.withDelays(Duration.ofHours(1), Duration.ofHours(1))));
    first.send("id: 5\ndata: before\n\n");
    recording.await("event", 1);
    client.restart();
    recording.await("event", 2);
    server.takeRequest();
    assertEquals("5", server.takeRequest().getHeaders().get("Last-Event-ID"));
    assertEquals(List.of("state:CONNECTING", "state:OPEN", "open", "event", "state:CONNECTING", "state:OPEN", "open", "event"),
        recording.kinds(), "no error, no backoff wait (an hour here): a restart is asked for");
  }

  @Test
  void restartCutsABackoffWaitShort() throws Exception {
    enqueueStatus(503, "Retry-After: 3600");
    open().send("data: now\n\n");
    SseClient client = started(builder());
    recording.await("error", 1);
    assertEquals(State.CONNECTING, client.state());
    client.restart();
    recording.await("event", 1);
    assertEquals(2, server.getRequestCount());
  }

  @Test
  void restartBeforeStartOrAfterCloseDoesNothing() throws Exception {
    SseClient client = builder().build();
    client.restart();
    assertEquals(State.NEW, client.state());
    client.close();
    client.restart();
    client.start();
    assertEquals(State.CLOSED, client.state());
    assertEquals(0, server.getRequestCount());
    assertEquals(List.of("state:CLOSED", "closed"), recording.kinds());
  }

  @Test
  void restartFromACallbackWorks() throws Exception {
    open().send("id: 1\ndata: a\n\n");
    open().send("id: 2\ndata: b\n\n");
    SseClient[] self = new SseClient[1];
    self[0] = started(builder().onEvent(e -> {
      recording.event(e);
      if (e.id().equals("1")) self[0].restart();
    }));
    recording.await("event", 2);
    assertEquals(ServerSentEvent.of("message", "b", "2"), recording.values("event").get(1));
    assertEquals(List.of(), recording.errors());
  }

  @Test
  void aServerThatSaysStopClosesWithoutACause() throws Exception {
    enqueueStream("id: 1\ndata: a\n\n");
    enqueueStatus(204);
    started(builder());
    recording.awaitClosed();
    assertEquals(List.of("state:CONNECTING", "state:OPEN", "open", "event", "state:CONNECTING(STREAM_ENDED)", "error",
        "state:CLOSED", "closed"), recording.kinds());
  }

  @Test
  void onOpenGetsTheResponseWithoutItsBody() throws Exception {
    open().send("data: x\n\n");
    AtomicReference<Response> opened = new AtomicReference<>();
    started(builder().listener(new SseClient.Listener() {
      @Override
      public void onOpen(Response response) {
        opened.set(response);
        recording.onOpen(response);
      }
    }));
    recording.await("event", 1);
    Response response = opened.get();
    assertEquals(200, response.code());
    assertEquals("text/event-stream; charset=utf-8", response.header("Content-Type"));
    assertEquals("text/event-stream; charset=utf-8", String.valueOf(response.body().contentType()));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> response.body().string());
    assertTrue(e.getMessage().contains("onOpen gets the response without it"), e.getMessage());
    response.close(); // harmless
    assertEquals(List.of(ServerSentEvent.message("x")), recording.values("event"), "the reader still has the body");
  }
}
