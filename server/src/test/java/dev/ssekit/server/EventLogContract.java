package dev.ssekit.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ssekit.protocol.ServerSentEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link EventLog} must do, run against each implementation by a subclass: ids,
 * chaining, reads, retention, idempotent appends and the ordered tail.
 */
public abstract class EventLogContract {
  private final List<AutoCloseable> open = new ArrayList<>();

  /**
   * Returns a log over an empty store that retains at least {@code history} events; closed after the test.
   *
   * @param history events to retain
   * @return the log
   */
  protected abstract EventLog newLog(int history);

  /**
   * Returns another log instance on the same store as {@code log} (another node, or the same
   * process after a restart around a shared store); closed after the test.
   *
   * @param log a log made by {@link #newLog}
   * @return a second view of its store
   */
  protected abstract EventLog sameStoreAs(EventLog log);

  /**
   * Returns a log over the store of {@code log} after the store lost everything it held (a
   * restart without persistence, a wipe), e.g. {@code log} itself or a new instance; closed
   * after the test.
   *
   * @param log a log made by {@link #newLog}
   * @return the log after the loss
   */
  protected abstract EventLog wiped(EventLog log);

  /**
   * Registers {@code resource} to be closed after the test, last registered first.
   *
   * @param resource what to close
   * @param <T> its type
   * @return the resource
   */
  protected <T extends AutoCloseable> T closeLater(T resource) {
    open.add(resource);
    return resource;
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
  }

  private static List<Long> offsets(List<LoggedEvent> events) {
    return events.stream().map(LoggedEvent::offset).toList();
  }

  private static EventId append(EventLog log, String data) {
    return log.append(Publication.of(ServerSentEvent.of("n", data)));
  }

  /** Collects what a tail delivers. */
  public static final class Collected implements EventLog.TailListener {
    /** The events delivered, in order. */
    public final List<LoggedEvent> events = new CopyOnWriteArrayList<>();
    /** The positions of resets, in order. */
    public final List<EventId> resets = new CopyOnWriteArrayList<>();

    /** Creates an empty collector. */
    public Collected() {}

    @Override
    public void onEvent(LoggedEvent event) {
      events.add(event);
    }

    @Override
    public void onReset(EventId position) {
      resets.add(position);
    }

    /**
     * Waits until at least {@code n} events arrived.
     *
     * @param n how many
     */
    public void await(int n) {
      Await.until(() -> n + " events from the tail, have " + events.size(), () -> events.size() >= n);
    }
  }

  @Test
  void anEmptyLogStartsAHistoryWithARandomEpoch() {
    EventLog a = newLog(10);
    EventLog b = newLog(10);
    EventId head = a.head();
    assertEquals(0, head.offset());
    assertEquals(EventId.TAG_LENGTH, head.tag().length());
    assertEquals(head, a.head(), "the epoch stays");
    assertNotEquals(head, b.head(), "another store starts another history");
    assertEquals(List.of(), a.read(0, 10));
  }

  @Test
  void offsetsCountFromOneAndEachEventChainsToThePrevious() {
    EventLog log = newLog(100);
    EventId previous = log.head();
    for (int i = 1; i <= 20; i++) {
      EventId id = append(log, "e" + i);
      assertEquals(i, id.offset());
      assertEquals(EventId.TAG_LENGTH, id.tag().length());
      LoggedEvent event = log.read(i, 1).get(0);
      assertEquals(id, event.id());
      assertTrue(event.follows(previous), event + " follows " + previous);
      previous = id;
    }
    assertEquals(previous, log.head());
    long distinctTags = log.read(0, 100).stream().map(e -> e.id().tag()).distinct().count();
    assertTrue(distinctTags >= 19, "tags are random per event: " + distinctTags + " distinct of 20");
  }

  @Test
  void theFrameIsTheEventEncodedWithItsIdReplacingAnyOwn() {
    EventLog log = newLog(10);
    EventId id = log.append(Publication.of(ServerSentEvent.of("order", "a\nb", "its-own-id")));
    LoggedEvent event = log.read(id.offset(), 1).get(0);
    assertEquals("id: " + id + "\nevent: order\ndata: a\ndata: b\n\n", new String(event.frame(), StandardCharsets.UTF_8));
  }

  @Test
  void eachEventKeepsItsTopicInReadsAndTails() {
    EventLog log = newLog(10);
    Collected tail = new Collected();
    closeLater(log.tail(log.head(), tail));
    log.append(Publication.of(ServerSentEvent.of("n", "1")).toTopic("user:42"));
    log.append(Publication.of(ServerSentEvent.of("n", "2")));
    tail.await(2);
    assertEquals(List.of("user:42", Publication.DEFAULT_TOPIC), log.read(0, 10).stream().map(LoggedEvent::topic).toList());
    assertEquals(List.of("user:42", Publication.DEFAULT_TOPIC), tail.events.stream().map(LoggedEvent::topic).toList());
  }

  @Test
  void readReturnsRetainedEventsFromTheOffsetAsked() {
    EventLog log = newLog(100);
    for (int i = 1; i <= 10; i++) append(log, "e" + i);
    assertEquals(List.of(4L, 5L, 6L), offsets(log.read(4, 3)));
    assertEquals(List.of(9L, 10L), offsets(log.read(9, 5)));
    assertEquals(List.of(1L, 2L), offsets(log.read(0, 2)));
    assertEquals(List.of(), log.read(11, 5), "nothing after the newest");
  }

  @Test
  void retainsAtLeastTheHistoryAndReadsWithoutGaps() {
    EventLog log = newLog(100);
    for (int i = 1; i <= 1000; i++) append(log, "e" + i);
    List<LoggedEvent> retained = log.read(0, 2000);
    assertTrue(retained.size() >= 100, "at least the newest 100 are kept, kept " + retained.size());
    assertTrue(retained.size() < 1000, "older events are let go, kept " + retained.size());
    long first = retained.get(0).offset();
    assertEquals(LongStream.rangeClosed(first, 1000).boxed().toList(), offsets(retained));
    for (int i = 1; i < retained.size(); i++) assertTrue(retained.get(i).follows(retained.get(i - 1).id()));
    assertEquals(first, log.read(1, 1).get(0).offset(), "a read from a trimmed offset starts at the oldest retained");
  }

  @Test
  void aLostHistoryIsNeverContinuedUnderTheOldIds() {
    EventLog log = newLog(100);
    EventId epoch = log.head();
    List<EventId> old = new ArrayList<>();
    for (int i = 1; i <= 5; i++) old.add(append(log, "old " + i));
    EventLog after = wiped(log);
    EventId fresh = after.head();
    assertEquals(0, fresh.offset(), "the store starts over");
    assertNotEquals(epoch, fresh, "with another epoch");
    for (int i = 1; i <= 7; i++) append(after, "new " + i);
    List<LoggedEvent> events = after.read(0, 10);
    assertTrue(!events.get(0).follows(epoch), "the new first event does not chain to the old history");
    for (int i = 0; i < 5; i++) {
      assertNotEquals(old.get(i), events.get(i).id(), "offset " + (i + 1) + " is another event now, under another id");
    }
  }

  @Test
  void anAppendWithAKeyAlreadySeenIsNotDoubled() {
    EventLog log = newLog(10);
    EventId first = log.append(Publication.of(ServerSentEvent.of("n", "once")).withIdempotencyKey("key-1"));
    EventId again = log.append(Publication.of(ServerSentEvent.of("n", "once")).withIdempotencyKey("key-1"));
    EventId other = log.append(Publication.of(ServerSentEvent.of("n", "other")).withIdempotencyKey("key-2"));
    assertEquals(first, again);
    assertEquals(2, other.offset());
    assertEquals(List.of(1L, 2L), offsets(log.read(0, 10)));
  }

  @Test
  void theTailDeliversWhatFollowsItsStartThenEveryNewEventInOrder() {
    EventLog log = newLog(100);
    EventId second = null;
    for (int i = 1; i <= 5; i++) {
      EventId id = append(log, "e" + i);
      if (i == 2) second = id;
    }
    Collected tail = new Collected();
    closeLater(log.tail(second, tail));
    tail.await(3);
    for (int i = 6; i <= 8; i++) append(log, "e" + i);
    tail.await(6);
    assertEquals(List.of(3L, 4L, 5L, 6L, 7L, 8L), offsets(tail.events));
    assertTrue(tail.events.get(0).follows(second));
    assertArrayEquals(log.read(7, 1).get(0).frame(), tail.events.get(4).frame(), "the tail hands out the same frames");
  }

  @Test
  void theTailSeesConcurrentAppendsFromSeveralInstancesExactlyOnceInOrder() throws Exception {
    EventLog log = newLog(100_000);
    EventLog other = sameStoreAs(log);
    Collected tail = new Collected();
    closeLater(log.tail(log.head(), tail));
    Collected otherTail = new Collected();
    closeLater(other.tail(other.head(), otherTail));
    int threads = 4;
    int each = 300;
    ConcurrentLinkedQueue<EventId> returned = new ConcurrentLinkedQueue<>();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> publishers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      EventLog target = t % 2 == 0 ? log : other;
      Thread p = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < each; i++) returned.add(append(target, "x"));
      }, "test-append-" + t);
      p.start();
      publishers.add(p);
    }
    start.countDown();
    for (Thread p : publishers) p.join();
    tail.await(threads * each);
    otherTail.await(threads * each);
    List<Long> all = LongStream.rangeClosed(1, threads * each).boxed().toList();
    assertEquals(all, offsets(tail.events));
    assertEquals(all, offsets(otherTail.events), "every instance on the store sees the same order");
    assertEquals(all, returned.stream().map(EventId::offset).sorted().toList(), "each append got its own offset");
    for (int i = 1; i < tail.events.size(); i++) assertTrue(tail.events.get(i).follows(tail.events.get(i - 1).id()));
    assertEquals(List.of(), tail.resets);
  }

  @Test
  void aClosedTailHearsNoMore() {
    EventLog log = newLog(10);
    Collected tail = new Collected();
    EventLog.Tail handle = log.tail(log.head(), tail);
    append(log, "heard");
    tail.await(1);
    handle.close();
    append(log, "not heard");
    Collected later = new Collected();
    closeLater(log.tail(log.head(), later));
    append(log, "heard by the new tail");
    later.await(1);
    assertEquals(1, tail.events.size(), "nothing after close returned");
  }

  @Test
  void statusReportsTheNewestId() {
    EventLog log = newLog(10);
    append(log, "a");
    EventLog.Status status = log.status();
    assertTrue(status.reachable());
    assertEquals(log.head(), status.newest());
    assertTrue(!status.kind().isEmpty());
  }
}
