package dev.ssekit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.GsonBuilder;
import dev.ssekit.client.SseClient;
import dev.ssekit.client.SseEventStream;
import dev.ssekit.protocol.JsonCodec;
import dev.ssekit.protocol.PayloadMapper;
import dev.ssekit.protocol.PayloadType;
import dev.ssekit.protocol.TypedEvent;
import dev.ssekit.server.SseHub;
import dev.ssekit.testing.SseHubExtension;
import io.javalin.json.JavalinGson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A hub's JSON is its Javalin app's ({@code config.jsonMapper}), so events serialise as the app's
 * REST responses do, unless the hub's mapper chose a codec. Served by the testing kit's extension.
 */
class AppJsonContractTest {
  record Order(long orderId, String itemName) {}

  private static final Order ORDER = new Order(42, "tea");

  /** The app's JSON: Gson with snake_case names, and a REST route answering with the same order. */
  private static SseHubExtension servedWithGson(SseHubExtension extension) {
    return extension.withJavalin(javalin -> {
      javalin.jsonMapper(new JavalinGson(new GsonBuilder()
          .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES).create(), false));
      javalin.routes.get("/order", ctx -> ctx.json(ORDER));
    });
  }

  private static String published(SseHub hub, URI url) throws InterruptedException {
    try (SseEventStream<TypedEvent<String>> orders = SseClient.builder()
        .url(url.toString())
        .lastEventId(hub.stats().lastEventId().toString())
        .eventStream("order", PayloadType.of(String.class))) {
      hub.publish("order", ORDER);
      return orders.poll(Duration.ofSeconds(10)).data();
    }
  }

  private static String rest(URI base) throws Exception {
    HttpRequest get = HttpRequest.newBuilder(base.resolve("order")).build();
    return HttpClient.newHttpClient().send(get, HttpResponse.BodyHandlers.ofString()).body();
  }

  @Nested
  class ByDefault {
    @RegisterExtension
    static final SseHubExtension sse = servedWithGson(SseHubExtension.create());

    @Test
    void eventsAreWrittenByTheAppsJsonMapperExactlyAsItsRestResponses(SseHub hub, URI url) throws Exception {
      String event = published(hub, url);
      assertEquals("{\"order_id\":42,\"item_name\":\"tea\"}", event);
      assertEquals(rest(sse.baseUrl()), event);
    }
  }

  @Nested
  class WhenTheHubChoseACodec {
    @RegisterExtension
    static final SseHubExtension sse = servedWithGson(SseHubExtension.create(
        hub -> hub.payloads = PayloadMapper.builder().json(JsonCodec.jackson()).build()));

    @Test
    void theHubKeepsItsOwnCodec(SseHub hub, URI url) throws Exception {
      assertEquals("{\"orderId\":42,\"itemName\":\"tea\"}", published(hub, url));
      assertEquals("{\"order_id\":42,\"item_name\":\"tea\"}", rest(sse.baseUrl()), "the app's own JSON is unchanged");
    }
  }
}
