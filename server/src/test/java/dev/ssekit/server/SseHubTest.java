package dev.ssekit.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ssekit.protocol.EventsLost;
import dev.ssekit.protocol.Heartbeat;
import dev.ssekit.protocol.PayloadMapper;
import dev.ssekit.protocol.ServerSentEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SseHubTest {
  private final List<SseHub> hubs = new ArrayList<>();

  private SseHub hub(Consumer<SseHubConfig> config) {
    SseHub hub = SseHub.create(config);
    hubs.add(hub);
    return hub;
  }

  @AfterEach
  void closeHubs() {
    hubs.forEach(SseHub::close);
  }

  /** Returns the offsets of the events' ids, leaving out loss signals (which have none). */
  static List<Long> ids(List<ServerSentEvent> events) {
    return events.stream().filter(e -> !e.type().equals(EventsLost.TYPE)).map(e -> EventId.parse(e.id()).offset()).toList();
  }

  /** The id a client that has seen everything so far resumes from. */
  private static String now(SseHub hub) {
    return hub.stats().lastEventId().toString();
  }

  @Test
  void everyClientGetsEveryEventInOrderAsTheSameBytes() throws Exception {
    SseHub hub = hub(c -> {});
    FakeSink a = new FakeSink();
    FakeSink b = new FakeSink();
    a.connect(hub, null);
    b.connect(hub, null);
    for (int i = 1; i <= 50; i++) assertEquals(i, hub.publish("n", i).offset());
    a.awaitEvents(50);
    b.awaitEvents(50);
    assertEquals(LongStream.rangeClosed(1, 50).boxed().toList(), ids(a.events()));
    assertEquals(a.text(), b.text());
    ServerSentEvent seventh = a.events().get(6);
    assertEquals(ServerSentEvent.of("n", "7", seventh.id()), seventh);
    assertEquals(hub.log().read(7, 1).get(0).id().toString(), seventh.id());
  }

  @Test
  void aLargeFrameIsWrittenAsTheSharedEncodedArrayAndSmallOnesAsTheSameBytes() throws Exception {
    SseHub hub = hub(c -> {});
    FakeSink a = new FakeSink();
    FakeSink b = new FakeSink();
    a.connect(hub, now(hub));
    b.connect(hub, now(hub));
    a.await("a flushed", () -> a.flushes() == 1);
    b.await("b flushed", () -> b.flushes() == 1);
    EventId big = hub.publish("big", "x".repeat(2000));
    a.awaitEvents(1);
    b.awaitEvents(1);
    byte[] shared = hub.log().read(big.offset(), 1).get(0).frame();
    assertSame(shared, a.arrays().get(0), "encoded once, written as it is");
    assertSame(shared, b.arrays().get(0));
    hub.publish("small", "one");
    a.awaitEvents(2);
    b.awaitEvents(2);
    assertArrayEquals(a.writes().get(1), b.writes().get(1));
    assertArrayEquals(hub.log().read(big.offset() + 1, 1).get(0).frame(), a.writes().get(1));
  }

  @Test
  void headersAreFlushedAtOnceEvenWithNothingToSend() throws Exception {
    SseHub hub = hub(c -> {});
    FakeSink a = new FakeSink();
    a.connect(hub, now(hub));
    a.await("a flush", () -> a.flushes() == 1);
    assertEquals("", a.text());
  }

  @Test
  void newClientLearnsWhereItJoinedSoItCanResumeBeforeItsFirstEvent() throws Exception {
    SseHub hub = hub(c -> {});
    EventId before = hub.publish("x", "before");
    FakeSink a = new FakeSink();
    a.connect(hub, null);
    EventId after = hub.publish("x", "after");
    a.awaitEvents(1);
    assertTrue(a.text().startsWith("id: " + before + "\n\nid: " + after + "\n"), a.text());
    assertEquals(List.of(2L), ids(a.events()));
  }

  @Test
  void retryIsSentFirst() throws Exception {
    SseHub hub = hub(c -> c.retry = Duration.ofMillis(1500));
    String start = now(hub);
    EventId first = hub.publish("x", "1");
    FakeSink a = new FakeSink();
    a.connect(hub, start);
    a.awaitEvents(1);
    assertTrue(a.text().startsWith("retry: 1500\n\nid: " + first + "\n"), a.text());
  }

  @Test
  void resumingClientGetsWhatItMissedThenLive() throws Exception {
    SseHub hub = hub(c -> {});
    List<EventId> ids = new ArrayList<>();
    for (int i = 0; i < 10; i++) ids.add(hub.publish("x", i));
    FakeSink a = new FakeSink();
    a.connect(hub, ids.get(5).toString());
    hub.publish("x", "live");
    a.awaitEvents(5);
    assertEquals(List.of(7L, 8L, 9L, 10L, 11L), ids(a.events()));
  }

  @Test
  void tooOldIdGetsTheLossSignalFirst() throws Exception {
    SseHub hub = hub(c -> c.history = 3);
    List<EventId> ids = new ArrayList<>();
    for (int i = 0; i < 10; i++) ids.add(hub.publish("x", i));
    FakeSink a = new FakeSink();
    a.connect(hub, ids.get(1).toString());
    a.awaitEvents(4);
    ServerSentEvent signal = a.events().get(0);
    assertEquals(EventsLost.TYPE, signal.type());
    assertNull(signal.id(), "the signal must not move the client's last event id");
    assertEquals(new EventsLost(ids.get(1).toString(), ids.get(7).toString()),
        PayloadMapper.defaults().decode(signal, EventsLost.class));
    assertEquals(List.of(8L, 9L, 10L), ids(a.events()));
  }

  @Test
  void replayBoundaryHasNoGapAndNoDuplicateWhilePublishing() throws Exception {
    SseHub hub = hub(c -> {
      c.history = 100_000;
      c.clientQueueCapacity = 100_000;
    });
    int total = 20_000;
    AtomicBoolean done = new AtomicBoolean();
    List<EventId> published = new CopyOnWriteArrayList<>(List.of(hub.log().head()));
    Thread publisher = new Thread(() -> {
      for (int i = 0; i < total; i++) published.add(hub.publish("x", i));
      done.set(true);
    }, "test-publisher");
    publisher.start();
    Random random = new Random(1);
    List<FakeSink> sinks = new ArrayList<>();
    List<Long> resumedFrom = new ArrayList<>();
    while (!done.get() || sinks.size() < 20) {
      EventId from = published.get(random.nextInt(published.size()));
      FakeSink sink = new FakeSink();
      assertNotNull(sink.connect(hub, from.toString()));
      sinks.add(sink);
      resumedFrom.add(from.offset());
      if (sinks.size() >= 200) break;
    }
    publisher.join();
    for (int i = 0; i < sinks.size(); i++) {
      FakeSink sink = sinks.get(i);
      long from = resumedFrom.get(i);
      sink.awaitEvents((int) (total - from));
      List<Long> expected = LongStream.rangeClosed(from + 1, total).boxed().toList();
      assertEquals(expected, ids(sink.events()), "client resumed after " + from);
    }
    assertTrue(sinks.size() >= 20);
  }

  @Test
  void idsIncreaseUnderConcurrentPublishers() throws Exception {
    SseHub hub = hub(c -> c.clientQueueCapacity = 100_000);
    FakeSink sink = new FakeSink();
    sink.connect(hub, null);
    int threads = 4;
    int each = 2_000;
    ConcurrentLinkedQueue<EventId> returned = new ConcurrentLinkedQueue<>();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> publishers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread p = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < each; i++) returned.add(hub.publish("x", i));
      }, "test-publisher-" + t);
      p.start();
      publishers.add(p);
    }
    start.countDown();
    for (Thread p : publishers) p.join();
    sink.awaitEvents(threads * each);
    assertEquals(LongStream.rangeClosed(1, threads * each).boxed().toList(), ids(sink.events()),
        "clients see ids in increasing order with none missing");
    assertEquals(threads * each, returned.stream().distinct().count(), "every publish got its own id");
  }

  @Test
  void slowClientIsDisconnectedAndCountedWithoutHoldingBackOthers() throws Exception {
    SseHub hub = hub(c -> c.clientQueueCapacity = 8);
    FakeSink slow = new FakeSink();
    FakeSink fast = new FakeSink();
    slow.connect(hub, now(hub));
    fast.connect(hub, now(hub));
    slow.await("headers flushed", () -> slow.flushes() == 1);
    slow.stall();
    for (int i = 1; i <= 100; i++) {
      hub.publish("x", i);
      fast.awaitEvents(i); // in step with the fast client, so only the stalled one falls behind
    }
    slow.await("abort", slow::aborted);
    assertEquals(1, hub.stats().slowClientsDisconnected());
    assertEquals(1, hub.stats().clients());
    assertTrue(slow.events().size() < 100);
  }

  @Test
  void stalledClientThatCatchesUpInTimeKeepsEverything() throws Exception {
    SseHub hub = hub(c -> c.clientQueueCapacity = 50);
    FakeSink sink = new FakeSink();
    sink.connect(hub, now(hub));
    sink.await("headers flushed", () -> sink.flushes() == 1);
    sink.stall();
    for (int i = 0; i < 40; i++) hub.publish("x", i);
    sink.resume();
    sink.awaitEvents(40);
    assertFalse(sink.aborted());
    assertEquals(LongStream.rangeClosed(1, 40).boxed().toList(), ids(sink.events()));
  }

  @Test
  void replayLongerThanTheQueueDoesNotCountAgainstIt() throws Exception {
    SseHub hub = hub(c -> {
      c.clientQueueCapacity = 8;
      c.history = 100;
    });
    String start = now(hub);
    for (int i = 0; i < 50; i++) hub.publish("x", i);
    FakeSink sink = new FakeSink();
    sink.stall(); // a slow start: nothing of the replay is written yet
    sink.connect(hub, start);
    for (int i = 0; i < 8; i++) hub.publish("x", "live " + i);
    assertFalse(sink.aborted(), "50 replayed frames plus 8 live ones: only the live ones count");
    sink.resume();
    sink.awaitEvents(58);
    assertEquals(LongStream.rangeClosed(1, 58).boxed().toList(), ids(sink.events()));
    assertEquals(0, hub.stats().slowClientsDisconnected());
  }

  @Test
  void keepAliveCommentsWhenNothingIsPublished() throws Exception {
    SseHub hub = hub(c -> c.keepAliveInterval = Duration.ofMillis(20));
    FakeSink sink = new FakeSink();
    sink.connect(hub, null);
    sink.await("two keep-alive comments", () -> sink.comments().size() >= 2);
    assertEquals(List.of(), sink.events());
  }

  @Test
  void refusesClientsBeyondTheMaximum() {
    SseHub hub = hub(c -> c.maxClients = 2);
    assertNotNull(new FakeSink().connect(hub, null));
    assertNotNull(new FakeSink().connect(hub, null));
    assertThrows(HubFullException.class, () -> new FakeSink().connect(hub, null));
    assertEquals(2, hub.stats().clients());
    for (int i = 0; i < 1000; i++) assertThrows(HubFullException.class, () -> new FakeSink().connect(hub, null));
    assertEquals(2, hub.writerSlotsInUse(), "a refused client keeps nothing: no writer slot, no sink");
  }

  @Test
  void goneClientIsForgotten() throws Exception {
    SseHub hub = hub(c -> {});
    FakeSink sink = new FakeSink();
    sink.connect(hub, null).failed();
    assertEquals(0, hub.stats().clients());
    hub.publish("x", 1); // nothing to deliver to, nothing fails
    assertTrue(sink.completed());
  }

  @Test
  void closeDrainsQueuesEndsStreamsAndStopsThreads() throws Exception {
    java.util.Set<Thread> before = Await.threadSet("ssekit-");
    SseHub hub = SseHub.create(c -> c.shutdownTimeout = Duration.ofMillis(200));
    FakeSink draining = new FakeSink();
    FakeSink stalled = new FakeSink();
    draining.connect(hub, now(hub));
    stalled.connect(hub, now(hub));
    stalled.await("headers flushed", () -> stalled.flushes() == 1);
    stalled.stall();
    for (int i = 0; i < 10; i++) hub.publish("heartbeat", Heartbeat.ofEpochMilli(i));
    hub.close();
    assertEquals(10, draining.events().size(), "queued events are written before the stream ends");
    assertTrue(draining.completed() && !draining.aborted(), "a healthy client's stream ends cleanly");
    assertTrue(stalled.aborted(), "a client that cannot take its last events is cut off after the timeout");
    assertEquals(0, hub.stats().clients());
    assertThrows(HubClosedException.class, () -> hub.publish("x", 1));
    assertThrows(HubClosedException.class, () -> new FakeSink().connect(hub, null));
    Await.noThreadsBut(before, "ssekit-");
    hub.close(); // idempotent
  }

  @Test
  void theConfigIsReadOnceSoAnEscapedReferenceCannotChangeTheHub() throws Exception {
    SseHubConfig[] escaped = new SseHubConfig[1];
    SseHub hub = hub(c -> {
      c.maxClients = 1;
      escaped[0] = c;
    });
    escaped[0].payloads = null;
    escaped[0].maxClients = 100;
    escaped[0].clientQueueCapacity = -5;
    FakeSink sink = new FakeSink();
    sink.connect(hub, null);
    assertEquals(1, hub.publish("n", 1).offset(), "the mapper it was given still converts");
    sink.awaitEvents(1);
    assertThrows(HubFullException.class, () -> new FakeSink().connect(hub, null), "still at most one client");
  }

  @Test
  void badConfigIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> SseHub.create(c -> c.history = -1));
    assertThrows(IllegalArgumentException.class, () -> SseHub.create(c -> c.maxClients = 0));
    assertThrows(IllegalArgumentException.class, () -> SseHub.create(c -> c.retry = Duration.ofSeconds(-1)));
    assertThrows(IllegalArgumentException.class, () -> SseHub.create(c -> c.clientQueueCapacity = 0));
  }
}
