package dev.ssekit.server.app;

import dev.ssekit.server.EventLog;
import java.time.Duration;
import java.util.List;

/** Settings of a {@link SseServer}; the command line and {@code SSEKIT_*} variables fill it. */
public final class ServerConfig {
  /** TCP port to listen on; 0 picks a free one. */
  public int port = 8080;

  /** Address to bind; null binds all interfaces. */
  public String host;

  /** Time between heartbeats; zero turns them off (keep-alive comments then hold the stream open). */
  public Duration heartbeatInterval = Duration.ofSeconds(1);

  /** Events kept for clients that resume with {@code Last-Event-ID}. */
  public int history = 1000;

  /** The reconnection delay advertised to clients with {@code retry:} when they connect. */
  public Duration retry = Duration.ofSeconds(2);

  /** Most clients connected at once. */
  public int maxClients = 10_000;

  /**
   * Where the stream's history lives: {@code memory} (this process only), or
   * {@code redis://[user:password@]host[:port]/stream[?db=N]} ({@code rediss://} for TLS), a Redis
   * Stream that several servers share and that outlives them.
   */
  public String log = "memory";

  /** How long a call to the Redis log may take before Redis counts as unreachable. */
  public Duration logTimeout = Duration.ofSeconds(2);

  /** A log to use instead of the one {@link #log} names, e.g. to survive a restart in a test; the server does not close it. */
  public EventLog eventLog;

  /** The bearer token {@code POST /publish} requires; null turns publishing off ({@code 404}). */
  public String publishToken;

  /** The bearer token {@code GET /sse} requires (header or {@code ?access_token=}); null lets anyone subscribe. */
  public String subscribeToken;

  /** Origins whose pages may subscribe and publish from a browser (CORS); empty allows the same origin only. */
  public List<String> corsOrigins = List.of();

  /** How long a client may take to send a request's headers before its connection is closed. */
  public Duration headerTimeout = Duration.ofSeconds(10);

  /** The largest {@code POST /publish} body, in bytes. */
  public int maxEventSize = 1 << 20;

  /** Most topics one client may subscribe to; {@code ?topic=} naming more gets {@code 400}. */
  public int maxTopics = 64;

  /**
   * Whether the port also speaks HTTP/2 cleartext (h2c) beside HTTP/1.1; default false. The header
   * deadline applies to HTTP/1.1 only, and an h2c upgrade passes proxies that forward
   * {@code Upgrade}: turn it on only behind a proxy that speaks h2c to the server.
   */
  public boolean http2;
}
