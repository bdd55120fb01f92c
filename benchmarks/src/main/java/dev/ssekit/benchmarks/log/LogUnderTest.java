package dev.ssekit.benchmarks.log;

import dev.ssekit.redis.RedisEventLog;
import dev.ssekit.server.EventLog;
import dev.ssekit.server.SseHub;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One hub on a fresh log of the kind measured, everything it needs started with it and stopped
 * by {@link #close()}, in reverse order, even when starting failed half-way:
 *
 * <ul>
 *   <li>{@code memory}: the hub's own {@code InMemoryEventLog};
 *   <li>{@code redis-always} / {@code redis-everysec}: a new {@link RedisServer} with that
 *       {@code appendfsync} policy, and a {@code RedisEventLog} on it, as {@code ssekit-server.jar
 *       --log} configures one (history and a 2 s timeout).
 * </ul>
 */
final class LogUnderTest implements AutoCloseable {
  private final String kind;
  private RedisServer redis;
  private EventLog redisLog;
  private SseHub hub;

  private LogUnderTest(String kind) {
    this.kind = kind;
  }

  /**
   * Starts a hub on a new log of {@code kind}.
   *
   * @param kind {@code memory}, {@code redis-always} or {@code redis-everysec}
   * @param history events the log retains
   * @param redisDir where Redis's directory goes (its AOF is fsynced there)
   */
  static LogUnderTest open(String kind, int history, Path redisDir) throws IOException {
    LogUnderTest target = new LogUnderTest(kind);
    try {
      if (kind.equals("memory")) {
        target.hub = SseHub.create(config -> config.history = history);
      } else if (kind.startsWith("redis-")) {
        target.redis = RedisServer.start(kind.substring("redis-".length()), redisDir);
        RedisEventLog log = RedisEventLog.builder(target.redis.uri("bench")).history(history)
            .timeout(Duration.ofSeconds(2)).build();
        target.redisLog = log;
        log.head(); // connects now, so the first measured publish does not
        target.hub = SseHub.create(config -> config.eventLog = log);
      } else {
        throw new IllegalArgumentException("a log is memory, redis-always or redis-everysec: " + kind);
      }
      return target;
    } catch (IOException | RuntimeException e) {
      target.close();
      throw e;
    }
  }

  SseHub hub() {
    return hub;
  }

  String kind() {
    return kind;
  }

  /** Returns the redis-server's pid, or -1 for the in-memory log. */
  long redisPid() {
    return redis == null ? -1 : redis.pid();
  }

  @Override
  public void close() {
    try {
      if (hub != null) hub.close();
    } finally {
      try {
        if (redisLog != null) redisLog.close(); // a log given to the hub stays open when the hub closes
      } finally {
        if (redis != null) redis.close();
      }
    }
  }
}
