package dev.ssekit.it;

import dev.ssekit.client.SseClient;
import dev.ssekit.client.SseException;
import dev.ssekit.protocol.EventsLost;
import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.server.EventId;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import okhttp3.Response;

/** What one ssekit client received: events, errors, lost signals, opens; thread-safe. */
final class Received implements SseClient.Listener {
  private final List<ServerSentEvent> events = new ArrayList<>();
  private final List<SseException> errors = new ArrayList<>();
  private final List<EventsLost> lost = new ArrayList<>();
  private int opens;
  private boolean closed;

  synchronized void event(ServerSentEvent event) {
    events.add(event);
  }

  @Override
  public synchronized void onOpen(Response response) {
    opens++;
  }

  @Override
  public synchronized void onEventsLost(EventsLost signal) {
    lost.add(signal);
  }

  @Override
  public synchronized void onError(SseException error) {
    errors.add(error);
  }

  @Override
  public synchronized void onClosed() {
    closed = true;
  }

  synchronized List<ServerSentEvent> events() {
    return List.copyOf(events);
  }

  /** Returns the offsets of the events' ids ({@code <offset>.<tag>}), in arrival order. */
  synchronized List<Long> ids() {
    return events.stream().map(e -> EventId.parse(e.id()).offset()).toList();
  }

  synchronized List<SseException> errors() {
    return List.copyOf(errors);
  }

  synchronized List<EventsLost> lost() {
    return List.copyOf(lost);
  }

  synchronized int opens() {
    return opens;
  }

  synchronized boolean closed() {
    return closed;
  }

  synchronized int count() {
    return events.size();
  }

  synchronized boolean has(Predicate<Received> condition) {
    return condition.test(this);
  }

  @Override
  public synchronized String toString() {
    return events.size() + " events (last " + (events.isEmpty() ? "-" : events.get(events.size() - 1).id()) + "), "
        + opens + " opens, errors " + errors.stream().map(e -> e.reason() + ": " + e.getMessage()).toList()
        + ", lost " + lost + (closed ? ", closed" : "");
  }
}
