package example;

import dev.ssekit.server.EventId;
import dev.ssekit.server.SseHub;
import example.OrdersServer.Order;

/** The producer: takes orders and streams each to every subscriber. */
public final class OrderDesk {
  private final SseHub hub;

  public OrderDesk(SseHub hub) {
    this.hub = hub;
  }

  public EventId place(Order order) {
    return hub.publish("order", order);
  }
}
