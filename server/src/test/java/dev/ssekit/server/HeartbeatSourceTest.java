package dev.ssekit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HeartbeatSourceTest {
  private final List<AutoCloseable> open = new ArrayList<>();

  private <T extends AutoCloseable> T closeLater(T resource) {
    open.add(resource);
    return resource;
  }

  @AfterEach
  void close() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
  }

  private static List<Long> beatMillis(EventLog log) {
    return log.read(0, 10_000).stream()
        .map(e -> new String(e.frame(), java.nio.charset.StandardCharsets.UTF_8))
        .map(frame -> Long.parseLong(frame.substring(frame.indexOf("data: ") + 6, frame.indexOf('\n', frame.indexOf("data: ")))))
        .toList();
  }

  @Test
  void severalSourcesOnOneLogPutOneBeatPerIntervalIntoItAndTheRestGoOnWhenOneStops() {
    ControlledLog log = closeLater(new ControlledLog(10_000));
    SseHub a = closeLater(SseHub.create(c -> c.eventLog = log));
    SseHub b = closeLater(SseHub.create(c -> c.eventLog = log));
    SseHub c3 = closeLater(SseHub.create(c -> c.eventLog = log));
    HeartbeatSource first = closeLater(HeartbeatSource.start(a, Duration.ofMillis(20)));
    closeLater(HeartbeatSource.start(b, Duration.ofMillis(20)));
    closeLater(HeartbeatSource.start(c3, Duration.ofMillis(20)));
    Await.until("30 beats", () -> log.head().offset() >= 30);
    first.close();
    long before = log.head().offset();
    Await.until("30 more beats without the first source", () -> log.head().offset() >= before + 30);

    List<Long> slots = beatMillis(log).stream().map(ms -> Math.floorDiv(ms + 10, 20)).toList();
    assertEquals(slots.size(), Set.copyOf(slots).size(), "never two beats for one interval: " + slots);
    assertEquals(slots.stream().sorted().toList(), slots, "in the order of their intervals");
  }

  @Test
  void aBeatThatCannotBePublishedIsTriedAgainAtTheNextIntervalAndTheSourceStopsOnlyWithItsHub() {
    ControlledLog log = closeLater(new ControlledLog(1000));
    SseHub hub = SseHub.create(c -> c.eventLog = log);
    java.util.Set<Thread> before = Await.threadSet("ssekit-heartbeat");
    closeLater(HeartbeatSource.start(hub, Duration.ofMillis(10)));
    Await.until("a beat", () -> log.head().offset() >= 1);
    log.down();
    Await.until("three beats to fail", () -> log.failures() >= 3);
    log.up();
    long after = log.head().offset();
    Await.until("beats again once the log is back", () -> log.head().offset() >= after + 3);
    hub.close();
    Await.noThreadsBut(before, "ssekit-heartbeat"); // the hub's closing stopped it
  }

  @Test
  void anIntervalUnderAMillisecondIsRefusedWithoutAThreadLeft() {
    SseHub hub = closeLater(SseHub.create());
    java.util.Set<Thread> before = Await.threadSet("ssekit-heartbeat");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HeartbeatSource.start(hub, Duration.ofNanos(999_999)));
    assertTrue(e.getMessage().contains("heartbeat interval"), e.getMessage());
    Await.noThreadsBut(before, "ssekit-heartbeat");
  }
}
