package dev.ssekit.server.app;

import dev.ssekit.server.HeartbeatSource;
import dev.ssekit.server.HubStats;
import dev.ssekit.server.SseHub;
import dev.ssekit.server.SsePlugin;
import io.javalin.Javalin;
import io.javalin.http.ContentType;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import tools.jackson.databind.json.JsonMapper;

/**
 * The runnable heartbeat server: a hub at {@code /sse} fed by a {@link HeartbeatSource}, a demo
 * page at {@code /} and health at {@code /health}. {@link ServerMain} runs one; tests start
 * several, and restart one around the same {@link ServerConfig#eventLog}.
 */
public final class SseServer implements AutoCloseable {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final SseHub hub;
  private final HeartbeatSource heartbeat;
  private final Javalin app;
  private boolean closed;

  private SseServer(ServerConfig config) {
    this.hub = SseHub.create(hubConfig -> {
      hubConfig.history = config.history;
      hubConfig.eventLog = config.eventLog;
      hubConfig.retry = config.retry;
      hubConfig.maxClients = config.maxClients;
    });
    byte[] page = resource("index.html");
    this.app = Javalin.create(javalin -> {
      javalin.startup.showJavalinBanner = false;
      javalin.jetty.port = config.port;
      javalin.jetty.host = config.host;
      javalin.registerPlugin(new SsePlugin("/sse", hub));
      javalin.routes.get("/health", this::health);
      javalin.routes.get("/", ctx -> ctx.contentType(ContentType.HTML).result(page));
    });
    try {
      app.start();
      this.heartbeat = config.heartbeatInterval.isZero() ? null : HeartbeatSource.start(hub, config.heartbeatInterval);
    } catch (RuntimeException e) {
      // Nothing of a server that failed to start may keep running: not Jetty, not the hub's threads.
      app.stop();
      hub.close();
      throw e;
    }
  }

  /** Starts a server with the settings {@code config} makes to the defaults. */
  public static SseServer start(Consumer<ServerConfig> config) {
    ServerConfig c = new ServerConfig();
    config.accept(c);
    return start(c);
  }

  /** Starts a server with {@code config}. */
  public static SseServer start(ServerConfig config) {
    return new SseServer(config);
  }

  /** Returns the port the server listens on. */
  public int port() {
    return app.port();
  }

  /** Returns the Javalin app that serves the endpoints, e.g. to add routes or read Jetty's state. */
  public Javalin app() {
    return app;
  }

  /** Returns the hub behind {@code /sse}, to publish more than heartbeats. */
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
  }

  private void health(Context ctx) {
    HubStats stats = hub.stats();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", "UP");
    body.put("clients", stats.clients());
    body.put("published", stats.published());
    body.put("lastEventId", stats.lastEventId());
    body.put("connectionsAccepted", stats.connectionsAccepted());
    body.put("slowClientsDisconnected", stats.slowClientsDisconnected());
    ctx.contentType(ContentType.JSON).result(JSON.writeValueAsString(body));
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
