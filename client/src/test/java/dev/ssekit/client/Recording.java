package dev.ssekit.client;

import dev.ssekit.protocol.EventsLost;
import dev.ssekit.protocol.ServerSentEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;
import okhttp3.Response;

/** Records every callback a client makes, in order, with the thread it ran on; and waits for them. */
final class Recording implements SseClient.Listener {
  record Call(String kind, Object value, String thread) {}

  private final List<Call> calls = new ArrayList<>();

  synchronized void add(String kind, Object value) {
    calls.add(new Call(kind, value, Thread.currentThread().getName()));
    notifyAll();
  }

  /** A state change as the listener heard it. */
  record Change(SseClient.State state, SseException cause) {
    @Override
    public String toString() {
      return state + (cause == null ? "" : "(" + cause.reason() + ")");
    }
  }

  @Override
  public void onStateChange(SseClient.State state, SseException cause) {
    add("state", new Change(state, cause));
  }

  @Override
  public void onOpen(Response response) {
    add("open", response.code());
  }

  @Override
  public void onEventsLost(EventsLost lost) {
    add("lost", lost);
  }

  @Override
  public void onError(SseException error) {
    add("error", error);
  }

  @Override
  public void onClosed() {
    add("closed", null);
  }

  /** A raw-event handler that records into this. */
  void event(ServerSentEvent event) {
    add("event", event);
  }

  synchronized List<Call> calls() {
    return List.copyOf(calls);
  }

  /** Returns the kinds of the calls in order, a state change as "state:" and its state and cause, e.g. "state:CONNECTING(STREAM_ENDED)". */
  synchronized List<String> kinds() {
    return calls.stream().map(c -> c.kind().equals("state") ? "state:" + c.value() : c.kind()).toList();
  }

  List<Change> states() {
    return values("state", Change.class);
  }

  synchronized List<Object> values(String kind) {
    return calls.stream().filter(c -> c.kind().equals(kind)).map(Call::value).toList();
  }

  @SuppressWarnings("unchecked")
  synchronized <T> List<T> values(String kind, Class<T> type) {
    return (List<T>) values(kind);
  }

  /** Returns the values of {@code kind}, as the type the caller knows they have (for generic ones). */
  @SuppressWarnings("unchecked")
  synchronized <T> List<T> valuesAs(String kind) {
    return (List<T>) values(kind);
  }

  List<SseException> errors() {
    return values("error", SseException.class);
  }

  synchronized boolean closed() {
    return calls.stream().anyMatch(c -> c.kind().equals("closed"));
  }

  /** Waits until at least {@code n} calls of {@code kind} were made. */
  void await(String kind, int n) throws InterruptedException {
    await(() -> n + " '" + kind + "' callbacks", r -> r.values(kind).size() >= n);
  }

  void awaitClosed() throws InterruptedException {
    await("closed", 1);
  }

  synchronized void await(Supplier<String> what, Predicate<Recording> condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.test(this)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) throw new AssertionError("timed out waiting for " + what.get() + "; calls so far: " + calls);
      // Callbacks notify; a condition on state outside this recording is polled every 10 ms.
      wait(Math.max(1, Math.min(10, left / 1_000_000)));
    }
  }
}
