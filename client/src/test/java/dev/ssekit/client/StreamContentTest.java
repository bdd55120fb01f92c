package dev.ssekit.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ssekit.client.SseException.Reason;
import dev.ssekit.protocol.PayloadType;
import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.protocol.SseComment;
import dev.ssekit.protocol.TypedEvent;
import java.time.Duration;
import java.util.List;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.Test;

/** What a stream carries reaches the user: comments in order, typed values with their metadata, large events. */
class StreamContentTest extends ClientTestBase {
  record Order(long id, String item) {}

  private static final int MIB = 1 << 20;

  @Test
  void commentsArriveInStreamOrderWithTheEvents() throws Exception {
    open().send(": first\n\ndata: a\n\n: inside a block\ndata: b\n\n:\n\nid: 3\n: last\ndata: c\n\n");
    started(builder().onComment(c -> recording.add("comment", c.text())));
    recording.await("event", 3);
    List<String> stream = recording.calls().stream().filter(c -> c.kind().equals("comment") || c.kind().equals("event"))
        .map(c -> c.kind().equals("event") ? "event " + ((ServerSentEvent) c.value()).data() : "comment " + c.value()).toList();
    assertEquals(List.of("comment first", "event a", "comment inside a block", "event b", "comment ", "comment last",
        "event c"), stream);
  }

  @Test
  void withoutACommentHandlerCommentsAreNotEvenDecoded() throws Exception {
    okio.Buffer stream = new okio.Buffer().writeUtf8(": not UTF-8 ").writeByte(0xFF).writeUtf8("\ndata: ok\n\n");
    server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream").body(stream.copy()).build());
    started(builder().reconnectPolicy(ReconnectPolicy.NEVER));
    recording.awaitClosed();
    assertEquals(List.of(), recording.errors(), "the comment's bad byte was never looked at");

    server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream").body(stream).build());
    Recording listening = new Recording();
    closeLater(SseClient.builder().url(server.url("/sse")).reconnectPolicy(ReconnectPolicy.NEVER).listener(listening)
        .onComment(c -> listening.add("comment", c)).build()).start();
    listening.awaitClosed();
    assertEquals(List.of(new SseComment("not UTF-8 \uFFFD")), listening.values("comment"));
    assertEquals(Reason.PROTOCOL, listening.errors().get(0).reason(), "decoded, so checked");
  }

  @Test
  void aThrowingCommentHandlerIsReportedAndTheStreamGoesOn() throws Exception {
    open().send(": boom\n\ndata: after\n\n");
    started(builder().onComment(c -> {
      throw new IllegalStateException("bug");
    }));
    recording.await("event", 1);
    assertEquals(Reason.HANDLER, recording.errors().get(0).reason());
  }

  @Test
  void typedHandlersSeeIdTypeAndRetryBesideTheValue() throws Exception {
    open().send("retry: 500\nid: 7\nevent: order\ndata: {\"id\":1,\"item\":\"tea\"}\n\n"
        + "event: order\ndata: {\"id\":2,\"item\":\"cake\"}\n\n");
    started(builder().onEvent("order", Order.class, e -> recording.add("typed", e)));
    recording.await("typed", 2);
    List<TypedEvent<Order>> typed = recording.valuesAs("typed");
    assertEquals(new Order(1, "tea"), typed.get(0).data());
    assertEquals("7", typed.get(0).id());
    assertEquals("order", typed.get(0).type());
    assertEquals(Duration.ofMillis(500), typed.get(0).retry());
    assertEquals("7", typed.get(1).id(), "the last event id in effect");
    assertNull(typed.get(1).retry());
  }

  @Test
  void genericTypesDecodeThroughATypeReference() throws Exception {
    open().send("id: 4\nevent: batch\ndata: [{\"id\":1,\"item\":\"tea\"},{\"id\":2,\"item\":\"cake\"}]\n\n");
    started(builder().onEvent("batch", new PayloadType<List<Order>>() {}, e -> recording.add("typed", e)));
    recording.await("typed", 1);
    TypedEvent<List<Order>> batch = recording.<TypedEvent<List<Order>>>valuesAs("typed").get(0);
    assertEquals(List.of(new Order(1, "tea"), new Order(2, "cake")), batch.data());
    assertSame(Order.class, batch.data().get(0).getClass());
    assertEquals("4", batch.id());
  }

  @Test
  void dataThatDoesNotFitTheGenericTypeIsReportedWithItsEvent() throws Exception {
    open().send("id: 1\nevent: batch\ndata: {\"not\":\"a list\"}\n\nid: 2\nevent: batch\ndata: []\n\n");
    started(builder().onEvent("batch", new PayloadType<List<Order>>() {}, e -> recording.add("typed", e)));
    recording.await("typed", 1);
    SseException error = recording.errors().get(0);
    assertEquals(Reason.PAYLOAD, error.reason());
    assertEquals("1", error.event().id());
    assertEquals("2", recording.<TypedEvent<List<Order>>>valuesAs("typed").get(0).id());
  }

  @Test
  void thePullStreamGivesTypedEventsWithTheirMetadata() throws Exception {
    OpenBody body = open();
    try (SseEventStream<TypedEvent<List<Order>>> batches = builder().eventStream("batch", new PayloadType<List<Order>>() {})) {
      body.send("id: 1\nevent: batch\ndata: [{\"id\":1,\"item\":\"tea\"}]\n\nevent: other\ndata: x\n\n"
          + "id: 2\nevent: batch\ndata: []\n\n");
      TypedEvent<List<Order>> first = batches.next();
      assertEquals(List.of(new Order(1, "tea")), first.data());
      assertEquals("1", first.id());
      assertEquals(List.of(), batches.next().data());
    }
    Await.until("client threads to end", () -> Await.threads("ssekit-client-") == 0);
  }

  @Test
  void aSevenMebibyteOneLineEventDecodesAtTheDefaultsWhole() throws Exception {
    String data = big(7 * MIB);
    open().send("id: 1\nevent: put\ndata: " + data + "\n\nid: 2\ndata: small\n\n");
    started(builder());
    recording.await("event", 2);
    assertEquals(ServerSentEvent.of("put", data, "1"), recording.values("event").get(0));
    assertEquals(List.of(), recording.errors());
  }

  @Test
  void aSevenMebibyteOneLineEventDecodesAtTheDefaultsInTwoChunks() throws Exception {
    String data = big(7 * MIB);
    String frame = "id: 1\nevent: put\ndata: " + data + "\n\n";
    OpenBody body = open();
    started(builder());
    body.send(frame.substring(0, frame.length() / 2));
    recording.await("open", 1);
    body.send(frame.substring(frame.length() / 2));
    recording.await("event", 1);
    assertEquals(ServerSentEvent.of("put", data, "1"), recording.values("event").get(0));
    assertEquals(List.of(), recording.errors());
  }

  @Test
  void anEventOverTheDefaultLimitIsDroppedWithAClearErrorAndTheStreamGoesOn() throws Exception {
    String nine = big(9 * MIB);
    open().send("id: 1\ndata: " + nine + "\ndata: " + nine + "\n\nid: 2\ndata: next\n\n");
    started(builder());
    recording.await("event", 1);
    assertEquals(List.of(ServerSentEvent.of("message", "next", "2")), recording.values("event"));
    SseException error = recording.errors().get(0);
    assertEquals(Reason.PROTOCOL, error.reason());
    assertTrue(error.getMessage().contains("more data than " + SseClient.DEFAULT_MAX_EVENT_SIZE + " bytes"), error.getMessage());
    assertEquals(16 * MIB, SseClient.DEFAULT_MAX_EVENT_SIZE);
  }

  private static String big(int bytes) {
    StringBuilder s = new StringBuilder(bytes);
    for (int i = 0; i < bytes; i++) s.append((char) ('a' + i % 26));
    return s.toString();
  }
}
