package dev.ssekit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ssekit.protocol.ServerSentEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryEventLogTest extends EventLogContract {
  @Override
  protected EventLog newLog(int history) {
    return closeLater(new InMemoryEventLog(history));
  }

  @Override
  protected EventLog sameStoreAs(EventLog log) {
    return log; // the store is the instance
  }

  @Override
  protected EventLog wiped(EventLog log) {
    return newLog(100); // the process restarted: a new instance is all there is
  }

  @Test
  void retainsExactlyTheNewestCapacityEvents() {
    EventLog log = newLog(3);
    for (int i = 1; i <= 10; i++) log.append(Publication.of(ServerSentEvent.message("e" + i)));
    assertEquals(List.of(8L, 9L, 10L), log.read(0, 10).stream().map(LoggedEvent::offset).toList());
  }

  @Test
  void zeroCapacityRetainsNothingButStillCounts() {
    EventLog log = newLog(0);
    for (int i = 1; i <= 3; i++) log.append(Publication.of(ServerSentEvent.message("e" + i)));
    assertEquals(List.of(), log.read(0, 10));
    assertEquals(3, log.head().offset());
    assertThrows(IllegalArgumentException.class, () -> new InMemoryEventLog(-1));
  }
}
