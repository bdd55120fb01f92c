package dev.ssekit.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.ssekit.protocol.ServerSentEvent;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A builder is read when a client is made and never changes under it: no traps. */
class BuilderTest extends ClientTestBase {
  @Test
  void streamLeavesTheBuilderAsItWas() throws Exception {
    OpenBody first = open();
    OpenBody second = open();
    AtomicInteger closes = new AtomicInteger();
    SseClient.Builder builder = SseClient.builder().url(server.url("/sse")).reconnectPolicy(QUICK)
        .listener(new SseClient.Listener() {
          @Override
          public void onClosed() {
            closes.incrementAndGet();
          }
        });
    SseEventStream<String> a = closeLater(builder.stream("a", String.class));
    server.takeRequest(); // a has the first response
    SseEventStream<String> b = closeLater(builder.stream("b", String.class));
    first.send("event: b\ndata: not for a\n\nevent: a\ndata: for a\n\n");
    second.send("event: a\ndata: not for b\n\nevent: b\ndata: for b\n\n");
    assertEquals("for a", a.next());
    assertEquals("for b", b.next());
    a.close();
    assertEquals(1, closes.get(), "the listener of one stream's client is not wrapped into the other's");
    second.send("event: a\ndata: not for b\n\nevent: b\ndata: still open\n\n");
    assertEquals("still open", b.next(), "closing one stream leaves the other open");
    b.close();
    assertEquals(2, closes.get());
  }

  @Test
  void oneBuilderMakesIndependentClientsAndLaterChangesReachNone() throws Exception {
    open().send("data: 1\n\n");
    open().send("data: 2\n\n");
    Recording other = new Recording();
    SseClient.Builder builder = builder();
    SseClient one = started(builder);
    recording.await("event", 1);
    builder.listener(other).onEvent(other::event).header("X-Late", "yes");
    SseClient two = started(builder);
    other.await("event", 1);
    assertEquals(List.of(ServerSentEvent.message("1")), recording.values("event"), "the first client kept its settings");
    assertEquals(List.of(ServerSentEvent.message("2")), other.values("event"));
    assertEquals(null, server.takeRequest().getHeaders().get("X-Late"));
    assertEquals("yes", server.takeRequest().getHeaders().get("X-Late"));
    one.close();
    assertFalse(two.isClosed(), "closing one closes only that one");
  }
}
