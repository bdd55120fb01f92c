package dev.ssekit.benchmarks.fanout;

import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.redis.RedisEventLog;
import dev.ssekit.server.EventLog;
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
import java.util.concurrent.atomic.AtomicReference;

/**
 * The servers the load driver measures, one per process, with the same {@link Publisher}; the
 * first two on Javalin 7 with default Jetty settings:
 *
 * <ul>
 *   <li>{@code --impl ssekit}: an {@link SseHub} served by {@link SsePlugin} at {@code /sse};</li>
 *   <li>{@code --impl javalin}: the baseline a Javalin user would otherwise write, from Javalin's
 *       documentation: {@code routes.sse} keeping every {@link SseClient} in a set, and a loop
 *       that calls {@code sendEvent} on each;</li>
 *   <li>{@code --impl floor}: the {@link FloorServer}, plain NIO writing each event as one chunk to
 *       each socket from {@code --threads} writer threads (default: one per core), the least work
 *       any Java server can do per write; the figure the other two are measured against.</li>
 * </ul>
 *
 * <p>Each event's data is the epoch millisecond it was scheduled for, then {@code --payload-bytes}
 * of padding. {@code --rate 0} publishes nothing: a node that only serves what other nodes
 * publish to the same log. {@code GET /health} answers
 * {@code {"clients":n,"published":n,"slowClientsDisconnected":n,...}}; {@code GET /publish-durations}
 * how long each publish call took since the previous request ({@code micros:count,...}).
 *
 * <p>ssekit's hub appends to the log {@code --log} names: {@code memory} (its own in-memory log;
 * ids {@code <offset>.<tag>}), or a Redis Stream, {@code redis://host:port/STREAM}, shared by
 * every server started on the same stream (as {@code ssekit-server.jar --log} does, with
 * {@code --history} events kept). The Javalin baseline has no log; its ids count up from 1. The
 * floor has none either; its ids have ssekit's form, {@code <offset>.<tag>}.
 *
 * <pre>java -Xmx1g -cp benchmarks/target/benchmarks.jar dev.ssekit.benchmarks.fanout.BenchServer \
 *     --impl ssekit|javalin|floor --port 8090 --rate 100 --payload-bytes 0 [--log redis://127.0.0.1:6379/bench]</pre>
 */
public final class BenchServer {
  private BenchServer() {}

  /** Starts the server; it runs until the process is stopped. */
  public static void main(String[] args) throws InterruptedException, java.io.IOException {
    Flags flags = Flags.parse(args, Map.of(
        "impl", "ssekit", "host", "127.0.0.1", "port", "8090", "rate", "1", "payload-bytes", "0",
        "max-clients", "100000", "log", "memory", "history", "1000",
        "threads", Integer.toString(Runtime.getRuntime().availableProcessors())));
    String impl = flags.get("impl");
    double rate = flags.getDouble("rate");
    String padding = flags.getInt("payload-bytes") == 0 ? "" : " " + "x".repeat(flags.getInt("payload-bytes") - 1);
    String type = padding.isEmpty() ? ServerSentEvent.HEARTBEAT_TYPE : "tick";

    if (rate < 0) throw new IllegalArgumentException("--rate must not be negative: " + rate);
    if (!impl.equals("ssekit") && !flags.get("log").equals("memory")) {
      throw new IllegalArgumentException("--log is ssekit's: the " + impl + " server has no event log");
    }
    AutoCloseable server = switch (impl) {
      case "ssekit" -> ssekit(flags, rate, type, padding);
      case "javalin" -> javalin(flags, rate, type, padding);
      case "floor" -> FloorServer.start(flags.get("host"), flags.getInt("port"), flags.getInt("threads"), rate, type, padding);
      default -> throw new IllegalArgumentException("--impl must be ssekit, javalin or floor: " + impl);
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
    System.out.println("bench-server " + impl + " listening on " + flags.get("host") + ":" + flags.get("port")
        + ", log " + flags.get("log") + ", publishing " + rate + "/s");
    stopped.await();
  }

  private static AutoCloseable ssekit(Flags flags, double rate, String type, String padding) {
    EventLog log = flags.get("log").equals("memory") ? null : redisLog(flags.get("log"), flags.getInt("history"));
    SseHub hub;
    try {
      hub = SseHub.create(config -> {
        config.maxClients = flags.getInt("max-clients");
        config.retry = Duration.ofSeconds(2);
        config.history = flags.getInt("history");
        config.eventLog = log; // null: the hub's own in-memory log
      });
    } catch (RuntimeException e) {
      if (log != null) log.close();
      throw e;
    }
    AtomicReference<Publisher> publisher = new AtomicReference<>();
    Javalin app;
    try {
      app = Javalin.create(config -> {
        config.startup.showJavalinBanner = false;
        config.jetty.host = flags.get("host");
        config.jetty.port = flags.getInt("port");
        config.registerPlugin(new SsePlugin("/sse", hub));
        config.routes.get("/health", ctx -> {
          Publisher p = publisher.get();
          ctx.contentType(ContentType.JSON).result(health(hub.stats(), p == null ? 0 : p.failed()));
        });
        config.routes.get("/publish-durations", ctx -> ctx.result(durations(publisher.get())));
      }).start();
    } catch (RuntimeException e) {
      hub.close();
      if (log != null) log.close();
      throw e;
    }
    if (rate > 0) publisher.set(new Publisher(rate, millis -> hub.publish(ServerSentEvent.of(type, millis + padding))));
    return () -> {
      if (publisher.get() != null) publisher.get().close();
      app.stop();
      hub.close();
      if (log != null) log.close(); // a log given to the hub outlives it
    };
  }

  /** Opens the Redis log as {@code ssekit-server.jar --log} does; fails now if Redis cannot be reached. */
  private static EventLog redisLog(String uri, int history) {
    RedisEventLog log = RedisEventLog.builder(uri).history(Math.max(1, history)).timeout(Duration.ofSeconds(2)).build();
    try {
      log.head();
      log.durabilityWarnings().forEach(w -> System.out.println("bench-server: " + w));
      return log;
    } catch (RuntimeException e) {
      log.close();
      throw e;
    }
  }

  private static AutoCloseable javalin(Flags flags, double rate, String type, String padding) {
    Set<SseClient> clients = ConcurrentHashMap.newKeySet();
    AtomicLong published = new AtomicLong();
    AtomicReference<Publisher> publisher = new AtomicReference<>();
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
      config.routes.get("/publish-durations", ctx -> ctx.result(durations(publisher.get())));
    }).start();
    if (rate > 0) {
      publisher.set(new Publisher(rate, millis -> {
        String id = Long.toString(published.incrementAndGet());
        String data = millis + padding;
        for (SseClient client : clients) client.sendEvent(type, data, id);
      }));
    }
    return () -> {
      if (publisher.get() != null) publisher.get().close();
      clients.forEach(SseClient::close);
      app.stop();
    };
  }

  /** {@code GET /publish-durations}: the publish calls since the previous request, {@code micros:count,...}. */
  private static String durations(Publisher publisher) {
    return publisher == null ? "" : publisher.durationsSinceLastCall();
  }

  /** The baseline's fields, and what ssekit's hub and its log add: events the tail delivered, resets, failed publishes, position. */
  private static String health(HubStats stats, long publishFailed) {
    String common = health(stats.clients(), stats.published(), stats.slowClientsDisconnected());
    return common.substring(0, common.length() - 1) + ",\"delivered\":" + stats.delivered() + ",\"resets\":" + stats.resets()
        + ",\"publishFailed\":" + publishFailed + ",\"lastEventId\":\"" + stats.lastEventId() + "\"}";
  }

  private static String health(long clients, long published, long slowDisconnected) {
    return "{\"clients\":" + clients + ",\"published\":" + published + ",\"slowClientsDisconnected\":" + slowDisconnected + "}";
  }
}
