package dev.ssekit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ssekit.protocol.EventsLost;
import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.server.EventLog.LoggedEvent;
import dev.ssekit.server.EventLog.Replay;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryEventLogTest {

  private static List<Long> ids(Replay replay) {
    return replay.events().stream().map(LoggedEvent::id).toList();
  }

  private static InMemoryEventLog logWith(int capacity, int events) {
    InMemoryEventLog log = new InMemoryEventLog(capacity);
    for (int i = 0; i < events; i++) log.append(ServerSentEvent.message("e" + i));
    return log;
  }

  @Test
  void idsStartAtOneAndIncreaseAndAreEncodedOnce() {
    InMemoryEventLog log = new InMemoryEventLog(10);
    LoggedEvent first = log.append(ServerSentEvent.of("t", "a", "ignored"));
    LoggedEvent second = log.append(ServerSentEvent.of("t", "b"));
    assertEquals(1, first.id());
    assertEquals(2, second.id());
    assertEquals("id: 1\nevent: t\ndata: a\n\n", new String(first.frame(), StandardCharsets.UTF_8));
    assertSame(second.frame(), log.replay("1").events().get(0).frame(), "replay hands out the stored bytes");
    assertEquals(2, log.newestId());
  }

  @Test
  void newClientGetsNothing() {
    InMemoryEventLog log = logWith(10, 5);
    assertSame(Replay.NONE, log.replay(null));
    assertSame(Replay.NONE, log.replay(""));
  }

  @Test
  void knownIdReplaysWhatFollows() {
    InMemoryEventLog log = logWith(10, 5);
    assertEquals(List.of(3L, 4L, 5L), ids(log.replay("2")));
    assertNull(log.replay("2").lost());
    assertEquals(List.of(), ids(log.replay("5")));
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), ids(log.replay("0")));
    assertNull(log.replay("0").lost());
  }

  @Test
  void idJustBeforeTheOldestRetainedLosesNothing() {
    InMemoryEventLog log = logWith(3, 10); // retains 8, 9, 10
    Replay replay = log.replay("7");
    assertNull(replay.lost());
    assertEquals(List.of(8L, 9L, 10L), ids(replay));
  }

  @Test
  void tooOldIdSignalsLossThenReplaysEverythingRetained() {
    InMemoryEventLog log = logWith(3, 10);
    Replay replay = log.replay("5");
    assertEquals(new EventsLost("5", "8"), replay.lost());
    assertEquals(List.of(8L, 9L, 10L), ids(replay));
  }

  @Test
  void unknownIdsSignalLoss() {
    InMemoryEventLog log = logWith(3, 10);
    for (String unknown : new String[] {"11", "abc", "-1", "1.5", "99999999999999999999", " 9"}) {
      Replay replay = log.replay(unknown);
      assertEquals(new EventsLost(unknown, "8"), replay.lost(), unknown);
      assertEquals(List.of(8L, 9L, 10L), ids(replay), unknown);
    }
  }

  @Test
  void emptyLogAfterARestartSignalsLossWithNothingToReplay() {
    InMemoryEventLog fresh = new InMemoryEventLog(10);
    Replay replay = fresh.replay("42");
    assertEquals(new EventsLost("42", null), replay.lost());
    assertEquals(List.of(), ids(replay));
  }

  @Test
  void zeroCapacityRetainsNothing() {
    InMemoryEventLog log = logWith(0, 3);
    assertNull(log.replay("3").lost());
    assertEquals(new EventsLost("2", null), log.replay("2").lost());
    assertThrows(IllegalArgumentException.class, () -> new InMemoryEventLog(-1));
  }
}
