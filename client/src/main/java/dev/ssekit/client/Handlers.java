package dev.ssekit.client;

import static dev.ssekit.client.Dispatcher.safely;

import dev.ssekit.protocol.EventsLost;
import dev.ssekit.protocol.PayloadException;
import dev.ssekit.protocol.PayloadMapper;
import dev.ssekit.protocol.PayloadType;
import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.protocol.SseComment;
import dev.ssekit.protocol.TypedEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What the user asked to hear about the stream's content, and the running of it: typed handlers
 * by event type, the handler for the other events, the comment handler, and the lost-events
 * signal. Everything here runs on the callback thread, one call at a time. A handler that throws
 * or data that does not convert is reported to the listener and the stream goes on.
 */
final class Handlers {
  /**
   * A typed handler: {@code values} gets the converted data, or {@code events} the data with its
   * event's metadata; exactly one of them is set.
   */
  record Typed<T>(PayloadType<T> type, Consumer<? super T> values, Consumer<? super TypedEvent<T>> events) {}

  /** The handlers as a builder collects them; {@link #copy()} keeps builders independent. */
  static final class Registry {
    private final Map<String, List<Typed<?>>> typed = new LinkedHashMap<>();
    Consumer<ServerSentEvent> others;
    Consumer<SseComment> comments;

    void add(String eventType, Typed<?> handler) {
      typed.computeIfAbsent(eventType, t -> new ArrayList<>()).add(handler);
    }

    Registry copy() {
      Registry copy = new Registry();
      typed.forEach((type, list) -> copy.typed.put(type, new ArrayList<>(list)));
      copy.others = others;
      copy.comments = comments;
      return copy;
    }
  }

  private final PayloadMapper payloads;
  private final Map<String, List<Typed<?>>> typed;
  private final Consumer<ServerSentEvent> others;
  private final Consumer<SseComment> comments;
  private final SseClient.Listener listener;

  Handlers(Registry registry, PayloadMapper payloads, SseClient.Listener listener) {
    Map<String, List<Typed<?>>> byType = new LinkedHashMap<>();
    registry.typed.forEach((type, list) -> byType.put(type, List.copyOf(list)));
    this.typed = Map.copyOf(byType);
    this.others = registry.others;
    this.comments = registry.comments;
    this.payloads = payloads;
    this.listener = listener;
  }

  /** Returns whether anyone listens to comments; if not, the decoder does not even build them. */
  boolean wantsComments() {
    return comments != null;
  }

  /** Runs the handlers for one event; the lost-events signal goes to the listener alone. */
  void event(ServerSentEvent event) {
    if (event.type().equals(EventsLost.TYPE)) {
      lost(event);
      return;
    }
    List<Typed<?>> handlers = typed.get(event.type());
    if (handlers != null) {
      for (Typed<?> handler : handlers) invoke(handler, event);
    } else if (others != null) {
      handle(event, () -> others.accept(event));
    }
  }

  /** Runs the comment handler. */
  void comment(SseComment comment) {
    try {
      comments.accept(comment);
    } catch (RuntimeException | Error e) {
      if (e instanceof VirtualMachineError) throw e;
      SseException error = new SseException(SseException.Reason.HANDLER,
          "the comment handler threw " + e, e, -1, null, false, null);
      safely(() -> listener.onError(error));
    }
  }

  private void lost(ServerSentEvent event) {
    EventsLost lost;
    try {
      lost = payloads.decode(event, EventsLost.class);
    } catch (PayloadException e) {
      report(SseException.Reason.PAYLOAD, e, event);
      return;
    }
    safely(() -> listener.onEventsLost(lost));
  }

  private <T> void invoke(Typed<T> handler, ServerSentEvent event) {
    T payload;
    try {
      payload = payloads.decode(event, handler.type());
    } catch (PayloadException e) {
      report(SseException.Reason.PAYLOAD, e, event);
      return;
    }
    if (handler.values() != null) {
      handle(event, () -> handler.values().accept(payload));
    } else {
      handle(event, () -> handler.events().accept(TypedEvent.of(event, payload)));
    }
  }

  private void handle(ServerSentEvent event, Runnable handler) {
    try {
      handler.run();
    } catch (RuntimeException | Error e) {
      if (e instanceof VirtualMachineError) throw e;
      report(SseException.Reason.HANDLER, e, event);
    }
  }

  private void report(SseException.Reason reason, Throwable cause, ServerSentEvent event) {
    String what = reason == SseException.Reason.PAYLOAD ? cause.getMessage() : "handler for '" + event.type() + "' event"
        + (event.id() == null ? "" : " (id " + event.id() + ")") + " threw " + cause;
    SseException error = new SseException(reason, what, cause, -1, null, false, event);
    safely(() -> listener.onError(error));
  }
}
