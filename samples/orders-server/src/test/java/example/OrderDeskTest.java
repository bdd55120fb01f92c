package example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ssekit.client.SseClient;
import dev.ssekit.client.SseEventStream;
import dev.ssekit.protocol.PayloadType;
import dev.ssekit.protocol.TypedEvent;
import dev.ssekit.server.EventId;
import dev.ssekit.server.SseHub;
import dev.ssekit.testing.SseHubExtension;
import example.OrdersServer.Order;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The producer under test publishes to a real hub, served by the testing kit; the real client reads it. */
class OrderDeskTest {
  @RegisterExtension
  static final SseHubExtension sse = SseHubExtension.create();

  @Test
  void eachPlacedOrderIsStreamedWithItsId(SseHub hub, URI url) throws Exception {
    try (SseEventStream<TypedEvent<Order>> orders = SseClient.builder()
        .url(url.toString())
        .lastEventId(hub.stats().lastEventId().toString()) // from now on, even before the client is connected
        .eventStream("order", PayloadType.of(Order.class))) {
      EventId id = new OrderDesk(hub).place(new Order(1, "tea"));
      TypedEvent<Order> order = orders.poll(Duration.ofSeconds(10));
      assertEquals(new Order(1, "tea"), order.data());
      assertEquals(id.toString(), order.id());
    }
  }
}
