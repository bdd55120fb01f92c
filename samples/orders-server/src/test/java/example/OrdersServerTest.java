package example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ssekit.client.SseClient;
import dev.ssekit.client.SseEventStream;
import dev.ssekit.protocol.PayloadType;
import dev.ssekit.protocol.TypedEvent;
import example.OrdersServer.Order;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The app as its users see it: the published artifacts, outside ssekit's own build. */
class OrdersServerTest {
  @Test
  void streamsOrdersAsTheAppsJsonAndReportsHealth() throws Exception {
    try (OrdersServer server = new OrdersServer(0);
         SseEventStream<TypedEvent<String>> raw = SseClient.builder()
             .url("http://127.0.0.1:" + server.port() + "/events")
             .lastEventId(server.hub().stats().lastEventId().toString())
             .eventStream("order", PayloadType.of(String.class))) {
      new OrderDesk(server.hub()).place(new Order(42, "tea"));
      assertEquals("{\"id\":42,\"item\":\"tea\"}", raw.poll(Duration.ofSeconds(10)).data());

      HttpResponse<String> health = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, health.statusCode());
      assertTrue(health.body().contains("\"clients\":1"), health.body());
    }
  }
}
