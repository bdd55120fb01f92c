package dev.ssekit.server.app;

import dev.ssekit.protocol.internal.Durations;
import dev.ssekit.redis.RedisEventLog;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
        --help                   print this help and exit

      Durations: 250ms, 1s, 2m, 1h (or ISO-8601 such as PT1S).
      """;

  /** A flag or variable whose value is not acceptable; its message is one line for the operator. */
  static final class BadFlagException extends Exception {
    BadFlagException(String message) {
      super(message);
    }
  }

  /** What the command line asked for: the config, or just the help text. */
  record Parsed(ServerConfig config, boolean help) {}

  private static final List<String> NAMES =
      List.of("port", "host", "heartbeat-interval", "history", "retry", "max-clients", "log", "log-timeout");

  private ServerFlags() {}

  static Parsed parse(String[] args, Map<String, String> env) throws BadFlagException {
    ServerConfig config = new ServerConfig();
    for (String arg : args) {
      if (arg.equals("--help") || arg.equals("-h")) return new Parsed(config, true); // whatever else is wrong
    }
    Map<String, String> flags = new LinkedHashMap<>();
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
      flags.put(name, value);
    }
    for (String name : NAMES) {
      String flag = flags.get(name);
      if (flag != null) {
        apply(config, name, flag, "--" + name);
        continue;
      }
      // A flag wins over its variable, which is then not even read; an empty variable is unset.
      String variable = "SSEKIT_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
      String value = env.get(variable);
      if (value != null && !value.isBlank()) apply(config, name, value, variable);
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
