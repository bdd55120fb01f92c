package dev.ssekit.redis;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.ssekit.server.EventId;
import dev.ssekit.server.EventLog;
import dev.ssekit.server.EventLogException;
import dev.ssekit.server.LoggedEvent;
import dev.ssekit.server.Publication;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.BuilderFactory;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.CommandObject;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.params.XReadParams;
import redis.clients.jedis.resps.StreamEntryBinary;

/**
 * An {@link EventLog} on a Redis Stream, shared by every hub (on every node) that opens the same
 * stream: one history, delivered to all of them in the same order, that outlives any process.
 *
 * <pre>{@code
 * EventLog log = RedisEventLog.builder("redis://127.0.0.1:6379/orders").history(10_000).build();
 * SseHub hub = SseHub.create(config -> config.eventLog = log);
 * }</pre>
 *
 * <p>Storage: the stream {@code ssekit:{S}:log} holds one entry per event, with id
 * {@code <offset>-0} and fields {@code t} (tag), {@code p} (previous tag), {@code c} (topic) and
 * {@code f} (the frame, encoded once by the publisher, without its id; entries of writers older
 * than topics have no {@code c} and are read as {@link Publication#DEFAULT_TOPIC}); the hash
 * {@code ssekit:{S}:meta} holds the epoch, the newest offset and tag. One Lua script assigns the
 * offset and appends, so appends from any number of nodes are atomic and totally ordered. All
 * keys share the hash tag {@code {S}}, so they would share one slot of a cluster, but this log
 * speaks to a single Redis (with replicas, or behind a proxy that does not redirect), not to
 * Redis Cluster. {@code MAXLEN ~ history} trims: at least {@code history} events stay.
 *
 * <p>Failures: every command has the log's timeout (a call can take about twice that: waiting
 * for a pooled connection, then for the reply); an unreachable Redis makes {@link #append} and
 * {@link #read} throw {@link EventLogException} (after up to two quick retries on a broken
 * connection, which the script's idempotency key keeps from doubling an append). Each tail runs on its own thread
 * ({@code ssekit-redis-tail-N}) with its own connection, reading {@code XREAD BLOCK} from the last
 * offset it delivered, never from {@code $}: after an outage it resumes there, so nothing is
 * missed or doubled. When the stream is wiped or replaced under it, the tail reports a reset.
 *
 * <p>Durability: with {@code appendonly yes} and {@code appendfsync always}, a Redis restart loses
 * no appended event. With replicas, replication is asynchronous: a failover can lose appended
 * events, and clients that had them are told so ({@code ssekit-lost}), never silently skipped.
 *
 * <p>Thread-safe. Starts no thread but its tails; {@link #close()} stops them and the pool.
 */
public final class RedisEventLog implements EventLog {
  private static final Logger LOG = LoggerFactory.getLogger(RedisEventLog.class);
  private static final AtomicInteger TAIL_THREADS = new AtomicInteger();
  private static final int TAIL_BATCH = 512;
  private static final int USER_KEY_TTL_SECONDS = 120;
  private static final int MIN_RETRY_KEY_TTL_SECONDS = 10;
  private static final SecureRandom NONCES = new SecureRandom();
  private static final byte[] T = bytes("t");
  private static final byte[] P = bytes("p");
  private static final byte[] C = bytes("c");
  private static final byte[] F = bytes("f");

  /** Makes sure the history has meta (epoch, top, last), rebuilding it from the stream if only it was lost. */
  private static final String META = """
      local function meta(log, meta, newEpoch)
        local m = redis.call('HMGET', meta, 'epoch', 'top', 'last')
        if m[1] and m[2] and m[3] then return m[2], m[3] end
        local epoch = m[1] or newEpoch
        local top, last = '0', epoch
        local newest = redis.call('XREVRANGE', log, '+', '-', 'COUNT', 1)
        if newest[1] then
          top = string.match(newest[1][1], '^(%d+)')
          local fields = newest[1][2]
          for i = 1, #fields, 2 do if fields[i] == 't' then last = fields[i + 1] end end
        end
        redis.call('HSET', meta, 'epoch', epoch, 'top', top, 'last', last)
        return top, last
      end
      """;

  /** KEYS: log, meta, idempotency key. ARGV: new epoch, maxlen, tag, frame, key TTL, topic. Returns "offset.tag". */
  private static final Script APPEND = new Script(META + """
      local done = redis.call('GET', KEYS[3])
      if done then return done end
      local top, last = meta(KEYS[1], KEYS[2], ARGV[1])
      local n = string.format('%d', tonumber(top) + 1)
      redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], n .. '-0', 't', ARGV[3], 'p', last, 'c', ARGV[6], 'f', ARGV[4])
      redis.call('HSET', KEYS[2], 'top', n, 'last', ARGV[3])
      local id = n .. '.' .. ARGV[3]
      redis.call('SET', KEYS[3], id, 'EX', ARGV[5])
      return id
      """);

  /** KEYS: log, meta. ARGV: new epoch. Returns "offset.tag" of the newest event, or "0.epoch". */
  private static final Script HEAD = new Script(META + """
      local top, last = meta(KEYS[1], KEYS[2], ARGV[1])
      return top .. '.' .. last
      """);

  private final RedisUri uri;
  private final int history;
  private final Duration timeout;
  private final Duration block;
  private final int retryKeyTtlSeconds;
  private final RedisClient client;
  private final byte[] logKey;
  private final byte[] metaKey;
  private final String keyPrefix;
  private final Set<RedisTail> tails = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private RedisEventLog(Builder builder) {
    this.uri = builder.uri;
    this.history = builder.history;
    this.timeout = builder.timeout;
    this.block = builder.block;
    // Retries of one append happen within about two timeouts; keep its key well past that.
    this.retryKeyTtlSeconds = (int) Math.max(MIN_RETRY_KEY_TTL_SECONDS, 4 * timeout.toSeconds() + 1);
    String prefix = "ssekit:{" + uri.stream() + "}:";
    this.logKey = bytes(prefix + "log");
    this.metaKey = bytes(prefix + "meta");
    this.keyPrefix = prefix + "key:";
    GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>(); // no evictor thread
    pool.setMaxTotal(32);
    pool.setMaxIdle(32);
    pool.setMaxWait(timeout);
    this.client = RedisClient.builder()
        .hostAndPort(new HostAndPort(uri.host(), uri.port()))
        .clientConfig(clientConfig(Duration.ZERO))
        .poolConfig(pool)
        .build();
  }

  /**
   * Returns a builder for a log on the stream {@code uri} names.
   *
   * @param uri {@code redis://[user:password@]host[:port]/stream[?db=N]}, or {@code rediss://…}
   *     for TLS (the JVM's default trust store verifies the server)
   * @return the builder
   * @throws IllegalArgumentException if {@code uri} is not of that form, saying what is wrong
   */
  public static Builder builder(String uri) {
    return new Builder(RedisUri.parse(Objects.requireNonNull(uri, "uri")));
  }

  @Override
  public EventId append(Publication publication) {
    String idempotencyKey = publication.idempotencyKey();
    byte[] frame = LoggedEvent.encodeWithoutId(publication.event());
    String tag = EventId.newTag();
    // Every append has a key, so that the retry of one that timed out is not doubled: the
    // caller's, or a random one of its own (never the tag, which is short enough to repeat).
    String key = keyPrefix + (idempotencyKey != null ? "u:" + idempotencyKey : "r:" + nonce());
    int ttl = idempotencyKey != null ? USER_KEY_TTL_SECONDS : retryKeyTtlSeconds;
    List<byte[]> keys = List.of(logKey, metaKey, bytes(key));
    List<byte[]> args = List.of(bytes(EventId.newTag()), bytes(Integer.toString(Math.max(1, history))), bytes(tag),
        frame, bytes(Integer.toString(ttl)), bytes(publication.topic()));
    Object id = call("append an event", redis -> APPEND.run(redis, keys, args));
    return parseId(id);
  }

  @Override
  public List<LoggedEvent> read(long fromOffset, int limit) {
    if (limit < 1) throw new IllegalArgumentException("limit must be positive: " + limit);
    String from = fromOffset <= 0 ? "-" : fromOffset + "-0";
    List<StreamEntryBinary> entries = call("read events", redis -> redis.executeCommand(new CommandObject<>(
        new CommandArguments(Protocol.Command.XRANGE).key(logKey).add(from).add("+").add("COUNT").add(limit),
        BuilderFactory.STREAM_ENTRY_BINARY_LIST)));
    List<LoggedEvent> events = new ArrayList<>(entries.size());
    for (StreamEntryBinary entry : entries) {
      LoggedEvent event = toEvent(entry);
      if (event != null) events.add(event); // a foreign entry: the chain check shows the break it leaves
    }
    return events;
  }

  @Override
  public EventId head() {
    return head(client);
  }

  private EventId head(UnifiedJedis redis) {
    List<byte[]> keys = List.of(logKey, metaKey);
    List<byte[]> args = List.of(bytes(EventId.newTag()));
    return parseId(call(redis, "read the newest event id", r -> HEAD.run(r, keys, args)));
  }

  @Override
  public Tail tail(EventId after, TailListener listener) {
    RedisTail tail = new RedisTail(Objects.requireNonNull(after, "after"), Objects.requireNonNull(listener, "listener"));
    tails.add(tail);
    if (closed) {
      tails.remove(tail); // close() ran meanwhile and may not have seen it
      throw new IllegalStateException("the log is closed");
    }
    tail.thread.start();
    return tail;
  }

  @Override
  public Status status() {
    try {
      return new Status("redis", true, head(), null);
    } catch (RuntimeException e) {
      return new Status("redis", false, null, e.getMessage());
    }
  }

  /**
   * Returns what this Redis's settings leave unprotected, one sentence each, for an operator to
   * read at start: persistence that can lose appended events on a restart, or an eviction policy
   * that can delete the log. Empty when the settings are safe or cannot be read (e.g. a managed
   * Redis that disables {@code CONFIG}).
   *
   * @return the warnings, possibly none
   */
  public List<String> durabilityWarnings() {
    Map<String, String> config;
    try {
      config = client.configGet("appendonly", "appendfsync", "maxmemory-policy");
    } catch (JedisException e) {
      return List.of();
    }
    List<String> warnings = new ArrayList<>();
    if (!"yes".equals(config.get("appendonly")) || !"always".equals(config.get("appendfsync"))) {
      warnings.add(uri + " runs with appendonly " + config.get("appendonly") + ", appendfsync " + config.get("appendfsync")
          + ": a Redis restart can lose published events (clients are told, with ssekit-lost); "
          + "use appendonly yes and appendfsync always to lose none");
    }
    String policy = config.get("maxmemory-policy");
    if (policy != null && policy.startsWith("allkeys")) {
      warnings.add(uri + " evicts any key under memory pressure (maxmemory-policy " + policy
          + "), which can delete the event log; use noeviction");
    }
    return warnings;
  }

  /** Returns where the log lives, without the password. */
  @Override
  public String toString() {
    return uri.toString();
  }

  /** Stops every tail and closes the connections. */
  @Override
  public void close() {
    closed = true;
    for (RedisTail tail : List.copyOf(tails)) tail.close();
    client.close();
  }

  private <T> T call(String what, Function<UnifiedJedis, T> command) {
    return call(client, what, command);
  }

  /**
   * Runs {@code command}, once more at once if the connection was stale (a pooled connection
   * to a Redis that restarted fails once), and turns Redis's failures into {@link EventLogException}.
   */
  private <T> T call(UnifiedJedis redis, String what, Function<UnifiedJedis, T> command) {
    if (closed) throw new EventLogException("cannot " + what + ": the log on " + uri + " is closed", null);
    long deadline = System.nanoTime() + timeout.toNanos();
    for (int attempt = 1; ; attempt++) {
      try {
        return command.apply(redis);
      } catch (JedisConnectionException e) {
        if (attempt >= 3 || System.nanoTime() - deadline > 0 || closed) {
          throw new EventLogException("cannot " + what + ": Redis at " + uri + " is unreachable (" + describe(e) + ")", e);
        }
      } catch (JedisException e) {
        throw new EventLogException("cannot " + what + " on " + uri + ": " + describe(e), e);
      }
    }
  }

  private static String describe(JedisException e) {
    StringBuilder s = new StringBuilder(String.valueOf(e.getMessage()));
    Throwable cause = e.getCause() != null ? e.getCause() : e.getSuppressed().length > 0 ? e.getSuppressed()[0] : null;
    if (cause != null && cause.getMessage() != null && !s.toString().contains(cause.getMessage())) {
      s.append(": ").append(cause.getMessage());
    }
    return s.toString();
  }

  private DefaultJedisClientConfig clientConfig(Duration blockFor) {
    int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
        .resp2()
        .connectionTimeoutMillis(millis)
        .socketTimeoutMillis(millis)
        // A blocking read waits at most its BLOCK time plus the timeout, even on a Redis that froze.
        .blockingSocketTimeoutMillis((int) Math.min(Integer.MAX_VALUE, blockFor.toMillis() + millis))
        .database(uri.database())
        .clientName("ssekit");
    if (uri.password() != null) config.user(uri.user()).password(uri.password());
    if (uri.tls()) config.sslOptions(SslOptions.defaults());
    return config.build();
  }

  /**
   * Returns the event {@code entry} holds, or null (logged) if something other than ssekit wrote it.
   * An entry without a topic was written before topics existed (fields t, p, f): its event was
   * published to {@link Publication#DEFAULT_TOPIC}, the only topic there was.
   */
  private LoggedEvent toEvent(StreamEntryBinary entry) {
    Map<byte[], byte[]> fields = entry.getFields();
    byte[] tag = fields.get(T);
    byte[] previous = fields.get(P);
    byte[] topic = fields.get(C);
    byte[] frame = fields.get(F);
    try {
      if (tag != null && previous != null && frame != null) {
        return LoggedEvent.ofEncoded(EventId.of(entry.getID().getTime(), new String(tag, UTF_8)), new String(previous, UTF_8),
            topic == null ? Publication.DEFAULT_TOPIC : new String(topic, UTF_8), frame);
      }
    } catch (IllegalArgumentException malformed) {
      // reported below
    }
    LOG.error("Entry {} of {} is not an ssekit event (fields t, p, f and, since topics, c); it is skipped", entry.getID(), uri);
    return null;
  }

  private static EventId parseId(Object reply) {
    String text = reply instanceof byte[] b ? new String(b, UTF_8) : String.valueOf(reply);
    EventId id = EventId.parse(text);
    if (id == null) throw new EventLogException("Redis answered an id that is not one: " + text, null);
    return id;
  }

  /** Returns 128 random bits, URL-safe Base64. */
  private static String nonce() {
    byte[] bits = new byte[16];
    NONCES.nextBytes(bits);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  /** A Lua script run by its SHA-1, loaded on first use and again after Redis forgot it (a restart). */
  private static final class Script {
    private final byte[] source;
    private final byte[] sha;

    Script(String source) {
      this.source = bytes(source);
      try {
        this.sha = bytes(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(this.source)));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("the JDK has no SHA-1", e);
      }
    }

    Object run(UnifiedJedis redis, List<byte[]> keys, List<byte[]> args) {
      try {
        return redis.evalsha(sha, keys, args);
      } catch (JedisNoScriptException e) {
        return redis.eval(source, keys, args);
      }
    }
  }

  /** One tail: its own connection and thread, blocking on {@code XREAD} from the last delivered offset. */
  private final class RedisTail implements Tail, Runnable {
    private final TailListener listener;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Jedis connection;
    private EventId after; // touched only by the tail's thread

    RedisTail(EventId after, TailListener listener) {
      this.after = after;
      this.listener = listener;
      this.thread = new Thread(this, "ssekit-redis-tail-" + TAIL_THREADS.incrementAndGet());
    }

    @Override
    public void run() {
      try {
        follow();
      } finally {
        disconnect(); // a connection a closing race let Jedis reopen is closed here, by its owner
      }
    }

    private void follow() {
      long backoffMillis = 50;
      int batch = TAIL_BATCH;
      boolean failing = false;
      while (!isStopped()) {
        try {
          Jedis redis = connection();
          List<Map.Entry<byte[], List<StreamEntryBinary>>> read = redis.xreadBinary(
              XReadParams.xReadParams().count(batch).block((int) block.toMillis()),
              Map.of(logKey, new StreamEntryID(after.offset(), 0)));
          if (failing) LOG.info("The tail of {} reaches Redis again; delivering from {}", uri, after);
          failing = false;
          backoffMillis = 50;
          batch = Math.min(TAIL_BATCH, batch * 2);
          if (read == null || read.isEmpty()) {
            checkContinuity(redis);
            continue;
          }
          for (StreamEntryBinary entry : read.get(0).getValue()) {
            if (isStopped()) return;
            LoggedEvent event = toEvent(entry);
            if (event == null) {
              // Something else wrote to the stream: read on past it; the next event's chain check
              // (in the listener) shows the break it left.
              after = EventId.of(entry.getID().getTime(), after.tag());
              continue;
            }
            deliver(event);
            after = event.id();
          }
        } catch (RuntimeException e) {
          if (isStopped()) return;
          if (!failing) LOG.warn("The tail of {} lost Redis after {}; retrying until it is back: {}", uri, after, e.toString());
          failing = true;
          // Smaller reads after a failure: a link that keeps breaking still lets small replies through.
          batch = Math.max(1, batch / 2);
          disconnect();
          if (await(backoffMillis)) return;
          backoffMillis = Math.min(1000, backoffMillis * 2);
        }
      }
    }

    /**
     * Checks, while nothing arrives, that the store still continues this tail's history: a
     * wiped or replaced store is noticed without waiting for its offsets to pass ours.
     */
    private void checkContinuity(Jedis redis) {
      List<byte[]> meta = redis.hmget(metaKey, bytes("top"), bytes("last"));
      byte[] top = meta.get(0);
      byte[] last = meta.get(1);
      boolean same = top != null && last != null && Long.parseLong(new String(top, UTF_8)) >= after.offset()
          && (Long.parseLong(new String(top, UTF_8)) != after.offset() || new String(last, UTF_8).equals(after.tag()));
      if (same) return;
      EventId head = head(client); // rebuilds meta from the stream if only meta was lost
      if (head.equals(after)) return;
      LOG.warn("The stream of {} no longer holds {} (its newest is {}): it was wiped or replaced", uri, after, head);
      after = head;
      listener.onReset(head);
    }

    private void deliver(LoggedEvent event) {
      try {
        listener.onEvent(event);
      } catch (RuntimeException e) {
        LOG.error("A tail listener of {} failed on {}; it carries on with the next event", uri, event.id(), e);
      }
    }

    private Jedis connection() {
      Jedis redis = connection;
      if (redis == null) {
        redis = new Jedis(new HostAndPort(uri.host(), uri.port()), clientConfig(block));
        connection = redis;
        if (isStopped()) redis.close(); // close() ran meanwhile and could not see it
      }
      return redis;
    }

    private void disconnect() {
      Jedis redis = connection;
      connection = null;
      if (redis != null) {
        try {
          redis.close();
        } catch (RuntimeException ignored) {
          // already broken
        }
      }
    }

    private boolean isStopped() {
      return stopped.getCount() == 0;
    }

    /** Waits {@code millis} or until stopped; returns whether it was stopped. */
    private boolean await(long millis) {
      try {
        return stopped.await(millis, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return true;
      }
    }

    @Override
    public void close() {
      stopped.countDown();
      disconnect(); // unblocks a read in progress at once
      tails.remove(this);
      if (Thread.currentThread() == thread) return;
      try {
        thread.join(block.toMillis() + timeout.toMillis() + 1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Configures a {@link RedisEventLog}; every setting has a default. */
  public static final class Builder {
    private final RedisUri uri;
    private int history = 1000;
    private Duration timeout = Duration.ofSeconds(2);
    private Duration block = Duration.ofSeconds(1);

    private Builder(RedisUri uri) {
      this.uri = uri;
    }

    /**
     * Sets how many events the stream keeps at least for replay ({@code MAXLEN ~}); default 1000.
     *
     * @param events at least 1
     * @return this builder
     */
    public Builder history(int events) {
      if (events < 1) throw new IllegalArgumentException("history must be at least 1: " + events);
      this.history = events;
      return this;
    }

    /**
     * Sets how long a command may take before the log counts Redis as unreachable: connecting,
     * each append and read; default 2 s.
     *
     * @param timeout from 1 ms to about 12 days
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      if (timeout.toMillis() < 1 || timeout.toMillis() > Integer.MAX_VALUE / 2) {
        throw new IllegalArgumentException("timeout must be between 1 ms and " + Integer.MAX_VALUE / 2 + " ms: " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * Sets how long a tail's {@code XREAD} blocks before it checks that the stream still holds
     * its history (a wiped stream is noticed within about this long); default 1 s.
     *
     * @param block from 1 ms to about 12 days
     * @return this builder
     */
    public Builder tailBlock(Duration block) {
      if (block.toMillis() < 1 || block.toMillis() > Integer.MAX_VALUE / 2) {
        throw new IllegalArgumentException("tailBlock must be between 1 ms and " + Integer.MAX_VALUE / 2 + " ms: " + block);
      }
      this.block = block;
      return this;
    }

    /**
     * Returns the log. It connects on first use, so an unreachable Redis shows in the first call
     * (e.g. {@link RedisEventLog#head()}), as {@link EventLogException}.
     *
     * @return the log
     */
    public RedisEventLog build() {
      return new RedisEventLog(this);
    }
  }
}
