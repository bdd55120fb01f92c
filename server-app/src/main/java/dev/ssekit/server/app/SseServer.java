package dev.ssekit.server.app;

import dev.ssekit.redis.RedisEventLog;
import dev.ssekit.server.EventId;
import dev.ssekit.server.EventLog;
import dev.ssekit.server.HeartbeatSource;
import dev.ssekit.server.HubStats;
import dev.ssekit.server.Publication;
import dev.ssekit.server.SseHub;
import dev.ssekit.server.SseHubMetrics;
import dev.ssekit.server.SsePlugin;
import dev.ssekit.server.Subscription;
import io.javalin.config.JavalinConfig;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.HandlerType;
import io.javalin.http.UnauthorizedResponse;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.javalin.Javalin;
import io.javalin.http.ContentType;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The runnable heartbeat server: a hub at {@code /sse} fed by a {@link HeartbeatSource}, a demo
 * page at {@code /} and health at {@code /health}, on the log {@link ServerConfig#log} names.
 * {@link ServerMain} runs one; tests start several, on one Redis stream or around the same
 * {@link ServerConfig#eventLog}.
 */
public final class SseServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SseServer.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** The topic of the jar's heartbeats, and the subscription of a client that names no topic: {@value}. */
  public static final String HEARTBEAT_TOPIC = "heartbeat";

  private final EventLog ownLog;
  private final PrometheusMeterRegistry metrics;
  private final List<MeterBinder> jvmMetrics;
  private final SseHub hub;
  private final HeartbeatSource heartbeat;
  private final Javalin app;
  private boolean closed;

  private SseServer(ServerConfig config) {
    this.ownLog = config.eventLog == null && !config.log.equals("memory") ? redisLog(config) : null;
    EventLog log = config.eventLog != null ? config.eventLog : ownLog;
    try {
      this.hub = SseHub.create(hubConfig -> {
        hubConfig.history = config.history;
        hubConfig.eventLog = log;
        hubConfig.retry = config.retry;
        hubConfig.maxClients = config.maxClients;
        hubConfig.maxTopicsPerClient = config.maxTopics;
      });
    } catch (RuntimeException e) {
      if (ownLog != null) ownLog.close();
      throw e;
    }
    byte[] page = resource("index.html");
    Access access = new Access(config.corsOrigins);
    this.metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.jvmMetrics = List.of(new JvmMemoryMetrics(), new JvmGcMetrics(), new JvmThreadMetrics(), new ProcessorMetrics(),
        new UptimeMetrics(), new SseHubMetrics(hub));
    jvmMetrics.forEach(binder -> binder.bindTo(metrics));
    String subscribeToken = config.subscribeToken;
    long headerDeadline = config.headerTimeout.toMillis();
    this.app = Javalin.create(javalin -> {
      javalin.startup.showJavalinBanner = false;
      javalin.jetty.port = config.port;
      javalin.jetty.host = config.host;
      // HTTP/1.1 with a deadline for request headers, and HTTP/2 cleartext if asked for, on one port.
      boolean http2 = config.http2;
      javalin.jetty.addConnector((server, http) -> {
        HeaderDeadlineHttpConnectionFactory http1 = new HeaderDeadlineHttpConnectionFactory(http, headerDeadline);
        ServerConnector connector = http2 ? new ServerConnector(server, http1, new HTTP2CServerConnectionFactory(http))
            : new ServerConnector(server, http1);
        connector.setHost(config.host);
        connector.setPort(config.port);
        return connector;
      });
      javalin.registerPlugin(new SsePlugin(hub, sse -> {
        sse.path = "/sse";
        sse.onConnect = ctx -> subscription(ctx, subscribeToken, access);
      }));
      javalin.routes.options("/sse", ctx -> access.preflight(ctx, "GET", "GET, HEAD, OPTIONS"));
      onlyMethods(javalin, "/sse", HandlerType.GET, HandlerType.HEAD, HandlerType.OPTIONS);
      if (config.publishToken != null) {
        PublishEndpoint publish = new PublishEndpoint(hub, config.publishToken, config.maxEventSize, access);
        javalin.routes.post("/publish", publish::handle);
        javalin.routes.options("/publish", ctx -> access.preflight(ctx, "POST", "POST, OPTIONS"));
        onlyMethods(javalin, "/publish", HandlerType.POST, HandlerType.OPTIONS);
      }
      javalin.routes.get("/health", this::health);
      javalin.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
      javalin.routes.get("/", ctx -> ctx.contentType(ContentType.HTML).result(page));
    });
    try {
      app.start();
      this.heartbeat = config.heartbeatInterval.isZero() ? null
          : HeartbeatSource.start(hub, config.heartbeatInterval, HEARTBEAT_TOPIC);
    } catch (RuntimeException e) {
      // Nothing of a server that failed to start may keep running: not Jetty, not the hub's threads.
      app.stop();
      hub.close();
      if (ownLog != null) ownLog.close();
      throw e;
    }
  }

  /**
   * The jar's connect rule: the subscribe token when one is set ({@code 401} otherwise), and the
   * topics of {@code ?topic=} (by default the heartbeats, and what an embedding application
   * publishes to {@link Publication#DEFAULT_TOPIC}).
   */
  private static Subscription subscription(Context ctx, String token, Access access) {
    access.allowOrigin(ctx);
    if (token != null && !Access.presents(ctx, token, true)) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"sse\"");
      throw new UnauthorizedResponse("a valid Authorization: Bearer token or ?access_token= is required");
    }
    List<String> topics = ctx.queryParams("topic");
    try {
      return topics.isEmpty() ? Subscription.to(HEARTBEAT_TOPIC, Publication.DEFAULT_TOPIC) : Subscription.to(topics);
    } catch (IllegalArgumentException e) {
      throw new BadRequestResponse("bad topic: " + e.getMessage());
    }
  }

  /**
   * Answers every method but {@code served} on {@code path} with {@code 405} and {@code Allow}, not
   * {@code 404}: a before-handler sees every method, also those no route could name (TRACE,
   * QUERY, PROPFIND, …), and ends the request before Javalin looks for a route.
   */
  private static void onlyMethods(JavalinConfig javalin, String path, HandlerType... served) {
    List<HandlerType> methods = List.of(served);
    String allow = String.join(", ", methods.stream().map(HandlerType::name).toList());
    javalin.routes.before(path, ctx -> {
      if (methods.contains(ctx.method())) return;
      ctx.status(405).header("Allow", allow).contentType("text/plain; charset=utf-8").result("Allowed: " + allow + "\n");
      ctx.skipRemainingHandlers();
    });
  }

  private static RedisEventLog redisLog(ServerConfig config) {
    RedisEventLog log = RedisEventLog.builder(config.log)
        .history(Math.max(1, config.history))
        .timeout(config.logTimeout)
        .build();
    try {
      log.head(); // reachable now, or the server does not start
      log.durabilityWarnings().forEach(LOG::warn);
      return log;
    } catch (RuntimeException e) {
      log.close();
      throw e;
    }
  }

  /**
   * Starts a server with the settings {@code config} makes to the defaults.
   *
   * @param config sets the settings that differ from the defaults
   * @return the running server
   */
  public static SseServer start(Consumer<ServerConfig> config) {
    ServerConfig c = new ServerConfig();
    config.accept(c);
    return start(c);
  }

  /**
   * Starts a server with {@code config}.
   *
   * @param config the settings
   * @return the running server
   */
  public static SseServer start(ServerConfig config) {
    return new SseServer(config);
  }

  /**
   * Returns the port the server listens on.
   *
   * @return the port
   */
  public int port() {
    return app.port();
  }

  /**
   * Returns the Javalin app that serves the endpoints, e.g. to add routes or read Jetty's state.
   *
   * @return the app
   */
  public Javalin app() {
    return app;
  }

  /**
   * Returns the hub behind {@code /sse}, to publish more than heartbeats.
   *
   * @return the hub
   */
  public SseHub hub() {
    return hub;
  }

  /** Stops heartbeats, ends every stream cleanly, stops the HTTP server and the hub's threads. */
  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    if (heartbeat != null) heartbeat.close();
    app.stop();
    hub.close();
    if (ownLog != null) ownLog.close();
    for (MeterBinder binder : jvmMetrics) {
      if (binder instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (Exception e) {
          LOG.warn("Could not close {}", binder, e);
        }
      }
    }
    metrics.close();
  }

  private void health(Context ctx) {
    HubStats stats = hub.stats();
    EventLog.Status log = hub.log().status();
    Map<String, Object> logBody = new LinkedHashMap<>();
    logBody.put("kind", log.kind());
    logBody.put("reachable", log.reachable());
    logBody.put("newestId", log.newest() == null ? null : log.newest().toString());
    EventId tail = stats.lastEventId();
    logBody.put("tailLag", log.newest() == null || tail == null ? null : Math.max(0, log.newest().offset() - tail.offset()));
    if (log.error() != null) logBody.put("error", log.error());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", log.reachable() ? "UP" : "DOWN");
    body.put("clients", stats.clients());
    body.put("published", stats.published());
    body.put("lastEventId", stats.lastEventId().toString());
    body.put("connectionsAccepted", stats.connectionsAccepted());
    body.put("slowClientsDisconnected", stats.slowClientsDisconnected());
    body.put("lostSignals", stats.lostSignals());
    body.put("log", logBody);
    // A node that cannot reach its log answers 503, so that a load balancer sends new clients elsewhere.
    ctx.status(log.reachable() ? 200 : 503).contentType(ContentType.JSON).result(JSON.writeValueAsString(body));
  }

  private static byte[] resource(String name) {
    try (InputStream in = SseServer.class.getResourceAsStream(name)) {
      if (in == null) throw new IllegalStateException("missing resource " + name);
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
