package dev.ssekit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ssekit.client.ReconnectPolicy;
import dev.ssekit.client.SseClient;
import dev.ssekit.protocol.Heartbeat;
import dev.ssekit.protocol.PayloadMapper;
import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.server.EventId;
import dev.ssekit.server.Publication;
import dev.ssekit.server.app.SseServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the server sends is what the ssekit client and an independent parser (okhttp-sse) receive. */
class StreamContractTest {
  record Address(String street, String city, List<String> lines) {}

  record Order(long id, String customer, Address shipTo, Map<String, Integer> items, String note) {}

  private static final PayloadMapper PAYLOADS = PayloadMapper.builder().register("order", Order.class).build();

  private final Resources resources = new Resources();

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  private SseServer server(Duration heartbeat) {
    return resources.server(c -> c.heartbeatInterval = heartbeat);
  }

  private String url(SseServer server) {
    // The jar subscribes a client that names no topic to its heartbeats only; these tests publish to the default topic too.
    return "http://127.0.0.1:" + server.port() + "/sse?topic=" + SseServer.HEARTBEAT_TOPIC + "&topic=" + Publication.DEFAULT_TOPIC;
  }

  @Test
  void clientReceivesTypedHeartbeatsWithIncreasingIdsAboutOncePerInterval() throws Exception {
    SseServer server = server(Duration.ofMillis(100));
    List<Heartbeat> beats = Collections.synchronizedList(new ArrayList<>());
    List<Long> arrivals = Collections.synchronizedList(new ArrayList<>());
    Received received = new Received();
    SseClient client = SseClient.builder().url(url(server)).listener(received)
        .on("heartbeat", Heartbeat.class, beat -> {
          arrivals.add(System.nanoTime());
          beats.add(beat);
        })
        .onEvent(received::event)
        .build();
    resources.add(client);
    // A second subscriber sees the raw events, ids included, to tie each typed value to its id.
    Received raw = new Received();
    resources.add(SseClient.builder().url(url(server)).listener(raw).onEvent(raw::event).build()).start();
    client.start();
    Await.until(() -> "21 heartbeats, got " + beats.size(), () -> beats.size() >= 21);
    List<Heartbeat> typed = List.copyOf(beats).subList(0, 21);
    Await.until(() -> "the raw subscriber to have the same heartbeats", () -> raw.events().stream()
        .anyMatch(e -> e.data().equals(Long.toString(typed.get(20).epochMillis()))));

    Map<String, Long> idByData = new HashMap<>();
    for (ServerSentEvent e : raw.events()) idByData.put(e.data(), EventId.parse(e.id()).offset());
    List<Long> ids = typed.stream().map(beat -> idByData.get(Long.toString(beat.epochMillis()))).toList();
    for (int i = 1; i < ids.size(); i++) assertEquals(ids.get(i - 1) + 1, ids.get(i), "consecutive ids: " + ids);

    // Medians, so that one late beat on a busy machine does not decide; 2x or 0.5x the rate would.
    List<Long> sent = new ArrayList<>();
    List<Long> heard = new ArrayList<>();
    for (int i = 1; i < 21; i++) {
      sent.add(typed.get(i).epochMillis() - typed.get(i - 1).epochMillis());
      heard.add(TimeUnit.NANOSECONDS.toMillis(arrivals.get(i) - arrivals.get(i - 1)));
    }
    long sentMedian = median(sent);
    long heardMedian = median(heard);
    assertTrue(sentMedian >= 70 && sentMedian <= 130, "published every ~100 ms: median gap " + sentMedian + " ms of " + sent);
    assertTrue(heardMedian >= 50 && heardMedian <= 150, "received every ~100 ms: median gap " + heardMedian + " ms of " + heard);
    assertEquals(List.of(), received.events(), "heartbeats go to the typed handler only");
    assertEquals(List.of(), received.errors());
  }

  private static long median(List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }

  @Test
  void typedCustomEventsArriveEqualToWhatWasPublished() throws Exception {
    SseServer server = server(Duration.ZERO);
    List<Order> received = Collections.synchronizedList(new ArrayList<>());
    Received other = new Received();
    SseClient client = SseClient.builder().url(url(server)).payloads(PAYLOADS).listener(other)
        .on("order", Order.class, received::add)
        .onEvent(other::event)
        .build().start();
    resources.add(client);
    Await.until("client connected", () -> server.hub().stats().clients() == 1);

    List<Order> sent = List.of(
        new Order(1, "Zoë Ångström", new Address("Rue de l'Église 1", "Genève", List.of("c/o 🏠", "2e étage")),
            Map.of("thé vert 🍵", 2, "croissant", 3), "plain"),
        new Order(2, "山田太郎", new Address("1-2-3 日本橋", "東京", List.of()), Map.of(), "line one\nline two\r\nline three"),
        new Order(3, "", new Address("", "", List.of("")), Map.of("x", -1), "  leading and trailing spaces  "),
        new Order(4, "data: id: event: retry:", new Address(":", "\n\n", List.of("\r")), Map.of(), "ends with newline\n"));
    sent.forEach(order -> server.hub().publish("order", order));
    String noteId = server.hub().publish("note", "two\nlines").toString();
    Await.until(() -> "all events, got " + received.size() + " orders", () -> received.size() == 4 && other.count() == 1);
    assertEquals(sent, received);
    assertEquals(ServerSentEvent.of("note", "two\nlines", noteId), other.events().get(0));
    assertEquals(5, EventId.parse(noteId).offset());
    assertEquals(List.of(), other.errors());
  }

  @Test
  void okhttpSseParsesTheSameStreamAsTheSsekitClient() throws Exception {
    SseServer server = server(Duration.ZERO);
    List<ServerSentEvent> byOkHttp = Collections.synchronizedList(new ArrayList<>());
    OkHttpClient http = new OkHttpClient.Builder().readTimeout(0, TimeUnit.SECONDS).build();
    resources.add(() -> {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    });
    EventSource okhttp = EventSources.createFactory(http).newEventSource(
        new Request.Builder().url(url(server)).build(), new EventSourceListener() {
          @Override
          public void onEvent(EventSource source, String id, String type, String data) {
            byOkHttp.add(ServerSentEvent.of(type == null ? "message" : type, data, id));
          }

          @Override
          public void onOpen(EventSource source, Response response) {}
        });
    resources.add(okhttp::cancel);
    Received bySsekit = new Received();
    SseClient client = SseClient.builder().url(url(server)).listener(bySsekit).onEvent(bySsekit::event)
        .reconnectPolicy(ReconnectPolicy.NEVER).build().start();
    resources.add(client);
    Await.until("both connected", () -> server.hub().stats().clients() == 2);

    List<String> payloads = List.of("plain", "two\nlines", "crlf\r\nand cr\rtoo", "", "  spaced  ", "ünïcödé 🎉 世界",
        "{\"json\":[1,2,3]}", "colon: inside", "trailing newline\n");
    for (int i = 0; i < payloads.size(); i++) server.hub().publish(i % 2 == 0 ? "message" : "type-" + i, payloads.get(i));
    server.hub().publish("heartbeat", Heartbeat.ofEpochMilli(1764123456789L));
    int expected = payloads.size() + 1;
    Await.until(() -> "both parsers done: okhttp-sse " + byOkHttp.size() + ", ssekit " + bySsekit.count(),
        () -> byOkHttp.size() == expected && bySsekit.count() == expected);
    assertEquals(bySsekit.events(), List.copyOf(byOkHttp));
    assertEquals("crlf\nand cr\ntoo", bySsekit.events().get(2).data());
    assertEquals("1764123456789", bySsekit.events().get(expected - 1).data());
  }
}
