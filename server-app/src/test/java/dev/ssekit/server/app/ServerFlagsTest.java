package dev.ssekit.server.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The server's command line: a bad flag exits non-zero with one line naming it. */
class ServerFlagsTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(Map<String, String> env, String... args) {
    return ServerMainAccess.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "--port|abc|ssekit-server: --port: 'abc' is not a whole number from 0 to 65535",
    "--port|70000|ssekit-server: --port: '70000' is not a whole number from 0 to 65535",
    "--heartbeat-interval|fast|ssekit-server: --heartbeat-interval: 'fast' is not a duration (use e.g. 250ms, 1s, 2m, 1h)",
    "--history|-1|ssekit-server: --history: '-1' is not a whole number from 0 to 10000000",
    "--retry|1 s|ssekit-server: --retry: '1 s' is not a duration (use e.g. 250ms, 1s, 2m, 1h)",
    "--max-clients|0|ssekit-server: --max-clients: '0' is not a whole number from 1 to 2147483647",
    "--heartbeat-interval|PT0.0001S|ssekit-server: --heartbeat-interval: 'PT0.0001S' is shorter than 1ms (0 turns heartbeats off)",
    "--heartbeat-interval|999999999999999999h|ssekit-server: --heartbeat-interval: '999999999999999999h' is too long a duration",
    "--log|redis://localhost:6379|ssekit-server: --log: 'redis://localhost:6379' needs a stream name of [A-Za-z0-9._:-] after the host; expected redis://[user:password@]host[:port]/STREAM[?db=N] or rediss://…",
    "--log|postgres://h/x|ssekit-server: --log: 'postgres://h/x' is not a redis:// or rediss:// URI; expected redis://[user:password@]host[:port]/STREAM[?db=N] or rediss://…",
    "--log-timeout|0|ssekit-server: --log-timeout: '0' is not between 1ms and 12 days",
    "--max-topics|0|ssekit-server: --max-topics: '0' is not a whole number from 1 to 10000",
    "--max-topics|many|ssekit-server: --max-topics: 'many' is not a whole number from 1 to 10000",
    "--max-topics|10001|ssekit-server: --max-topics: '10001' is not a whole number from 1 to 10000",
    "--http2|maybe|ssekit-server: --http2: 'maybe' is not on or off",
    "--http2|''|ssekit-server: --http2: '' is not on or off",
    "--max-event-size|65MiB|ssekit-server: --max-event-size: '65MiB' is not a size from 1 byte to 64MiB (e.g. 65536, 64KiB, 1MiB)",
    "--max-event-size|0|ssekit-server: --max-event-size: '0' is not a size from 1 byte to 64MiB (e.g. 65536, 64KiB, 1MiB)",
  })
  void badFlagValueExitsWithOneLineNamingTheFlag(String flag, String value, String message) {
    assertEquals(2, run(Map.of(), flag, value));
    assertEquals(message + System.lineSeparator(), err());
    assertEquals("", out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void anUnreachableRedisAtStartExitsWithOneLineNamingTheFlag() throws Exception {
    int closedPort;
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
      closedPort = probe.getLocalPort();
    }
    assertEquals(2, run(Map.of(), "--port", "0", "--log", "redis://127.0.0.1:" + closedPort + "/events", "--log-timeout", "300ms"));
    String message = err();
    assertTrue(message.startsWith("ssekit-server: --log: cannot read the newest event id: Redis at redis://127.0.0.1:"
        + closedPort + "/events is unreachable"), message);
    assertEquals(1, message.lines().count(), message);
    assertEquals("", out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void maxTopicsAndHttp2AreReadFromFlagsAndVariables() {
    ServerConfig defaults = ServerMainAccess.parse(Map.of());
    assertEquals(64, defaults.maxTopics);
    assertEquals(false, defaults.http2);
    ServerConfig fromEnv = ServerMainAccess.parse(Map.of("SSEKIT_MAX_TOPICS", "7", "SSEKIT_HTTP2", "on"));
    assertEquals(7, fromEnv.maxTopics);
    assertEquals(true, fromEnv.http2);
    ServerConfig flagsWin = ServerMainAccess.parse(Map.of("SSEKIT_MAX_TOPICS", "7", "SSEKIT_HTTP2", "on"),
        "--max-topics", "10000", "--http2=off");
    assertEquals(10000, flagsWin.maxTopics);
    assertEquals(false, flagsWin.http2);
    for (String on : List.of("on", "ON", "true", "yes", "1")) assertEquals(true, ServerMainAccess.parse(Map.of(), "--http2", on).http2, on);
    for (String off : List.of("off", "false", "no", "0")) assertEquals(false, ServerMainAccess.parse(Map.of(), "--http2", off).http2, off);
    assertEquals(2, run(Map.of("SSEKIT_HTTP2", "sometimes")));
    assertEquals("ssekit-server: SSEKIT_HTTP2: 'sometimes' is not on or off" + System.lineSeparator(), err());
  }

  @Test
  void badEnvironmentVariableIsNamed() {
    assertEquals(2, run(Map.of("SSEKIT_PORT", "eighty")));
    assertEquals("ssekit-server: SSEKIT_PORT: 'eighty' is not a whole number from 0 to 65535" + System.lineSeparator(), err());
  }

  @Test
  void everyVariableTakesEffectAndEveryFlagWinsOverItsVariable() {
    Map<String, String> env = Map.of("SSEKIT_PORT", "9001", "SSEKIT_HOST", "127.0.0.2", "SSEKIT_HEARTBEAT_INTERVAL", "250ms",
        "SSEKIT_HISTORY", "77", "SSEKIT_RETRY", "3s", "SSEKIT_MAX_CLIENTS", "5", "SSEKIT_LOG", "redis://h:1/a",
        "SSEKIT_LOG_TIMEOUT", "1s");
    ServerConfig fromEnv = ServerMainAccess.parse(env);
    assertEquals(List.of(9001, "127.0.0.2", Duration.ofMillis(250), 77, Duration.ofSeconds(3), 5, "redis://h:1/a",
        Duration.ofSeconds(1)), settings(fromEnv));
    ServerConfig flagsWin = ServerMainAccess.parse(env, "--port", "9002", "--host=127.0.0.3", "--heartbeat-interval", "0",
        "--history", "78", "--retry", "4s", "--max-clients", "6", "--log", "memory", "--log-timeout", "5s");
    assertEquals(List.of(9002, "127.0.0.3", Duration.ZERO, 78, Duration.ofSeconds(4), 6, "memory", Duration.ofSeconds(5)),
        settings(flagsWin));
  }

  @Test
  void aFlagHidesABadVariableAndAnEmptyVariableIsUnset() {
    assertEquals(9000, ServerMainAccess.parse(Map.of("SSEKIT_PORT", "x"), "--port", "9000").port);
    assertEquals(1000, ServerMainAccess.parse(Map.of("SSEKIT_HISTORY", "")).history);
    assertEquals(0, run(Map.of("SSEKIT_PORT", "x"), "--help"), "help works whatever the environment says");
  }

  private static List<Object> settings(ServerConfig c) {
    return List.of(c.port, c.host, c.heartbeatInterval, c.history, c.retry, c.maxClients, c.log, c.logTimeout);
  }

  @Test
  void unknownOptionAndMissingValue() {
    assertEquals(2, run(Map.of(), "--prot", "80"));
    assertTrue(err().startsWith("ssekit-server: unknown option '--prot' (see --help)"), err());
    err.reset();
    assertEquals(2, run(Map.of(), "--port"));
    assertTrue(err().startsWith("ssekit-server: --port: missing value"), err());
  }

  @Test
  void helpListsEveryFlagWithItsVariable() {
    assertEquals(0, run(Map.of(), "--help"));
    String help = out.toString(StandardCharsets.UTF_8);
    for (String name : ServerFlags.NAMES) {
      String variable = name.equals("cors-origin") ? "SSEKIT_CORS_ORIGINS" : "SSEKIT_" + name.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
      assertTrue(help.lines().anyMatch(line -> line.startsWith("  --" + name + " ")), "--" + name + " has a line in:\n" + help);
      assertTrue(help.contains("[" + variable + ","), variable + " is named in:\n" + help);
    }
    assertTrue(help.contains("--help"));
    assertTrue(help.contains("(default: heartbeat and default)"), "the default subscription, as SseServer makes it");
    assertEquals("", err());
  }
}
