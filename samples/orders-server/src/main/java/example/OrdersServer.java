package example;

import dev.ssekit.server.HubStats;
import dev.ssekit.server.SseHub;
import dev.ssekit.server.SsePlugin;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson3;
import java.util.Map;

/** A Javalin app that streams orders at /events and reports its health at /health. */
public final class OrdersServer implements AutoCloseable {
  /** What the app streams. */
  public record Order(long id, String item) {}

  private final SseHub hub = SseHub.create(config -> config.history = 10_000);
  private final Javalin app;

  public OrdersServer(int port) {
    app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.jetty.port = port;
      config.jsonMapper(new JavalinJackson3()); // the REST routes' JSON, and so the events'
      config.registerPlugin(new SsePlugin("/events", hub));
      config.routes.get("/health", ctx -> {
        HubStats stats = hub.stats();
        ctx.json(Map.of("clients", stats.clients(), "lastEventId", stats.lastEventId().toString()));
      });
    }).start();
  }

  public int port() {
    return app.port();
  }

  public SseHub hub() {
    return hub;
  }

  /** Ends every stream cleanly, then stops the hub's threads. */
  @Override
  public void close() {
    app.stop();
    hub.close();
  }

  public static void main(String[] args) {
    OrdersServer server = new OrdersServer(8080);
    Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    new OrderDesk(server.hub()).place(new Order(42, "tea"));
  }
}
