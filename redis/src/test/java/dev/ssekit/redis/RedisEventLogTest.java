package dev.ssekit.redis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.server.Publication;
import dev.ssekit.server.Await;
import dev.ssekit.server.EventId;
import dev.ssekit.server.EventLog;
import dev.ssekit.server.EventLogContract;
import dev.ssekit.server.EventLogException;
import dev.ssekit.server.LoggedEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.resps.StreamEntry;

/** The log on a real redis-server: the contract every log keeps, then what only a shared store can do. */
class RedisEventLogTest extends EventLogContract {
  private static final AtomicInteger STREAMS = new AtomicInteger();
  private static RedisProcess redis;
  private final Map<EventLog, String> uris = new IdentityHashMap<>();

  @BeforeAll
  static void startRedis() {
    redis = RedisProcess.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  private RedisEventLog open(String uri, int history) {
    RedisEventLog log = closeLater(RedisEventLog.builder(uri).history(history).timeout(Duration.ofMillis(500))
        .tailBlock(Duration.ofMillis(200)).build());
    uris.put(log, uri);
    return log;
  }

  @Override
  protected EventLog newLog(int history) {
    return open(redis.uri("test-" + STREAMS.incrementAndGet()), history);
  }

  @Override
  protected EventLog sameStoreAs(EventLog log) {
    return open(uris.get(log), 1000);
  }

  @Override
  protected EventLog wiped(EventLog log) {
    String uri = uris.get(log);
    String stream = uri.substring(uri.lastIndexOf('/') + 1);
    Jedis jedis = raw();
    jedis.del("ssekit:{" + stream + "}:log", "ssekit:{" + stream + "}:meta");
    return log; // the same instance, over a store that lost everything
  }

  @Test
  void losingOnlyTheMetaRebuildsItFromTheStreamWithoutResettingAnyone() {
    EventLog log = newLog(100);
    for (int i = 1; i <= 5; i++) append(log, "e" + i);
    EventId head = log.head();
    Collected tail = new Collected();
    closeLater(log.tail(head, tail));
    String stream = uris.get(log).substring(uris.get(log).lastIndexOf('/') + 1);
    Jedis jedis = raw();
    jedis.del("ssekit:{" + stream + "}:meta");
    Await.until("the idle tail to check the stream and rebuild its meta", () -> jedis.exists("ssekit:{" + stream + "}:meta"));
    assertEquals(head, log.head());
    EventId next = append(log, "e6");
    tail.await(1);
    assertTrue(tail.events.get(0).follows(head), "the history goes on");
    assertEquals(6, next.offset());
    assertEquals(List.of(), tail.resets);
  }

  @Test
  void entriesOfWritersOlderThanTopicsAreEventsOfTheDefaultTopic() {
    // Before topics an entry had the fields t, p and f, without c: every event was on the default topic.
    String stream = "pre-topics-" + STREAMS.incrementAndGet();
    String key = "ssekit:{" + stream + "}:log";
    Jedis jedis = raw();
    String previous = "epoch0";
    for (int i = 1; i <= 3; i++) {
      byte[] frame = LoggedEvent.encodeWithoutId(ServerSentEvent.of("n", "old" + i));
      jedis.xadd(key.getBytes(StandardCharsets.UTF_8), XAddParams.xAddParams().id(i, 0),
          Map.of("t".getBytes(StandardCharsets.UTF_8), ("old" + i).getBytes(StandardCharsets.UTF_8),
              "p".getBytes(StandardCharsets.UTF_8), previous.getBytes(StandardCharsets.UTF_8),
              "f".getBytes(StandardCharsets.UTF_8), frame));
      previous = "old" + i;
    }
    EventLog log = open(redis.uri(stream), 100);
    Collected tail = new Collected();
    closeLater(log.tail(EventId.of(1, "old1"), tail));

    List<LoggedEvent> read = log.read(0, 10);
    assertEquals(List.of(1L, 2L, 3L), offsets(read), "none is skipped");
    for (LoggedEvent event : read) assertEquals(Publication.DEFAULT_TOPIC, event.topic());
    assertEquals(EventId.of(2, "old2"), read.get(1).id());
    assertEquals("old1", read.get(1).previousTag());
    assertArrayEquals(LoggedEvent.of(EventId.of(2, "old2"), "old1", Publication.DEFAULT_TOPIC, ServerSentEvent.of("n", "old2")).frame(),
        read.get(1).frame());
    assertEquals(EventId.of(3, "old3"), log.head(), "the meta is rebuilt from the old entries");

    EventId next = append(log, "new");
    assertEquals(4, next.offset(), "new events follow the old ones");
    tail.await(3);
    assertEquals(List.of(2L, 3L, 4L), offsets(tail.events), "the tail delivers the old entries too");
    assertEquals(Publication.DEFAULT_TOPIC, tail.events.get(0).topic());
    assertTrue(tail.events.get(2).follows(tail.events.get(1).id()), "the chain runs on from the old entries");
    assertEquals(List.of(), tail.resets);
  }

  @Test
  void anIdempotencyKeyIsHonouredForAtLeastAMinute() {
    EventLog log = newLog(10);
    log.append(Publication.of(ServerSentEvent.of("n", "once")).withIdempotencyKey("order-7"));
    String stream = uris.get(log).substring(uris.get(log).lastIndexOf('/') + 1);
    long ttl = raw().ttl("ssekit:{" + stream + "}:key:u:order-7");
    assertTrue(ttl >= 60, "the key lives at least a minute: " + ttl + " s");
  }

  private static EventId append(EventLog log, String data) {
    return log.append(Publication.of(ServerSentEvent.of("n", data)));
  }

  private static List<Long> offsets(List<LoggedEvent> events) {
    return events.stream().map(LoggedEvent::offset).toList();
  }

  private Jedis raw() {
    return closeLater(new Jedis(new HostAndPort("127.0.0.1", redis.port())));
  }

  @Test
  void aRestartWithAofLosesNothingAndTheTailCarriesOnExactlyOnce() {
    EventLog log = newLog(1000);
    for (int i = 1; i <= 50; i++) append(log, "e" + i);
    Collected tail = new Collected();
    closeLater(log.tail(log.head(), tail));
    EventId head = log.head();
    List<LoggedEvent> before = log.read(0, 100);

    redis.restart(); // SIGKILL, then the same directory
    assertEquals(head, log.head(), "the history and its position survive");
    List<LoggedEvent> after = log.read(0, 100);
    assertEquals(offsets(before), offsets(after));
    for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i).frame(), after.get(i).frame());
    for (int i = 51; i <= 60; i++) append(log, "e" + i);
    tail.await(10);
    assertEquals(LongStream.rangeClosed(51, 60).boxed().toList(), offsets(tail.events));
    assertTrue(tail.events.get(0).follows(head), "the chain continues across the restart");
    assertEquals(List.of(), tail.resets);
  }

  @Test
  void aWipedStoreStartsANewHistoryAndTheTailSaysSo() {
    EventLog log = newLog(1000);
    for (int i = 1; i <= 5; i++) append(log, "e" + i);
    EventId old = log.head();
    Collected tail = new Collected();
    closeLater(log.tail(old, tail));
    redis.wipe();
    Await.until("the tail to report the reset", () -> !tail.resets.isEmpty());
    EventId fresh = log.head();
    assertEquals(0, fresh.offset());
    assertEquals(fresh, tail.resets.get(0), "delivery goes on from the new history's start");
    EventId first = append(log, "new history");
    tail.await(1);
    assertEquals(first, tail.events.get(0).id());
    assertTrue(tail.events.get(0).follows(fresh));
    assertNotEquals(old.tag(), fresh.tag());
  }

  @Test
  void aFailoverThatReusedOffsetsIsNoticedByTheTag() {
    // A promoted replica that missed the last two events: the same offsets come back with other tags.
    EventLog log = newLog(1000);
    List<EventId> ids = new java.util.ArrayList<>();
    for (int i = 1; i <= 10; i++) ids.add(append(log, "e" + i));
    Collected tail = new Collected();
    closeLater(log.tail(ids.get(9), tail));
    String stream = uris.get(log).substring(uris.get(log).lastIndexOf('/') + 1);
    // The replica's copy: the stream up to 8 (a stream remembers its top id, so it is rebuilt).
    Jedis jedis = raw();
    String key = "ssekit:{" + stream + "}:log";
    List<StreamEntry> kept = jedis.xrange(key, new StreamEntryID(1, 0), new StreamEntryID(8, 0));
    jedis.del(key);
    for (StreamEntry e : kept) jedis.xadd(key, XAddParams.xAddParams().id(e.getID()), e.getFields());
    jedis.hset("ssekit:{" + stream + "}:meta", Map.of("top", "8", "last", ids.get(7).tag()));
    EventId reused = append(log, "after the failover");
    append(log, "and another");
    assertEquals(9, reused.offset());
    assertNotEquals(ids.get(8), reused, "offset 9 again, but not the same event");
    Await.until("the tail to see that its event 10 is gone", () -> !tail.resets.isEmpty());
    assertEquals(10, tail.resets.get(0).offset());
    assertNotEquals(ids.get(9), tail.resets.get(0));
    List<LoggedEvent> at10 = log.read(10, 1);
    assertNotEquals(ids.get(9), at10.get(0).id(), "a client holding the old 10 will not match");
  }

  @Test
  void anUnreachableRedisFailsCallsQuicklyAndTheLogRecoversWhenItIsBack() {
    EventLog log = newLog(1000);
    append(log, "before");
    redis.kill();
    try {
      long started = System.nanoTime();
      EventLogException e = assertThrows(EventLogException.class, () -> append(log, "while down"));
      assertTrue(Duration.ofNanos(System.nanoTime() - started).toMillis() < 5000, "failed fast");
      assertTrue(e.getMessage().contains("unreachable") && e.getMessage().contains(Integer.toString(redis.port())), e.getMessage());
      assertThrows(EventLogException.class, () -> log.read(0, 10));
      assertFalse(log.status().reachable());
    } finally {
      redis.restart();
    }
    EventId next = append(log, "after");
    assertEquals(2, next.offset(), "the pool's stale connections are retried, not reported");
    assertTrue(log.status().reachable());
  }

  @Test
  void aFrozenRedisFailsAnAppendWithinTheTimeoutAndTheRetryIsNotDoubled() {
    EventLog log = newLog(1000);
    append(log, "before");
    redis.pause();
    try {
      assertThrows(EventLogException.class, () -> log.append(Publication.of(ServerSentEvent.of("n", "maybe")).withIdempotencyKey("k1")));
    } finally {
      redis.resume();
    }
    // The frozen append may have been queued and run once Redis woke: retrying with its key
    // must give that one, never a second event.
    EventId retried = log.append(Publication.of(ServerSentEvent.of("n", "maybe")).withIdempotencyKey("k1"));
    assertEquals(retried, log.append(Publication.of(ServerSentEvent.of("n", "maybe")).withIdempotencyKey("k1")));
    assertEquals(List.of(1L, 2L), offsets(log.read(0, 10)));
  }

  @Test
  void idempotencyKeysHoldAcrossInstancesOnTheStore() {
    EventLog a = newLog(1000);
    EventLog b = sameStoreAs(a);
    EventId first = a.append(Publication.of(ServerSentEvent.of("heartbeat", "1")).withIdempotencyKey("heartbeat/1000/42"));
    assertEquals(first, b.append(Publication.of(ServerSentEvent.of("heartbeat", "2")).withIdempotencyKey("heartbeat/1000/42")));
    assertEquals(1, a.head().offset());
  }

  @Test
  void closingStopsTailThreads() {
    long before = Await.threads("ssekit-redis-tail");
    EventLog log = newLog(10);
    log.tail(log.head(), new Collected());
    log.tail(log.head(), new Collected());
    assertEquals(before + 2, Await.threads("ssekit-redis-tail"));
    log.close();
    assertEquals(before, Await.threads("ssekit-redis-tail"));
  }

  @Test
  void warnsOfPersistenceThatCanLoseEvents() {
    assertEquals(List.of(), ((RedisEventLog) newLog(10)).durabilityWarnings());
    try (RedisProcess volatileRedis = RedisProcess.start("--appendonly", "no")) {
      List<String> warnings = open(volatileRedis.uri("w"), 10).durabilityWarnings();
      assertEquals(1, warnings.size(), warnings.toString());
      assertTrue(warnings.get(0).contains("appendfsync always"), warnings.get(0));
    }
  }
}
