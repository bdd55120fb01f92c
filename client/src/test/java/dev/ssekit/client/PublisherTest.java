package dev.ssekit.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ssekit.protocol.PayloadType;
import dev.ssekit.protocol.TypedEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The Flow.Publisher: demand is backpressure, nothing is lost, cancel() releases everything. */
class PublisherTest extends ClientTestBase {
  /** A subscriber that requests only when told to, and records what it gets and how it ends. */
  static class Probe implements Flow.Subscriber<TypedEvent<Integer>> {
    final List<TypedEvent<Integer>> received = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
    Flow.Subscription subscription;
    long requested;
    Throwable error;
    boolean completed;
    int onSubscribeCalls;

    @Override
    public synchronized void onSubscribe(Flow.Subscription s) {
      onSubscribeCalls++;
      subscription = s;
      notifyAll();
    }

    @Override
    public synchronized void onNext(TypedEvent<Integer> item) {
      if (received.size() >= requested) problems.add("onNext beyond demand: " + item);
      if (error != null || completed) problems.add("onNext after the end");
      received.add(item);
      notifyAll();
    }

    @Override
    public synchronized void onError(Throwable t) {
      if (error != null || completed) problems.add("second terminal signal");
      error = t;
      notifyAll();
    }

    @Override
    public synchronized void onComplete() {
      if (error != null || completed) problems.add("second terminal signal");
      completed = true;
      notifyAll();
    }

    void request(long n) {
      synchronized (this) {
        requested = requested + n < 0 ? Long.MAX_VALUE : requested + n;
      }
      subscription.request(n);
    }

    synchronized int count() {
      return received.size();
    }

    synchronized void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (!condition.getAsBoolean()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) throw new AssertionError("timed out waiting for " + what + "; got " + received + ", error " + error);
        wait(Math.max(1, left / 1_000_000));
      }
    }
  }

  /** A probe whose subscription is cancelled after the test, whatever happens in it. */
  private Probe probe() {
    Probe probe = new Probe();
    closeLater(() -> {
      if (probe.subscription != null) probe.subscription.cancel();
    });
    return probe;
  }

  private Flow.Publisher<TypedEvent<Integer>> numbers() {
    return builder().publisher("n", PayloadType.of(Integer.class));
  }

  private static String events(int from, int to) {
    StringBuilder s = new StringBuilder();
    for (int i = from; i <= to; i++) s.append("id: ").append(i).append("\nevent: n\ndata: ").append(i).append("\n\n");
    return s.toString();
  }

  @Test
  void requestOneDeliversOneAtATimeAndLosesNothing() throws Exception {
    open().send(events(1, 300));
    Probe probe = probe();
    numbers().subscribe(probe);
    assertEquals(1, probe.onSubscribeCalls);
    for (int i = 1; i <= 300; i++) {
      int expected = i;
      probe.request(1);
      probe.await("event " + i, () -> probe.received.size() == expected);
    }
    assertEquals(IntStream.rangeClosed(1, 300).boxed().toList(), probe.received.stream().map(TypedEvent::data).toList());
    assertEquals("300", probe.received.get(299).id());
    assertEquals(List.of(), probe.problems);
    probe.subscription.cancel();
    Await.until("client threads to end", () -> Await.threads("ssekit-client-") == 0);
  }

  @Test
  void withoutDemandTheReaderStopsAtTheBufferAndNothingIsDelivered() throws Exception {
    OpenBody body = open();
    Probe probe = probe();
    builder().bufferCapacity(4).publisher("n", PayloadType.of(Integer.class)).subscribe(probe);
    body.send(events(1, 50));
    recording.await("open", 1);
    probe.request(2);
    probe.await("two events", () -> probe.received.size() == 2);
    // The rest waits: the handler holds one, the buffer four, the socket the others. Once the
    // reader blocks on the full buffer, nothing more can arrive without demand.
    Await.until("the reader to wait for room in the buffer", PublisherTest::readerWaitsForTheBuffer);
    assertEquals(2, probe.count());
    probe.request(Long.MAX_VALUE);
    probe.request(Long.MAX_VALUE); // saturates, rule 3.17
    probe.await("all events", () -> probe.received.size() == 50);
    assertEquals(List.of(), probe.problems);
    probe.subscription.cancel();
  }

  private static boolean readerWaitsForTheBuffer() {
    return Thread.getAllStackTraces().entrySet().stream()
        .filter(e -> e.getKey().getName().startsWith("ssekit-client-reader-") && e.getKey().getState() == Thread.State.WAITING)
        .anyMatch(e -> java.util.Arrays.stream(e.getValue())
            .anyMatch(f -> f.getClassName().equals(Dispatcher.class.getName()) && f.getMethodName().equals("put")));
  }

  @Test
  void cancelReleasesEveryThreadEvenWhileTheHandlerWaitsForDemand() throws Exception {
    open().send(events(1, 100));
    Probe probe = probe();
    numbers().subscribe(probe);
    probe.request(1);
    probe.await("one event", () -> probe.received.size() == 1);
    assertTrue(Await.threads("ssekit-client-") >= 2, "reader and callback thread run");
    probe.subscription.cancel();
    probe.subscription.cancel(); // idempotent
    Await.until("client threads to end", () -> Await.threads("ssekit-client-") == 0);
    probe.request(5); // after cancel: nothing
    assertEquals(1, probe.count());
    assertNull(probe.error);
    assertEquals(false, probe.completed, "no signal after cancel");
    recording.awaitClosed();
  }

  @Test
  void cancelFromOnNextStopsTheStream() throws Exception {
    open().send(events(1, 10));
    List<Integer> got = new ArrayList<>();
    numbers().subscribe(new Flow.Subscriber<>() {
      Flow.Subscription s;

      @Override
      public void onSubscribe(Flow.Subscription subscription) {
        s = subscription;
        s.request(Long.MAX_VALUE);
      }

      @Override
      public void onNext(TypedEvent<Integer> item) {
        got.add(item.data());
        if (item.data() == 3) s.cancel();
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onComplete() {}
    });
    recording.awaitClosed();
    Await.until("client threads to end", () -> Await.threads("ssekit-client-") == 0);
    assertEquals(List.of(1, 2, 3), got);
  }

  @Test
  void anOnNextThatThrowsIsReportedAndTheStreamGoesOn() throws Exception {
    open().send(events(1, 2));
    Probe probe = new Probe() {
      @Override
      public synchronized void onNext(TypedEvent<Integer> item) {
        super.onNext(item);
        if (item.data() == 1) throw new IllegalStateException("subscriber bug");
      }
    };
    closeLater(() -> probe.subscription.cancel());
    numbers().subscribe(probe);
    probe.request(2);
    probe.await("both events", () -> probe.received.size() == 2);
    assertEquals(SseException.Reason.HANDLER, recording.errors().get(0).reason());
    assertEquals("1", recording.errors().get(0).event().id());
  }

  @Test
  void aCleanEndCompletesAfterEveryEventAndAFatalErrorFails() throws Exception {
    enqueueStream(events(1, 3));
    Probe clean = probe();
    builder().reconnectPolicy(ReconnectPolicy.NEVER).publisher("n", PayloadType.of(Integer.class)).subscribe(clean);
    clean.request(2);
    clean.await("two events", () -> clean.count() == 2);
    assertEquals(false, clean.completed, "the stream ended, but an event still waits for demand");
    clean.request(10);
    clean.await("completion", () -> clean.completed);
    assertEquals(3, clean.count());
    recording.awaitClosed();

    enqueueStream(events(1, 1));
    enqueueStatus(401);
    Probe failed = probe();
    numbers().subscribe(failed);
    failed.request(10);
    failed.await("the error", () -> failed.error != null);
    assertEquals(401, ((SseException) failed.error).statusCode());
    assertEquals(1, failed.count());
    assertEquals(List.of(), clean.problems);
    assertEquals(List.of(), failed.problems);
  }

  @Test
  void aNonPositiveRequestFailsTheSubscription() throws Exception {
    open().send(events(1, 5));
    Probe probe = probe();
    numbers().subscribe(probe);
    probe.subscription.request(0);
    probe.await("the error", () -> probe.error != null);
    assertTrue(probe.error instanceof IllegalArgumentException, String.valueOf(probe.error));
    assertTrue(probe.error.getMessage().contains("3.9"), probe.error.getMessage());
    Await.until("client threads to end", () -> Await.threads("ssekit-client-") == 0);

    Probe early = new Probe() {
      @Override
      public synchronized void onSubscribe(Flow.Subscription s) {
        super.onSubscribe(s);
        s.request(-1); // inside onSubscribe: the error still comes after it
      }
    };
    numbers().subscribe(early);
    early.await("the error", () -> early.error != null);
    assertEquals(List.of(), early.problems);
    Await.until("client threads to end", () -> Await.threads("ssekit-client-") == 0);
  }

  @Test
  void subscribersGetTheSettingsOfWhenThePublisherWasMadeAndNothingOfEachOther() throws Exception {
    enqueueStream(events(1, 2));
    enqueueStream(events(3, 4));
    SseClient.Builder builder = builder().reconnectPolicy(ReconnectPolicy.NEVER);
    Flow.Publisher<TypedEvent<Integer>> publisher = builder.publisher("n", PayloadType.of(Integer.class));
    builder.header("X-Late", "yes");
    Probe a = probe();
    Probe b = probe();
    publisher.subscribe(a);
    a.await("a's client to start", () -> a.subscription != null);
    server.takeRequest(); // a's connection is made before b's
    publisher.subscribe(b);
    b.request(10); // a has no demand: were b's client to serve a too, it would wait for a
    b.await("b to complete", () -> b.completed);
    a.request(10);
    a.await("a to complete", () -> a.completed);
    assertEquals(List.of(1, 2), a.received.stream().map(TypedEvent::data).toList());
    assertEquals(List.of(3, 4), b.received.stream().map(TypedEvent::data).toList());
    assertNull(server.takeRequest().getHeaders().get("X-Late"), "the builder changed after publisher()");
  }

  @Test
  void eachSubscriberHasItsOwnConnection() throws Exception {
    enqueueStream(events(1, 2));
    enqueueStream(events(1, 2));
    Flow.Publisher<TypedEvent<Integer>> publisher = builder().reconnectPolicy(ReconnectPolicy.NEVER)
        .publisher("n", PayloadType.of(Integer.class));
    Probe a = probe();
    Probe b = probe();
    publisher.subscribe(a);
    publisher.subscribe(b);
    a.request(5);
    b.request(5);
    a.await("a to complete", () -> a.completed);
    b.await("b to complete", () -> b.completed);
    assertEquals(2, a.count());
    assertEquals(2, b.count());
    assertEquals(2, server.getRequestCount());
    assertThrows(NullPointerException.class, () -> publisher.subscribe(null));
  }
}
