package dev.ssekit.server;

import dev.ssekit.protocol.EventsLost;
import dev.ssekit.protocol.ServerSentEvent;
import java.util.List;

/**
 * Where a hub assigns ids and keeps recent events for clients that resume with
 * {@code Last-Event-ID}. The default is {@link InMemoryEventLog}; an implementation backed by a
 * shared store lets a stream outlive one server process.
 *
 * <p>A hub calls both methods under one lock, so an implementation need not order them itself,
 * but it must be safe to share between hubs (as when a server restarts around the same log).
 */
public interface EventLog {
  /**
   * Gives {@code event} the next id, which is greater than every id given before, encodes it
   * once, keeps it for replay and returns it.
   */
  LoggedEvent append(ServerSentEvent event);

  /**
   * Returns what a client that has seen everything up to {@code lastEventId} must receive before
   * the live stream: the retained events after it, and a loss signal when the id is older than
   * the log retains or unknown to it. A null or empty id means a new client: nothing to replay.
   */
  Replay replay(String lastEventId);

  /** Returns the id of the newest event, or 0 if there is none yet. */
  long newestId();

  /** An event with its id and its encoded frame, the exact bytes every client receives. */
  record LoggedEvent(long id, byte[] frame) {}

  /**
   * The catch-up for a resuming client.
   *
   * @param lost the loss signal to send first, or null if nothing was lost
   * @param events the retained events after the client's id, oldest first
   */
  record Replay(EventsLost lost, List<LoggedEvent> events) {
    /** The replay of a new client: nothing lost, nothing to send. */
    public static final Replay NONE = new Replay(null, List.of());

    /** Creates a replay; {@code events} is copied. */
    public Replay {
      events = List.copyOf(events);
    }
  }
}
