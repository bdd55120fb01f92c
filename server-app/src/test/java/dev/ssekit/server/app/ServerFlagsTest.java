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
  void helpListsEveryFlag() {
    assertEquals(0, run(Map.of(), "--help"));
    String help = out.toString(StandardCharsets.UTF_8);
    for (String flag : new String[] {"--port", "--host", "--heartbeat-interval", "--history", "--retry", "--max-clients", "--help"}) {
      assertTrue(help.contains(flag), flag);
    }
    assertEquals("", err());
  }
}
