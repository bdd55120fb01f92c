package dev.ssekit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ssekit.client.SseClient;
import dev.ssekit.client.SseEventStream;
import dev.ssekit.protocol.PayloadType;
import dev.ssekit.protocol.TypedEvent;
import dev.ssekit.server.EventId;
import dev.ssekit.server.SseHub;
import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SseHubExtensionTest {
  /** One hub for every test of the class, injected. */
  @Nested
  class PerClass {
    @RegisterExtension
    static final SseHubExtension sse = SseHubExtension.create(hub -> hub.history = 50).withPath("/events");

    @Test
    void injectsTheHubAndTheUrlOfItsStream(SseHub hub, URI url) throws Exception {
      assertSame(sse.hub(), hub);
      assertEquals(sse.url(), url);
      assertEquals("/events", url.getPath());
      assertEquals("127.0.0.1", url.getHost());
      try (SseEventStream<TypedEvent<String>> orders = SseClient.builder()
          .url(url.toString())
          .lastEventId(hub.stats().lastEventId().toString())
          .eventStream("order", PayloadType.of(String.class))) {
        EventId id = hub.publish("order", "tea");
        TypedEvent<String> order = orders.poll(Duration.ofSeconds(10));
        assertEquals("tea", order.data());
        assertEquals(id.toString(), order.id());
      }
    }

    @Test
    void theSameHubServesTheNextTest(SseHub hub) {
      assertSame(sse.hub(), hub);
    }
  }

  @Test
  void aHubPerMethodStartsAndStopsWithNoThreadLeft() throws Exception {
    Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
    SseHubExtension perMethod = SseHubExtension.create();
    assertThrows(IllegalStateException.class, perMethod::hub, "nothing is served outside a test");

    perMethod.beforeEach(null); // as JUnit calls it for an instance field
    SseHub first = perMethod.hub();
    assertTrue(first.stats().clients() == 0);
    perMethod.afterEach(null);
    assertThrows(IllegalStateException.class, perMethod::url);

    perMethod.beforeEach(null);
    assertNotSame(first, perMethod.hub(), "each method gets a fresh hub");
    perMethod.afterEach(null);
    assertThrows(IllegalStateException.class, () -> first.publish("x", "closed"), "the hub was closed");

    List<Thread> left = Thread.getAllStackTraces().keySet().stream().filter(t -> !before.contains(t)).toList();
    for (Thread t : left) t.join(10_000); // a stopped server's threads end by themselves; wait for each, bounded
    assertEquals(List.of(), left.stream().filter(Thread::isAlive).map(Thread::getName).toList(), "threads left running");
  }
}
