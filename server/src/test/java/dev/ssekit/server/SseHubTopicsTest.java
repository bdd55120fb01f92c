package dev.ssekit.server;

import static dev.ssekit.server.SseHubTest.ids;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ssekit.protocol.EventsLost;
import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.protocol.SseDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Topics: each client receives its own topics' events only, live and in replay, under one id sequence. */
class SseHubTopicsTest {
  private final List<SseHub> hubs = new ArrayList<>();

  private SseHub hub(Consumer<SseHubConfig> config) {
    SseHub hub = SseHub.create(config);
    hubs.add(hub);
    return hub;
  }

  @AfterEach
  void close() {
    hubs.forEach(SseHub::close);
  }

  private static List<String> data(FakeSink sink) {
    return sink.events().stream().filter(e -> !e.type().equals(EventsLost.TYPE)).map(ServerSentEvent::data).toList();
  }

  @Test
  void aSubscriberGetsOnlyItsTopicsLiveAndInReplay() throws Exception {
    SseHub hub = hub(c -> {});
    String start = hub.stats().lastEventId().toString();
    FakeSink a = new FakeSink();
    FakeSink ab = new FakeSink();
    FakeSink none = new FakeSink();
    a.connect(hub, null, Subscription.to("a"));
    ab.connect(hub, null, Subscription.to("a", "b"));
    none.connect(hub, null, Subscription.to("nobody-publishes-here"));
    for (int i = 1; i <= 30; i++) hub.publish(List.of("a", "b", "c").get(i % 3), "n", "e" + i);
    ab.awaitEvents(20);
    a.awaitEvents(10);
    FakeSink replayed = new FakeSink();
    replayed.connect(hub, start, Subscription.to("b"));
    replayed.awaitEvents(10);

    assertEquals(List.of("e3", "e6", "e9", "e12", "e15", "e18", "e21", "e24", "e27", "e30"), data(a));
    assertEquals(20, data(ab).size());
    assertTrue(data(ab).stream().noneMatch(d -> Integer.parseInt(d.substring(1)) % 3 == 2), "nothing of topic c");
    assertEquals(List.of("e1", "e4", "e7", "e10", "e13", "e16", "e19", "e22", "e25", "e28"), data(replayed));
    assertEquals(List.of(), none.events());
    List<Long> offsets = ids(ab.events());
    assertEquals(offsets.stream().sorted().toList(), offsets, "one id sequence, in order");
  }

  @Test
  void oneIdResumesASubscriptionToSeveralTopicsExactlyAcrossACut() throws Exception {
    SseHub hub = hub(c -> {});
    FakeSink first = new FakeSink();
    first.connect(hub, null, Subscription.to("a", "b"));
    for (int i = 1; i <= 9; i++) hub.publish(List.of("a", "b", "c").get(i % 3), "n", "e" + i);
    first.awaitEvents(6);
    first.connection().failed(); // cut
    for (int i = 10; i <= 18; i++) hub.publish(List.of("a", "b", "c").get(i % 3), "n", "e" + i);
    FakeSink resumed = new FakeSink();
    resumed.connect(hub, first.events().get(5).id(), Subscription.to("a", "b"));
    hub.publish("a", "n", "e19");
    resumed.awaitEvents(7);
    assertEquals(List.of("e10", "e12", "e13", "e15", "e16", "e18", "e19"), data(resumed));
    assertEquals(List.of(), resumed.events().stream().filter(e -> e.type().equals(EventsLost.TYPE)).toList());
  }

  @Test
  void aClientOfAQuietTopicKeepsACurrentIdSoItNeverFallsOutOfTheHistory() throws Exception {
    SseHub hub = hub(c -> {
      c.history = 10;
      c.keepAliveInterval = Duration.ofMillis(30);
    });
    FakeSink quiet = new FakeSink();
    quiet.connect(hub, null, Subscription.to("quiet"));
    hub.publish("quiet", "n", "rare");
    quiet.awaitEvents(1);
    EventId newest = null;
    for (int i = 0; i < 100; i++) newest = hub.publish("busy", "n", "x");
    EventId last = newest;
    quiet.await("an id-only block with the position", () -> quiet.text().contains("id: " + last + "\n\n"));
    String resumeFrom = lastEventId(quiet.text());
    assertEquals(last.toString(), resumeFrom, "the client's last event id moved with the stream");

    FakeSink resumed = new FakeSink();
    resumed.connect(hub, resumeFrom, Subscription.to("quiet"));
    hub.publish("quiet", "n", "next");
    resumed.awaitEvents(1);
    assertEquals(List.of("next"), data(resumed), "resumed without a loss signal, though 100 events went by");
  }

  private static String lastEventId(String stream) {
    SseDecoder decoder = new SseDecoder(event -> {});
    byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
    decoder.feed(bytes, 0, bytes.length);
    return decoder.lastEventId();
  }

  @Test
  void theApplicationSeesItsClientsWithTheirAttributesAndCanCloseOne() throws Exception {
    SseHub hub = hub(c -> {});
    FakeSink alice = new FakeSink();
    FakeSink bob = new FakeSink();
    alice.connect(hub, null, Subscription.to("user:alice", "news").with("user", "alice"));
    bob.connect(hub, null, Subscription.to("user:bob", "news").with("user", "bob"));
    List<SseConnection> connections = hub.connections();
    assertEquals(List.of("alice", "bob"), connections.stream().map(c -> c.subscription().attribute("user").orElseThrow()).toList());
    assertEquals(List.of("user:alice", "news"), List.copyOf(connections.get(0).subscription().topics()));
    assertEquals(Map.of("user", "alice"), connections.get(0).subscription().attributes());

    hub.publish("news", "n", "for both");
    alice.awaitEvents(1);
    connections.get(0).close(); // alice logs out
    alice.await("alice's stream to end", alice::completed);
    assertFalse(alice.aborted(), "ended cleanly");
    Await.until("alice gone", () -> hub.connections().size() == 1);
    hub.publish("news", "n", "for bob only");
    bob.awaitEvents(2);
    assertEquals(List.of("for both"), data(alice));
    assertEquals(List.of("for both", "for bob only"), data(bob));
  }

  @Test
  void oneHundredThousandClientsEachOnItsOwnTopicCostNoThreadPerTopic() throws Exception {
    SseHub hub = hub(c -> c.maxClients = 200_000);
    long threadsBefore = Thread.activeCount();
    List<FakeSink> sinks = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      FakeSink sink = new FakeSink();
      sink.connect(hub, null, Subscription.to("user:" + i, "all"));
      sinks.add(sink);
    }
    hub.publish("user:4242", "n", "just for 4242");
    hub.publish("all", "n", "for everyone");
    sinks.get(4242).awaitEvents(2);
    sinks.get(99_999).awaitEvents(1);
    assertEquals(List.of("just for 4242", "for everyone"), data(sinks.get(4242)));
    assertEquals(List.of("for everyone"), data(sinks.get(99_999)));
    assertTrue(Thread.activeCount() - threadsBefore < 20, "a fixed pool of writers, not a thread per topic or client");
  }
}
