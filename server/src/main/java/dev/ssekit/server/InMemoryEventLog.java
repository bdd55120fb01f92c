package dev.ssekit.server;

import dev.ssekit.protocol.EventsLost;
import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.protocol.SseEncoder;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@link EventLog} that keeps the newest {@code capacity} events in a ring in memory and
 * numbers events 1, 2, 3, … Thread-safe. Its contents are lost with the process unless the same
 * instance is handed to the next hub (as tests do to simulate a restart).
 */
public final class InMemoryEventLog implements EventLog {
  private final LoggedEvent[] ring;
  private final SseEncoder encoder = new SseEncoder();
  private long nextId = 1;

  /** Creates a log that retains the newest {@code capacity} events (0 retains none). */
  public InMemoryEventLog(int capacity) {
    if (capacity < 0) throw new IllegalArgumentException("capacity must not be negative: " + capacity);
    this.ring = new LoggedEvent[capacity];
  }

  @Override
  public synchronized LoggedEvent append(ServerSentEvent event) {
    long id = nextId++;
    byte[] frame = encoder.reset().event(event.withId(Long.toString(id))).toByteArray();
    LoggedEvent logged = new LoggedEvent(id, frame);
    if (ring.length > 0) ring[(int) (id % ring.length)] = logged;
    return logged;
  }

  @Override
  public synchronized Replay replay(String lastEventId) {
    if (lastEventId == null || lastEventId.isEmpty()) return Replay.NONE;
    long newest = nextId - 1;
    long oldest = Math.max(1, nextId - ring.length); // oldest retained id, or nextId when none is
    long seen = parseId(lastEventId);
    boolean known = seen >= oldest - 1 && seen <= newest;
    long from = known ? seen + 1 : oldest;
    List<LoggedEvent> events = new ArrayList<>((int) Math.max(0, newest - from + 1));
    for (long id = from; id <= newest; id++) events.add(ring[(int) (id % ring.length)]);
    if (known) return new Replay(null, events);
    return new Replay(new EventsLost(lastEventId, oldest <= newest ? Long.toString(oldest) : null), events);
  }

  @Override
  public synchronized long newestId() {
    return nextId - 1;
  }

  /** Returns {@code id} as a number, or -1 when it is not one this log could have given. */
  private static long parseId(String id) {
    if (id.length() > 18) return -1;
    long n = 0;
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c < '0' || c > '9') return -1;
      n = n * 10 + (c - '0');
    }
    return n;
  }
}
