package dev.ssekit.server.app;

import dev.ssekit.server.EventLog;
import java.time.Duration;

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

  /** A log to use instead of a fresh in-memory one of {@link #history} events, e.g. to survive a restart. */
  public EventLog eventLog;
}
