package dev.ssekit.server.app;

import dev.ssekit.protocol.Durations;
import dev.ssekit.redis.RedisEventLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@link ServerConfig} from command-line flags and {@code SSEKIT_*} environment variables
 * (flags win). Every error names the flag or variable and says what it accepts.
 */
final class ServerFlags {
  static final String USAGE = """
      Usage: java -jar ssekit-server.jar [options]

      Serves a Server-Sent Events stream of heartbeats at GET /sse, a live demo page at GET /
      and JSON health at GET /health. Event ids are <offset>.<tag>; a client resuming with an id
      this stream's history does not hold gets an ssekit-lost event first.

      Options (each also read from the environment variable shown):
        --port N                 port to listen on; 0 picks a free one    [SSEKIT_PORT, default 8080]
        --host ADDRESS           address to bind                          [SSEKIT_HOST, default all]
        --heartbeat-interval D   time between heartbeats, 0 for none      [SSEKIT_HEARTBEAT_INTERVAL, default 1s]
        --history N              events kept for Last-Event-ID replay     [SSEKIT_HISTORY, default 1000]
        --retry D                reconnection delay sent with retry:      [SSEKIT_RETRY, default 2s]
        --max-clients N          most clients connected at once           [SSEKIT_MAX_CLIENTS, default 10000]
        --log memory|URL         where the history lives: memory, or a Redis Stream shared by
                                 several servers, redis://[user:pass@]host:port/STREAM[?db=N]
                                 (rediss:// for TLS)                      [SSEKIT_LOG, default memory]
        --log-timeout D          longest a Redis call may take            [SSEKIT_LOG_TIMEOUT, default 2s]
        --publish-token T        enables POST /publish for Authorization: Bearer T
                                                                          [SSEKIT_PUBLISH_TOKEN, default off]
        --subscribe-token T      GET /sse then needs Authorization: Bearer T or ?access_token=T
                                                                          [SSEKIT_SUBSCRIBE_TOKEN, default none]
        --cors-origin ORIGIN     lets pages of ORIGIN subscribe and publish; repeatable
                                                                          [SSEKIT_CORS_ORIGINS, comma-separated]
        --max-event-size N       largest POST /publish body: bytes, or 64KiB, 1MiB
                                                                          [SSEKIT_MAX_EVENT_SIZE, default 1MiB]
        --max-topics N           most topics one client may subscribe to  [SSEKIT_MAX_TOPICS, default 64]
        --http2 on|off           also speak HTTP/2 cleartext (h2c) on the port; only behind a proxy
                                 that speaks h2c to it (see README)       [SSEKIT_HTTP2, default off]
        --help                   print this help and exit

      Durations: 250ms, 1s, 2m, 1h (or ISO-8601 such as PT1S).

      GET /sse?topic=a&topic=b subscribes to those topics (default: heartbeat and default). POST /publish takes
      JSON {"topic":…,"type":…,"data":…} or the same as form fields (type defaults to message) and
      answers {"id":…}. GET /metrics serves Prometheus text.
      """;

  /** A flag or variable whose value is not acceptable; its message is one line for the operator. */
  static final class BadFlagException extends Exception {
    BadFlagException(String message) {
      super(message);
    }
  }

  /** What the command line asked for: the config, or just the help text. */
  record Parsed(ServerConfig config, boolean help) {}

  /** Every option but --help, in the order they are applied. */
  static final List<String> NAMES =
      List.of("port", "host", "heartbeat-interval", "history", "retry", "max-clients", "log", "log-timeout",
          "publish-token", "subscribe-token", "cors-origin", "max-event-size", "max-topics", "http2");

  /** Flags that may be given more than once, and the variable that lists their values, comma-separated. */
  private static final Map<String, String> REPEATABLE = Map.of("cors-origin", "SSEKIT_CORS_ORIGINS");

  private ServerFlags() {}

  static Parsed parse(String[] args, Map<String, String> env) throws BadFlagException {
    ServerConfig config = new ServerConfig();
    for (String arg : args) {
      if (arg.equals("--help") || arg.equals("-h")) return new Parsed(config, true); // whatever else is wrong
    }
    Map<String, List<String>> flags = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) throw new BadFlagException("unexpected argument '" + arg + "' (see --help)");
      String name = arg.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (!NAMES.contains(name)) throw new BadFlagException("unknown option '--" + name + "' (see --help)");
      if (value == null) {
        if (i + 1 >= args.length) throw new BadFlagException("--" + name + ": missing value");
        value = args[++i];
      }
      List<String> values = flags.computeIfAbsent(name, n -> new ArrayList<>());
      if (!values.isEmpty() && !REPEATABLE.containsKey(name)) throw new BadFlagException("--" + name + " given twice");
      values.add(value);
    }
    for (String name : NAMES) {
      List<String> given = flags.get(name);
      if (given != null) {
        for (String value : given) apply(config, name, value, "--" + name);
        continue;
      }
      // A flag wins over its variable, which is then not even read; an empty variable is unset.
      String variable = REPEATABLE.getOrDefault(name, "SSEKIT_" + name.toUpperCase(Locale.ROOT).replace('-', '_'));
      String value = env.get(variable);
      if (value == null || value.isBlank()) continue;
      if (REPEATABLE.containsKey(name)) {
        for (String one : value.split(",")) if (!one.isBlank()) apply(config, name, one.trim(), variable);
      } else {
        apply(config, name, value, variable);
      }
    }
    return new Parsed(config, false);
  }

  private static void apply(ServerConfig config, String name, String value, String source) throws BadFlagException {
    switch (name) {
      case "port" -> config.port = integer(value, source, 0, 65535);
      case "host" -> config.host = value.isBlank() ? null : value.trim();
      case "heartbeat-interval" -> {
        Duration interval = duration(value, source);
        if (!interval.isZero() && interval.toMillis() < 1) {
          throw new BadFlagException(source + ": '" + value + "' is shorter than 1ms (0 turns heartbeats off)");
        }
        config.heartbeatInterval = interval;
      }
      case "history" -> config.history = integer(value, source, 0, 10_000_000);
      case "retry" -> config.retry = duration(value, source);
      case "max-clients" -> config.maxClients = integer(value, source, 1, Integer.MAX_VALUE);
      case "log" -> {
        String log = value.trim();
        if (!log.equals("memory")) {
          try {
            RedisEventLog.builder(log); // checks the URL now, so a typo fails before anything starts
          } catch (IllegalArgumentException e) {
            throw new BadFlagException(source + ": " + e.getMessage());
          }
        }
        config.log = log;
      }
      case "publish-token" -> config.publishToken = token(value, source);
      case "subscribe-token" -> config.subscribeToken = token(value, source);
      case "cors-origin" -> {
        List<String> origins = new ArrayList<>(config.corsOrigins);
        origins.add(origin(value, source));
        config.corsOrigins = List.copyOf(origins);
      }
      case "max-event-size" -> config.maxEventSize = size(value, source);
      case "max-topics" -> config.maxTopics = integer(value, source, 1, 10_000);
      case "http2" -> config.http2 = onOff(value, source);
      case "log-timeout" -> {
        Duration timeout = duration(value, source);
        if (timeout.toMillis() < 1 || timeout.toMillis() > Integer.MAX_VALUE / 2) {
          throw new BadFlagException(source + ": '" + value + "' is not between 1ms and 12 days");
        }
        config.logTimeout = timeout;
      }
      default -> throw new IllegalStateException(name);
    }
  }

  /** A token as clients send it in {@code Authorization: Bearer}; its value is never echoed. */
  private static String token(String value, String source) throws BadFlagException {
    String token = value.trim();
    if (token.length() < 8 || !token.matches("[A-Za-z0-9._~+/=-]+")) {
      throw new BadFlagException(source + ": a token is at least 8 characters of A-Z a-z 0-9 . _ ~ + / = -");
    }
    return token;
  }

  private static String origin(String value, String source) throws BadFlagException {
    String origin = value.trim();
    if (!origin.matches("https?://[A-Za-z0-9.\\[\\]:-]+(:\\d{1,5})?")) {
      throw new BadFlagException(source + ": '" + value + "' is not an origin such as https://app.example.com or http://localhost:3000");
    }
    return origin;
  }

  private static int size(String value, String source) throws BadFlagException {
    Matcher m = Pattern.compile("(\\d{1,10})\\s*(KiB|MiB|B)?").matcher(value.trim());
    if (m.matches()) {
      long n = Long.parseLong(m.group(1)) * ("KiB".equals(m.group(2)) ? 1024 : "MiB".equals(m.group(2)) ? 1024 * 1024 : 1);
      if (n >= 1 && n <= 64L * 1024 * 1024) return (int) n;
    }
    throw new BadFlagException(source + ": '" + value + "' is not a size from 1 byte to 64MiB (e.g. 65536, 64KiB, 1MiB)");
  }

  private static boolean onOff(String value, String source) throws BadFlagException {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "on", "true", "yes", "1" -> true;
      case "off", "false", "no", "0" -> false;
      default -> throw new BadFlagException(source + ": '" + value + "' is not on or off");
    };
  }

  private static int integer(String value, String source, int min, int max) throws BadFlagException {
    try {
      long n = Long.parseLong(value.trim());
      if (n >= min && n <= max) return (int) n;
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new BadFlagException(source + ": '" + value + "' is not a whole number from " + min + " to " + max);
  }

  private static Duration duration(String value, String source) throws BadFlagException {
    try {
      return Durations.parse(value);
    } catch (IllegalArgumentException e) {
      throw new BadFlagException(source + ": " + e.getMessage());
    }
  }
}
