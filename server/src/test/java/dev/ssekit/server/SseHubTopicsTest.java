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
  void aClientFurtherBehindThanTheRingOfRecentEventsIsCaughtUpFromTheLogNotCutOff() throws Exception {
    // Its queue holds one event, but more events of other topics went by than the hub keeps
    // frames of: the log still has them.
    SseHub hub = hub(c -> c.history = 40_000);
    FakeSink sparse = new FakeSink();
    sparse.connect(hub, null, Subscription.to("sparse"));
    hub.publish("sparse", "n", "first");
    sparse.awaitEvents(1);
    sparse.stall();
    hub.publish("sparse", "n", "queued");
    for (int i = 0; i < 33_000; i++) hub.publish("busy", "n", "x");
    hub.publish("sparse", "n", "after");
    sparse.resume();
    sparse.awaitEvents(3);
    assertEquals(List.of("first", "queued", "after"), data(sparse), "each once, in order, nothing lost");
    assertEquals(0, hub.stats().slowClientsDisconnected());
    hub.publish("sparse", "n", "live again");
    sparse.awaitEvents(4);
    assertEquals("live again", sparse.events().get(3).data());
    assertEquals(1, hub.stats().clients());
  }

  @Test
  void aClientBehindTheRingWhoseJoinPointTheLogLostIsCutNotToldOfALossItDidNotHave() throws Exception {
    // Its last id is an id-only block (the position), later than where it joined; the log no
    // longer holds the join point. A catch-up from there would signal a loss: the client resumes
    // by its own id instead, exactly.
    SseHub hub = hub(c -> {
      c.history = 40;
      c.keepAliveInterval = Duration.ofMillis(30);
    });
    FakeSink quiet = new FakeSink();
    quiet.connect(hub, null, Subscription.to("a"));
    EventId position = null;
    for (int i = 0; i < 60; i++) position = hub.publish("b", "n", "x");
    EventId last = position;
    quiet.await("an id-only block with the position", () -> quiet.text().contains("id: " + last + "\n\n"));
    quiet.stall();
    hub.publish("a", "n", "mine");
    String large = "x".repeat(512 * 1024);
    for (int i = 0; i < 35; i++) hub.publish("b", "n", large); // the ring lets go of "mine"
    quiet.resume();
    quiet.await("the stream to end", () -> quiet.aborted() || quiet.completed());
    assertTrue(quiet.aborted());
    assertEquals(List.of(), quiet.events(), "no ssekit-lost, nothing else");
    Await.until("it to be counted slow", () -> hub.stats().slowClientsDisconnected() == 1); // counted just after the cut
    FakeSink resumed = new FakeSink();
    resumed.connect(hub, lastEventId(quiet.text()), Subscription.to("a"));
    resumed.awaitEvents(1);
    assertEquals(List.of("mine"), resumed.events().stream().map(ServerSentEvent::data).toList(), "exactly what it missed");
  }

  @Test
  void largeEventsBeyondTheRingsBytesAreCaughtUpFromTheLogNotCutOff() throws Exception {
    SseHub hub = hub(c -> {});
    FakeSink slow = new FakeSink();
    FakeSink fast = new FakeSink();
    slow.connect(hub, null);
    fast.connect(hub, null);
    String large = "x".repeat(512 * 1024); // within the test sink's decoder's 1 MiB lines
    hub.publish("n", "small");
    slow.awaitEvents(1);
    slow.stall();
    for (int i = 0; i < 40; i++) hub.publish("n", i + large); // more than the ring's 16 MiB
    slow.resume();
    slow.awaitEvents(41);
    fast.awaitEvents(41);
    assertEquals(ids(fast.events()), ids(slow.events()), "the same events, each once, in order");
    for (int i = 0; i < 40; i++) assertEquals(i + large, slow.events().get(i + 1).data());
    assertEquals(0, hub.stats().slowClientsDisconnected());
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

  @Test
  void aClientOfASparseTopicResumingFarBackCatchesUpThroughPagesWithoutItsEventsAndGoesLive() throws Exception {
    SseHub hub = hub(c -> c.history = 10_000);
    EventId mine = hub.publish("mine", "n", "before");
    EventId last = null;
    for (int i = 0; i < 3000; i++) last = hub.publish("other", "n", "x" + i); // many pages with nothing for it
    EventId newest = last;
    Await.until("the tail delivered everything", () -> hub.stats().lastEventId().equals(newest));
    FakeSink sink = new FakeSink();
    sink.connect(hub, mine.toString(), Subscription.to("mine"));
    sink.await("the id it caught up to", () -> sink.text().contains("id: " + newest + "\n\n"));
    assertEquals(newest.toString(), lastEventId(sink.text()), "a cut now resumes after everything it was shown");
    hub.publish("mine", "n", "after");
    sink.awaitEvents(1);
    assertEquals(List.of("after"), data(sink));
    assertEquals(List.of(), sink.events().stream().filter(e -> e.type().equals(EventsLost.TYPE)).toList());
  }

  @Test
  void aKeepAliveNeverOvertakesEventsStillQueuedForASlowClient() throws Exception {
    SseHub hub = hub(c -> c.keepAliveInterval = Duration.ofMillis(20));
    FakeSink slow = new FakeSink();
    FakeSink idle = new FakeSink();
    slow.connect(hub, null, Subscription.to("s"));
    idle.connect(hub, null, Subscription.to("nothing"));
    slow.await("its join position", () -> slow.text().contains("id: "));
    slow.stall();
    for (int i = 0; i < 5; i++) hub.publish("s", "n", "e" + i);
    hub.publish("busy", "n", "moves the position past the slow client's events");
    // Passes of the keep-alive run one after another: by the third frame the idle client gets, a
    // whole pass ran after the slow client had been idle for an interval.
    idle.await("three keep-alive passes", () -> idle.comments().size() >= 3);
    slow.resume();
    slow.awaitEvents(5);
    List<Long> offsets = new ArrayList<>();
    for (String line : slow.text().split("\n")) {
      if (line.startsWith("id: ")) offsets.add(EventId.parse(line.substring(4)).offset());
    }
    assertEquals(offsets.stream().sorted().toList(), offsets, "ids only ever move forward: " + slow.text());
  }

  @Test
  void aClientThatHeardEverythingOfItsTopicsGetsCommentsNotIdBlocks() throws Exception {
    SseHub hub = hub(c -> c.keepAliveInterval = Duration.ofMillis(20));
    FakeSink joined = new FakeSink();
    FakeSink heard = new FakeSink();
    joined.connect(hub, null, Subscription.to("a"));
    heard.connect(hub, null, Subscription.to("b"));
    hub.publish("b", "n", "the newest event, and b's");
    heard.awaitEvents(1);
    joined.await("its join position", () -> joined.text().contains("id: "));
    // The position moved past a's join only by b's event: a needs its id (once), b needs none.
    joined.await("keep-alive comments", () -> joined.comments().size() >= 2);
    heard.await("keep-alive comments", () -> heard.comments().size() >= 2);
    assertEquals(2, joined.text().split("id: ", -1).length - 1, "the join block and one position block: " + joined.text());
    assertEquals(2, heard.text().split("id: ", -1).length - 1, "the join block and the event's id: " + heard.text());
  }

  @Test
  void aSubscriptionToMoreTopicsThanAllowedIsRefused() {
    SseHub hub = hub(c -> c.maxTopicsPerClient = 3);
    FakeSink sink = new FakeSink();
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> sink.connect(hub, null, Subscription.to("a", "b", "c", "d")));
    assertTrue(e.getMessage().contains("at most 3 topics"), e.getMessage());
    assertEquals(0, hub.stats().clients());
    sink.connect(hub, null, Subscription.to("a", "b", "c"));
    assertEquals(1, hub.stats().clients());
  }

  @Test
  void theTopicIndexForgetsClientsThatLeaveAndTopicsNobodyWants() throws Exception {
    SseHub hub = hub(c -> {});
    List<FakeSink> sinks = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      FakeSink sink = new FakeSink();
      sink.connect(hub, null, Subscription.to("t" + i, "shared"));
      sinks.add(sink);
    }
    assertEquals(51, hub.subscribedTopics());
    for (int i = 0; i < 25; i++) sinks.get(i).connection().failed();
    Await.until("half gone", () -> hub.stats().clients() == 25);
    assertEquals(26, hub.subscribedTopics());
    for (int i = 25; i < 50; i++) sinks.get(i).connection().close();
    Await.until("all gone", () -> hub.stats().clients() == 0);
    assertEquals(0, hub.subscribedTopics());
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
