package dev.ssekit.server;

import static dev.ssekit.server.SseHubTest.ids;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ssekit.protocol.EventsLost;
import dev.ssekit.protocol.PayloadMapper;
import dev.ssekit.protocol.ServerSentEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Resuming by id: only an id this log's history holds resumes; everything else is told it lost events. */
class SseHubResumeTest {
  private final List<AutoCloseable> open = new ArrayList<>();

  private SseHub hub(Consumer<SseHubConfig> config) {
    SseHub hub = SseHub.create(config);
    open.add(hub);
    return hub;
  }

  private <T extends AutoCloseable> T closeLater(T resource) {
    open.add(resource);
    return resource;
  }

  @AfterEach
  void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
  }

  private static List<EventId> publish(SseHub hub, int n) {
    List<EventId> ids = new ArrayList<>();
    for (int i = 1; i <= n; i++) ids.add(hub.publish("n", Integer.toString(i)));
    return ids;
  }

  private static EventsLost lost(ServerSentEvent event) {
    assertEquals(EventsLost.TYPE, event.type(), "the loss signal comes first: " + event);
    return PayloadMapper.defaults().decode(event, EventsLost.class);
  }

  @Test
  void aRestartedServerAnswersAnIdOfTheOldProcessWithLostNeverWithItsOwnHistory() throws Exception {
    // The repro: the old process ran to 82; the client saw 20; the new one is at 30.
    SseHub old = hub(c -> {});
    String seen = publish(old, 82).get(19).toString();
    old.close();
    SseHub restarted = hub(c -> {});
    List<EventId> fresh = publish(restarted, 30);
    FakeSink client = new FakeSink();
    client.connect(restarted, seen);
    client.awaitEvents(31);
    assertEquals(new EventsLost(seen, fresh.get(0).toString()), lost(client.events().get(0)));
    assertEquals(LongStream.rangeClosed(1, 30).boxed().toList(), ids(client.events()), "then every retained event");
    assertEquals(1, restarted.stats().lostSignals());
  }

  @Test
  void anIdAtAnOffsetThisLogAlsoHasIsForeignWhenItsTagDiffers() throws Exception {
    // Two nodes without a shared log, both past offset 5000: the offset alone would replay the wrong events.
    SseHub a = hub(c -> c.history = 10_000);
    SseHub b = hub(c -> c.history = 10_000);
    String fromA = publish(a, 5000).get(4999).toString();
    publish(b, 5020);
    FakeSink client = new FakeSink();
    client.connect(b, fromA);
    client.awaitEvents(1);
    assertEquals(fromA, lost(client.events().get(0)).lastEventId());
  }

  @Test
  void idsFromTheFutureOrOfAnotherFormAreLost() throws Exception {
    SseHub hub = hub(c -> {});
    List<EventId> ids = publish(hub, 3);
    // "3.zzzzzz": the offset of this hub's position, but not its event.
    for (String id : new String[] {"9.abcdef", "4." + ids.get(2).tag(), "3.zzzzzz", "17", "abc", "02." + ids.get(1).tag(), "2.", ".x",
        "2.a-b"}) {
      FakeSink client = new FakeSink();
      client.connect(hub, id);
      client.awaitEvents(4);
      assertEquals(new EventsLost(id, ids.get(0).toString()), lost(client.events().get(0)), id);
      assertEquals(List.of(1L, 2L, 3L), ids(client.events()), id);
    }
  }

  @Test
  void theStartOfTheHistoryResumesFromTheFirstEventAndOnlyForItsEpoch() throws Exception {
    SseHub hub = hub(c -> {});
    EventId start = hub.log().head();
    FakeSink early = new FakeSink();
    early.connect(hub, start.toString());
    publish(hub, 3);
    early.awaitEvents(3);
    assertEquals(List.of(1L, 2L, 3L), ids(early.events()));

    FakeSink late = new FakeSink();
    late.connect(hub, start.toString());
    late.awaitEvents(3);
    assertEquals(List.of(1L, 2L, 3L), ids(late.events()), "nothing lost: the first event is still retained");

    FakeSink foreign = new FakeSink();
    foreign.connect(hub, "0.zzzzzz");
    foreign.awaitEvents(1);
    assertEquals("0.zzzzzz", lost(foreign.events().get(0)).lastEventId());
  }

  @Test
  void anEmptyLogAnswersAForeignIdWithLostAndNoFirstAvailableId() throws Exception {
    SseHub hub = hub(c -> {});
    FakeSink client = new FakeSink();
    client.connect(hub, "20.abcdef");
    client.awaitEvents(1);
    assertEquals(new EventsLost("20.abcdef", null), lost(client.events().get(0)));
    hub.publish("n", "live");
    client.awaitEvents(2);
    assertEquals(List.of(1L), ids(client.events()), "then the live stream");
  }

  @Test
  void aLongReplayIsPagedAsTheClientTakesItNotQueuedAtOnce() throws Exception {
    SseHub hub = hub(c -> {
      c.history = 20_000;
      c.clientQueueCapacity = 8;
    });
    String start = hub.log().head().toString();
    publish(hub, 10_000);
    FakeSink client = new FakeSink();
    client.stall();
    SseConnection channel = client.connect(hub, start);
    assertNotNull(channel);
    Await.until("the first page queued", () -> channel.queued() > 0);
    assertTrue(channel.queued() <= 64, "a page, not the whole replay, waits: " + channel.queued());
    for (int i = 0; i < 20; i++) hub.publish("n", "live " + i);
    client.resume();
    client.awaitEvents(10_020);
    assertEquals(LongStream.rangeClosed(1, 10_020).boxed().toList(), ids(client.events()));
    assertFalse(client.aborted(), "a client catching up is never cut off for its replay");
    assertEquals(0, hub.stats().slowClientsDisconnected());
  }

  @Test
  void aClientAheadOfThisNodesTailResumesWithoutGapOrDuplicate() throws Exception {
    // Node B's tail lags the shared store; a client that moved from node A knows newer events.
    ControlledLog store = closeLater(new ControlledLog(1000));
    SseHub a = hub(c -> c.eventLog = store);
    store.hold();
    SseHub b = hub(c -> c.eventLog = store);
    List<EventId> ids = publish(a, 10);
    FakeSink client = new FakeSink();
    client.connect(b, ids.get(6).toString());
    client.awaitEvents(3);
    store.release();
    EventId eleven = a.publish("n", "11");
    client.awaitEvents(4);
    assertEquals(List.of(8L, 9L, 10L, 11L), ids(client.events()));
    Await.until("node B's tail at 11", () -> b.stats().lastEventId().equals(eleven));
    assertEquals(0, b.stats().resets());
  }

  @Test
  void pagesOfLargeEventsHoldAFewMebibytesNotAPageSizeOfEvents() throws Exception {
    // A log may copy what it reads (Redis does), for every client that catches up at once.
    ControlledLog store = closeLater(new ControlledLog(1000));
    SseHub hub = hub(c -> c.eventLog = store);
    String start = hub.log().head().toString();
    String large = "x".repeat(512 * 1024);
    for (int i = 0; i < 40; i++) hub.publish("n", i + large);
    FakeSink client = new FakeSink();
    client.connect(hub, start);
    client.awaitEvents(40);
    for (int i = 0; i < 40; i++) assertEquals(i + large, client.events().get(i).data());
    List<Integer> pages = store.readLimits.stream().filter(limit -> limit > 1).toList();
    assertTrue(!pages.isEmpty() && pages.stream().allMatch(limit -> limit <= 8), "pages of at most ~4 MiB: " + pages);
  }

  @Test
  void afterARestartTheFirstPagesAreSizedByTheFramesThisHubHasSeen() throws Exception {
    ControlledLog store = closeLater(new ControlledLog(1000));
    String large = "x".repeat(512 * 1024);
    SseHub before = SseHub.create(c -> c.eventLog = store);
    String start = before.log().head().toString();
    for (int i = 0; i < 40; i++) before.publish("n", i + large);
    before.close(); // the log outlives it, as a durable one does
    SseHub hub = hub(c -> c.eventLog = store);
    hub.publish("n", "40" + large);
    store.readLimits.clear();
    FakeSink client = new FakeSink();
    client.connect(hub, start);
    client.awaitEvents(41);
    List<Integer> pages = store.readLimits.stream().filter(limit -> limit > 1).toList();
    assertTrue(!pages.isEmpty() && pages.stream().allMatch(limit -> limit <= 8), "pages of at most ~4 MiB: " + pages);
  }

  @Test
  void aSlowReaderCatchingUpOnLargeEventsHoldsAboutAPageNotAPageSizeOfFrames() throws Exception {
    SseHub hub = hub(c -> {});
    String start = hub.log().head().toString();
    String large = "x".repeat(128 * 1024);
    for (int i = 0; i < 200; i++) hub.publish("n", i + large);
    FakeSink client = new FakeSink();
    client.stall();
    SseConnection channel = client.connect(hub, start);
    int most = 0;
    while (client.events().size() < 200) {
      int before = client.writes().size();
      client.allowWrites(1); // one frame at a time, while pages are read on other threads
      client.await("a write", () -> client.writes().size() > before);
      most = Math.max(most, channel.queued());
    }
    for (int i = 0; i < 200; i++) assertEquals(i + large, client.events().get(i).data());
    // Pages of ~32 such events (4 MiB), the next asked for when half of one is left.
    assertTrue(most <= 64, "at most ~1.5 pages wait: " + most + " frames did");
  }

  @Test
  void eventsTrimmedWhileAClientCatchesUpAreSignalledWhereTheyAreMissing() throws Exception {
    SseHub hub = hub(c -> {
      c.history = 600;
      c.clientQueueCapacity = 8;
    });
    String start = hub.log().head().toString();
    publish(hub, 600);
    FakeSink client = new FakeSink();
    client.stall();
    SseConnection channel = client.connect(hub, start);
    Await.until("the first page queued", () -> channel.queued() > 0);
    publish(hub, 1000); // the ring lets go of everything the client has not read yet
    client.resume();
    client.awaitEvents(1 + 1601 - 1001 + 16);
    List<ServerSentEvent> events = client.events();
    int signal = -1;
    for (int i = 0; i < events.size(); i++) if (events.get(i).type().equals(EventsLost.TYPE)) signal = i;
    assertTrue(signal > 0, "a loss signal mid-stream: " + events.size() + " events");
    EventsLost lost = lost(events.get(signal));
    assertEquals(events.get(signal - 1).id(), lost.lastEventId(), "it names the last event the client got");
    assertEquals(events.get(signal + 1).id(), lost.firstAvailableId(), "and the first that follows");
    List<Long> offsets = ids(events);
    assertEquals(offsets.stream().sorted().distinct().toList(), offsets, "in order, no duplicate");
    assertEquals(1600, offsets.get(offsets.size() - 1));
  }

  @Test
  void aClientWhoseCatchUpFindsTheLogEmptiedIsEndedNotLeftWithAGap() throws Exception {
    ControlledLog store = closeLater(new ControlledLog(10_000));
    SseHub hub = hub(c -> {
      c.eventLog = store;
      c.clientQueueCapacity = 8;
    });
    String start = hub.log().head().toString();
    publish(hub, 1000);
    FakeSink client = new FakeSink();
    client.stall();
    SseConnection channel = client.connect(hub, start);
    Await.until("the first page queued", () -> channel.queued() > 0);
    store.forget();
    client.resume();
    client.await("its stream to end", client::completed);
    assertFalse(client.aborted(), "ended cleanly, so it reconnects and is judged by its id");
    List<Long> offsets = ids(client.events());
    assertEquals(LongStream.rangeClosed(1, offsets.size()).boxed().toList(), offsets, "what it got had no gap");
    assertTrue(offsets.size() < 1000, "and it did not go live past what it missed");
  }

  @Test
  void aClientAheadOfThisNodeIsNotSplicedOntoAHistoryThatReplacedItsEvents() throws Exception {
    // Node B's tail is behind; a client from node A resumes on B with events B has not
    // delivered yet. Then the store loses them (a failover) and new events take their offsets.
    ControlledLog store = closeLater(new ControlledLog(1000));
    store.hold();
    SseHub b = hub(c -> c.eventLog = store);
    List<EventId> ids = new ArrayList<>();
    for (int i = 1; i <= 8; i++) ids.add(store.append(Publication.of(ServerSentEvent.of("n", "old " + i))));
    FakeSink client = new FakeSink();
    client.connect(b, ids.get(5).toString()); // it has 6: 7 and 8 come from the store
    client.awaitEvents(2);
    String previous = ids.get(4).tag();
    store.dropHeld(); // the tail never delivers the old 1..8 beyond what it had
    for (int i = 1; i <= 5; i++) store.deliverHeldLater(store.read(i, 1).get(0));
    for (int i = 6; i <= 10; i++) {
      EventId replaced = EventId.of(i, "new" + i);
      store.deliverHeldLater(LoggedEvent.of(replaced, previous, Publication.DEFAULT_TOPIC, ServerSentEvent.of("n", "new " + i)));
      previous = replaced.tag();
    }
    store.release();
    client.await("its stream to end", client::completed);
    assertEquals(List.of(7L, 8L), ids(client.events()), "none of the new 9 and 10 after the old 8");
    assertFalse(client.aborted());
  }

  @Test
  void clientsMovingBetweenHubsOnOneLogResumeExactly() throws Exception {
    InMemoryEventLog store = closeLater(new InMemoryEventLog(1000));
    SseHub a = hub(c -> c.eventLog = store);
    SseHub b = hub(c -> c.eventLog = store);
    FakeSink first = new FakeSink();
    first.connect(a, null);
    publish(b, 5);
    first.awaitEvents(5);
    first.connection().failed(); // cut
    publish(a, 5);
    FakeSink moved = new FakeSink();
    moved.connect(b, first.events().get(4).id());
    publish(b, 2);
    moved.awaitEvents(7);
    assertEquals(LongStream.rangeClosed(6, 12).boxed().toList(), ids(moved.events()));
  }

  @Test
  void afterAResetAClientNeverGetsWhatTheNewHistoryPutAtTheOffsetsItHadQueued() throws Exception {
    ControlledLog store = closeLater(new ControlledLog(1000));
    SseHub hub = hub(c -> c.eventLog = store);
    FakeSink stalled = new FakeSink();
    stalled.connect(hub, null);
    publish(hub, 1);
    stalled.awaitEvents(1);
    stalled.stall();
    publish(hub, 2); // offsets 2 and 3 wait in its queue
    // The store was wiped and refilled: a new history from offset 1, another topic at 2 and 3.
    store.deliver(LoggedEvent.of(EventId.of(1, "qqqqqq"), "pppppp", Publication.DEFAULT_TOPIC, ServerSentEvent.of("n", "new")));
    store.deliver(LoggedEvent.of(EventId.of(2, "rrrrrr"), "qqqqqq", "secret", ServerSentEvent.of("n", "secret 2")));
    store.deliver(LoggedEvent.of(EventId.of(3, "ssssss"), "rrrrrr", "secret", ServerSentEvent.of("n", "secret 3")));
    assertEquals(1, hub.stats().resets());
    stalled.resume();
    stalled.await("the stream to end", () -> stalled.completed() || stalled.aborted());
    assertTrue(stalled.aborted(), "cut: what it had queued is gone");
    assertEquals(List.of("1"), stalled.events().stream().map(ServerSentEvent::data).toList(),
        "nothing of the other history, nor of a topic it never asked for");
  }

  @Test
  void whenTheLogsHistoryBreaksEveryStreamEndsCleanlyAndClientsAreJudgedAgain() throws Exception {
    ControlledLog store = closeLater(new ControlledLog(1000));
    SseHub hub = hub(c -> c.eventLog = store);
    FakeSink client = new FakeSink();
    client.connect(hub, null);
    List<EventId> ids = publish(hub, 3);
    client.awaitEvents(3);
    // An event that does not follow the last one delivered: the store was wiped and refilled.
    store.deliver(LoggedEvent.of(EventId.of(4, "zzzzzz"), "yyyyyy", Publication.DEFAULT_TOPIC, ServerSentEvent.of("n", "other history")));
    client.await("the stream to end", client::completed);
    assertFalse(client.aborted(), "ended with the final chunk, so the client reconnects at once");
    assertEquals(1, hub.stats().resets());
    assertEquals(0, hub.stats().clients());
    assertEquals(3, client.events().size(), "nothing of the other history reached it");
    assertEquals(ids.get(2).toString(), client.events().get(2).id());
  }

  @Test
  void anUnreachableLogRefusesResumingClientsAndFailsPublishesButKeepsConnectedClients() throws Exception {
    ControlledLog store = closeLater(new ControlledLog(1000));
    SseHub hub = hub(c -> c.eventLog = store);
    List<EventId> ids = publish(hub, 3);
    FakeSink connected = new FakeSink();
    connected.connect(hub, null);
    store.down();
    assertThrows(EventLogException.class, () -> hub.publish("n", "x"));
    assertThrows(EventLogException.class, () -> new FakeSink().connect(hub, ids.get(0).toString()));
    assertNotNull(new FakeSink().connect(hub, null), "a new client needs nothing from the log");
    assertNotNull(new FakeSink().connect(hub, ids.get(2).toString()), "nor does one that is up to date");
    assertEquals(3, hub.stats().clients(), "the refused client is not counted");
    assertEquals(3, hub.writerSlotsInUse(), "nor does it keep a writer's slot");
    store.up();
    hub.publish("n", "4");
    connected.awaitEvents(1);
    assertFalse(connected.completed());
  }
}
