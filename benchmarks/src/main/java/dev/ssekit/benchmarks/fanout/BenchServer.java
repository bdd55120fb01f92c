package dev.ssekit.benchmarks.fanout;

import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.server.HubStats;
import dev.ssekit.server.SseHub;
import dev.ssekit.server.SsePlugin;
import io.javalin.Javalin;
import io.javalin.http.ContentType;
import io.javalin.http.sse.SseClient;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The servers the load driver measures, one per process, both on Javalin 7 with default Jetty
 * settings and the same {@link Publisher}:
 *
 * <ul>
 *   <li>{@code --impl ssekit}: an {@link SseHub} served by {@link SsePlugin} at {@code /sse};</li>
 *   <li>{@code --impl javalin}: the baseline a Javalin user would otherwise write, from Javalin's
 *       documentation: {@code routes.sse} keeping every {@link SseClient} in a set, and a loop
 *       that calls {@code sendEvent} on each.</li>
 * </ul>
 *
 * <p>Each event's data is the epoch millisecond it was scheduled for, then {@code --payload-bytes}
 * of padding; its id counts up from 1. {@code GET /health} answers
 * {@code {"clients":n,"published":n,"slowClientsDisconnected":n}}.
 *
 * <pre>java -Xmx1g -cp benchmarks/target/benchmarks.jar dev.ssekit.benchmarks.fanout.BenchServer \
 *     --impl ssekit --port 8090 --rate 100 --payload-bytes 0</pre>
 */
public final class BenchServer {
  private BenchServer() {}

  /** Starts the server; it runs until the process is stopped. */
  public static void main(String[] args) throws InterruptedException {
    Flags flags = Flags.parse(args, Map.of(
        "impl", "ssekit", "host", "127.0.0.1", "port", "8090", "rate", "1", "payload-bytes", "0",
        "max-clients", "100000"));
    String impl = flags.get("impl");
    double rate = flags.getDouble("rate");
    String padding = flags.getInt("payload-bytes") == 0 ? "" : " " + "x".repeat(flags.getInt("payload-bytes") - 1);
    String type = padding.isEmpty() ? ServerSentEvent.HEARTBEAT_TYPE : "tick";

    AutoCloseable server = switch (impl) {
      case "ssekit" -> ssekit(flags, rate, type, padding);
      case "javalin" -> javalin(flags, rate, type, padding);
      default -> throw new IllegalArgumentException("--impl must be ssekit or javalin: " + impl);
    };
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.close();
      } catch (Exception e) {
        System.err.println("bench-server: stop failed: " + e);
      }
      stopped.countDown();
    }, "bench-server-shutdown"));
    System.out.println("bench-server " + impl + " listening on " + flags.get("host") + ":" + flags.get("port"));
    stopped.await();
  }

  private static AutoCloseable ssekit(Flags flags, double rate, String type, String padding) {
    SseHub hub = SseHub.create(config -> {
      config.maxClients = flags.getInt("max-clients");
      config.retry = Duration.ofSeconds(2);
    });
    Javalin app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.jetty.host = flags.get("host");
      config.jetty.port = flags.getInt("port");
      config.registerPlugin(new SsePlugin("/sse", hub));
      config.routes.get("/health", ctx -> {
        HubStats stats = hub.stats();
        ctx.contentType(ContentType.JSON).result(health(stats.clients(), stats.published(), stats.slowClientsDisconnected()));
      });
    }).start();
    Publisher publisher = new Publisher(rate, millis -> hub.publish(ServerSentEvent.of(type, millis + padding)));
    return () -> {
      publisher.close();
      app.stop();
      hub.close();
    };
  }

  private static AutoCloseable javalin(Flags flags, double rate, String type, String padding) {
    Set<SseClient> clients = ConcurrentHashMap.newKeySet();
    AtomicLong published = new AtomicLong();
    Javalin app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.jetty.host = flags.get("host");
      config.jetty.port = flags.getInt("port");
      // As Javalin's documentation shows it (a concurrent set instead of its queue, whose
      // remove() would be linear in the number of clients).
      config.routes.sse("/sse", client -> {
        client.keepAlive();
        client.onClose(() -> clients.remove(client));
        clients.add(client);
      });
      config.routes.get("/health", ctx ->
          ctx.contentType(ContentType.JSON).result(health(clients.size(), published.get(), 0)));
    }).start();
    Publisher publisher = new Publisher(rate, millis -> {
      String id = Long.toString(published.incrementAndGet());
      String data = millis + padding;
      for (SseClient client : clients) client.sendEvent(type, data, id);
    });
    return () -> {
      publisher.close();
      clients.forEach(SseClient::close);
      app.stop();
    };
  }

  private static String health(long clients, long published, long slowDisconnected) {
    return "{\"clients\":" + clients + ",\"published\":" + published + ",\"slowClientsDisconnected\":" + slowDisconnected + "}";
  }
}
