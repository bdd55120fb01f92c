package dev.ssekit.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClientMainTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T10:00:00.123Z"), ZoneOffset.UTC);
  private final MockWebServer server = new MockWebServer();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void start() throws Exception {
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private int run(String... args) {
    return ClientMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), CLOCK);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private void enqueueStream(String body) {
    server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream").body(body).build());
  }

  private String url() {
    return server.url("/sse").toString();
  }

  @Test
  void textFormatShowsTimeTypeIdAndData() {
    enqueueStream("id: 1\nevent: heartbeat\ndata: 1764123456789\n\ndata: two\ndata: lines\n\n");
    assertEquals(0, run("--no-reconnect", url()));
    assertEquals("2026-11-26T10:00:00.123Z  heartbeat  id=1  1764123456789\n"
        + "2026-11-26T10:00:00.123Z  message  id=1  two\n    lines\n", out());
  }

  @Test
  void jsonFormatIsOneObjectPerEventWithTheLastEventIdInEffect() {
    enqueueStream("data: before any id\n\nid: 7\nevent: tick\ndata: {\"a\":1}\n\ndata: \"quoted\" \u00e9\u4e16\n\nid\ndata: reset\n\n");
    assertEquals(0, run("--format", "json", "--no-reconnect", url()));
    assertEquals("{\"type\":\"message\",\"id\":\"\",\"data\":\"before any id\"}\n"
        + "{\"type\":\"tick\",\"id\":\"7\",\"data\":\"{\\\"a\\\":1}\"}\n"
        + "{\"type\":\"message\",\"id\":\"7\",\"data\":\"\\\"quoted\\\" \u00e9\u4e16\"}\n"
        + "{\"type\":\"message\",\"id\":\"\",\"data\":\"reset\"}\n", out());
  }

  @Test
  void maxEventsExitsZeroAfterThatMany() {
    enqueueStream("data: 1\n\ndata: 2\n\ndata: 3\n\n");
    assertEquals(0, run("--max-events", "2", "--format=json", url()));
    assertEquals(2, out().lines().count());
  }

  @Test
  void reconnectsAndResumesUntilMaxEvents() throws Exception {
    enqueueStream("id: 1\ndata: a\n\n");
    enqueueStream("id: 2\ndata: b\n\n");
    assertEquals(0, run("--max-events", "2", "--format", "json", url()));
    server.takeRequest();
    assertEquals("1", server.takeRequest().getHeaders().get("Last-Event-ID"));
    assertTrue(err().contains("the server ended the stream; reconnecting in "), err());
  }

  @Test
  void headersAndLastEventIdAreSent() throws Exception {
    enqueueStream("data: x\n\n");
    assertEquals(0, run("-H", "Authorization: Bearer abc", "--header=X-Trace: 1", "--last-event-id", "41",
        "--no-reconnect", url()));
    RecordedRequest request = server.takeRequest();
    assertEquals("Bearer abc", request.getHeaders().get("Authorization"));
    assertEquals("1", request.getHeaders().get("X-Trace"));
    assertEquals("41", request.getHeaders().get("Last-Event-ID"));
  }

  @Test
  void postsTheBodyAndSendsItAgainOnEveryReconnection() throws Exception {
    enqueueStream("id: 1\ndata: a\n\n");
    enqueueStream("id: 2\ndata: b\n\n");
    assertEquals(0, run("-X", "POST", "-d", "{\"q\":1}", "-H", "Content-Type: application/json", "--format", "json",
        "--max-events", "2", url()));
    assertEquals("{\"type\":\"message\",\"id\":\"1\",\"data\":\"a\"}\n{\"type\":\"message\",\"id\":\"2\",\"data\":\"b\"}\n", out());
    for (String lastEventId : new String[] {null, "1"}) {
      RecordedRequest request = server.takeRequest();
      assertEquals("POST", request.getMethod());
      assertEquals("{\"q\":1}", request.getBody().utf8());
      assertEquals("application/json", request.getHeaders().get("Content-Type"));
      assertEquals(lastEventId, request.getHeaders().get("Last-Event-ID"));
    }
  }

  @Test
  void dataFromAFileIsPostedByDefault(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("question.json");
    Files.write(file, "{\"q\":\"caf\u00e9\"}\n".getBytes(StandardCharsets.UTF_8));
    enqueueStream("data: x\n\n");
    assertEquals(0, run("--data", "@" + file, "--no-reconnect", url()));
    RecordedRequest request = server.takeRequest();
    assertEquals("POST", request.getMethod());
    assertEquals("{\"q\":\"caf\u00e9\"}\n", request.getBody().utf8());
  }

  @Test
  void otherMethodsGoAsGivenWithAnEmptyBodyIfNoneIsGiven() throws Exception {
    enqueueStream("data: x\n\n");
    enqueueStream("data: y\n\n");
    assertEquals(0, run("-X", "REPORT", "--no-reconnect", url()));
    assertEquals(0, run("--method=POST", "--no-reconnect", url()));
    RecordedRequest report = server.takeRequest();
    assertEquals("REPORT", report.getMethod());
    assertEquals(0, report.getBodySize());
    assertEquals("POST", server.takeRequest().getMethod());
  }

  @Test
  void commentsArePrintedInStreamOrderWhenAskedFor() {
    String stream = ": hello\n\ndata: x\n\n: \"quoted\" \u00e9\ndata: y\n\n";
    enqueueStream(stream);
    assertEquals(0, run("--comments", "--format", "json", "--no-reconnect", url()));
    assertEquals("{\"comment\":\"hello\"}\n{\"type\":\"message\",\"id\":\"\",\"data\":\"x\"}\n"
        + "{\"comment\":\"\\\"quoted\\\" \u00e9\"}\n{\"type\":\"message\",\"id\":\"\",\"data\":\"y\"}\n", out());
    out.reset();
    enqueueStream(stream);
    assertEquals(0, run("--comments", "--no-reconnect", url()));
    assertEquals("2026-11-26T10:00:00.123Z  : hello\n2026-11-26T10:00:00.123Z  message  id=  x\n"
        + "2026-11-26T10:00:00.123Z  : \"quoted\" \u00e9\n2026-11-26T10:00:00.123Z  message  id=  y\n", out());
    out.reset();
    enqueueStream(stream);
    assertEquals(0, run("--format", "json", "--no-reconnect", url()));
    assertEquals(2, out().lines().count(), "no comments unless asked: " + out());
  }

  @Test
  void unreadableDataFileIsAUsageError() {
    assertEquals(2, run("-d", "@/no/such/file", url()));
    assertEquals("ssekit-client: -d: cannot read '/no/such/file' (NoSuchFileException)\n", err());
    assertEquals(0, server.getRequestCount());
  }

  @Test
  void failureExitsOneWithTheReasonOnStderr() {
    server.enqueue(new MockResponse.Builder().code(404).build());
    assertEquals(1, run(url()));
    assertEquals("", out());
    assertTrue(err().startsWith("ssekit-client: HTTP 404 Client Error from " + url()), err());
  }

  @Test
  void lostEventsAreReportedOnStderr() {
    enqueueStream("event: ssekit-lost\ndata: {\"lastEventId\":\"3\",\"firstAvailableId\":\"9\"}\n\nid: 9\ndata: x\n\n");
    assertEquals(0, run("--no-reconnect", url()));
    assertEquals("ssekit-client: the server no longer has the events after id 3; resuming at id 9\n", err());
    assertEquals(1, out().lines().count());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "--format xml|--format: 'xml' is not text or json",
    "--max-events 0|--max-events: '0' is not a positive whole number",
    "--max-events lots|--max-events: 'lots' is not a positive whole number",
    "--read-timeout soon|--read-timeout: 'soon' is not a duration (use e.g. 250ms, 1s, 2m, 1h)",
    "--read-timeout 999999999999999999h|--read-timeout: '999999999999999999h' is too long a duration",
    "--read-timeout 0|--read-timeout: '0' is out of range (1ms to 24 days)",
    "--read-timeout PT0.0001S|--read-timeout: 'PT0.0001S' is out of range (1ms to 24 days)",
    "--read-timeout 1000000h|--read-timeout: '1000000h' is out of range (1ms to 24 days)",
    "--header=X:é|--header: the value of 'X' must be printable ASCII (Unexpected char 0xe9 at 0 in X value: é)",
    "-H NoColon|-H: 'NoColon' is not 'Name: value'",
    "-H last-event-id:5|-H: Last-Event-ID is the client's to send (use --last-event-id)",
    "--bogus|unknown option '--bogus' (see --help)",
    "-X A:B|-X: 'A:B' is not an HTTP method",
    "--method|--method: missing value",
    "-d x -X GET http://localhost/|--data: a GET request has no body (use e.g. -X POST)",
    "-d x --data y|--data: given more than once",
    "--format|--format: missing value",
    "''|missing the URL to subscribe to (see --help)",
    "not-a-url|not an http or https URL: not-a-url",
  })
  void usageErrorsExitTwoWithOneLine(String args, String message) {
    String[] argv = args.isEmpty() ? new String[0] : args.split(" ");
    assertEquals(2, run(argv));
    assertEquals("ssekit-client: " + message + "\n", err());
  }

  @Test
  void helpListsTheOptions() {
    assertEquals(0, run("--help"));
    for (String option : new String[] {"--format", "--max-events", "--no-reconnect", "--last-event-id", "-H", "--read-timeout",
        "-X, --method", "-d, --data", "@FILE", "--comments"}) {
      assertTrue(out().contains(option), option);
    }
  }
}
