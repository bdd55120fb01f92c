package dev.ssekit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ssekit.client.ReconnectPolicy;
import dev.ssekit.client.SseClient;
import dev.ssekit.client.SseException;
import dev.ssekit.client.SseException.Reason;
import dev.ssekit.protocol.ServerSentEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The real client against servers that misbehave: it reports the documented errors and carries on as specified. */
class BrokenServerContractTest {
  private static final ReconnectPolicy QUICK =
      ReconnectPolicy.DEFAULT.withDelays(Duration.ofMillis(5), Duration.ofMillis(50)).withJitter(0);

  private final Resources resources = new Resources();
  private final Received received = new Received();

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  private RawServer server(RawServer.Script... scripts) throws IOException {
    RawServer server = new RawServer(scripts);
    resources.add(server);
    return server;
  }

  private SseClient subscribe(String url, SseClient.Builder settings) {
    SseClient client = settings.url(url).listener(received).onEvent(received::event).build();
    resources.add(client);
    return client.start();
  }

  /** Event 1, then a data line of {@code mebibytes} MiB that never ends: the server gives up and closes. */
  private static RawServer.Script fineThenALineOf(int mebibytes) {
    byte[] chunk = new byte[64 * 1024];
    Arrays.fill(chunk, (byte) 'x');
    return out -> {
      out.write(RawServer.streamHeaders());
      out.write("id: 1\ndata: fine\n\ndata: ".getBytes(StandardCharsets.US_ASCII));
      for (int i = 0; i < mebibytes * 16; i++) out.write(chunk);
    };
  }

  private List<Reason> reasons() {
    return received.errors().stream().map(SseException::reason).toList();
  }

  @Test
  void garbageIsDecodedWithoutCrashingAndTheStreamGoesOn() throws Exception {
    byte[] garbage = new byte[256 * 1024];
    new Random(7).nextBytes(garbage);
    RawServer server = server(out -> {
      out.write(RawServer.streamHeaders());
      out.write(garbage);
      out.write("\n\nid: 99\nevent: ok\ndata: after the garbage \u00e9\n\n".getBytes(StandardCharsets.UTF_8));
    });
    // Comments are decoded only for a comment handler; random bytes make far more comment lines than fields.
    subscribe(server.url(), SseClient.builder().reconnectPolicy(ReconnectPolicy.NEVER).onComment(comment -> {}));
    Await.until(() -> "the stream to end; " + received, received::closed);
    List<ServerSentEvent> events = received.events();
    assertEquals(ServerSentEvent.of("ok", "after the garbage \u00e9", "99"), events.get(events.size() - 1));
    assertTrue(received.errors().stream().allMatch(e -> e.reason() == Reason.PROTOCOL || e.reason() == Reason.PAYLOAD),
        "nothing but decoding reports: " + received);
    assertTrue(received.errors().stream().anyMatch(e -> e.reason() == Reason.PROTOCOL && e.getMessage().contains("not UTF-8")),
        "the bytes that are not UTF-8 are reported: " + received);
  }

  @Test
  void lineThatNeverEndsIsCutOffWithBoundedMemoryAndTheClientRecovers() throws Exception {
    RawServer server = server(fineThenALineOf(16), RawServer.stream("id: 2\ndata: recovered\n\n"));
    subscribe(server.url(), SseClient.builder().reconnectPolicy(QUICK).maxLineLength(1 << 20));
    Await.until(() -> "the recovered event; " + received, () -> received.count() == 2);
    assertEquals(List.of("fine", "recovered"), received.events().stream().map(ServerSentEvent::data).toList());
    SseException tooLong = received.errors().get(0);
    assertEquals(Reason.PROTOCOL, tooLong.reason());
    assertTrue(tooLong.getMessage().contains("longer than 1048576 bytes"), tooLong.getMessage());
    assertEquals(1, received.errors().stream().filter(e -> e.reason() == Reason.PROTOCOL).count(), "reported once");
  }

  @Test
  void clientJarReadsPastA64MiBLineWithA64MiBHeap() throws Exception {
    // A client that buffered the line would run out of memory; one bounded by its 16 MiB line
    // limit reports the line, drops it, and goes on after reconnecting.
    RawServer server = server(fineThenALineOf(64), RawServer.stream("id: 2\ndata: recovered\n\n"));
    Path jar = Path.of("..", "client-cli", "target", "ssekit-client.jar");
    assertTrue(jar.toFile().isFile(), "the client jar is built before the contract tests: " + jar.toAbsolutePath());
    Path stdout = Files.createTempFile("ssekit-client-", ".out");
    Path stderr = Files.createTempFile("ssekit-client-", ".err");
    resources.add(() -> {
      Files.deleteIfExists(stdout);
      Files.deleteIfExists(stderr);
    });
    Process client = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
        "-jar", jar.toString(), "--format", "json", "--max-events", "2", server.url())
        .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    resources.add(() -> {
      client.destroyForcibly();
      client.waitFor(10, TimeUnit.SECONDS);
    });
    assertTrue(client.waitFor(60, TimeUnit.SECONDS), "the client exits after its 2 events; stderr: " + Files.readString(stderr));
    String errors = Files.readString(stderr);
    assertEquals(0, client.exitValue(), errors);
    assertEquals(List.of("{\"type\":\"message\",\"id\":\"1\",\"data\":\"fine\"}",
        "{\"type\":\"message\",\"id\":\"2\",\"data\":\"recovered\"}"), Files.readAllLines(stdout));
    assertTrue(errors.contains("longer than 16777216 bytes"), errors);
    assertTrue(!errors.contains("OutOfMemoryError"), errors);
  }

  @Test
  void serverErrorIsRetried() throws Exception {
    RawServer server = server(RawServer.status(500, "Internal Server Error"), RawServer.stream("id: 1\ndata: ok\n\n"));
    subscribe(server.url(), SseClient.builder().reconnectPolicy(QUICK));
    Await.until(() -> "the event after the retry; " + received, () -> received.count() >= 1);
    SseException error = received.errors().get(0);
    assertEquals(Reason.HTTP_STATUS, error.reason());
    assertEquals(500, error.statusCode());
    assertNotNull(error.retryIn());
  }

  @Test
  void noContentStopsForGood() throws Exception {
    RawServer server = server(RawServer.status(204, "No Content"));
    subscribe(server.url(), SseClient.builder().reconnectPolicy(QUICK));
    Await.until(() -> "closed; " + received, received::closed);
    assertEquals(List.of(), received.errors());
    assertEquals(1, server.connections());
  }

  @Test
  void notFoundFails() throws Exception {
    RawServer server = server(RawServer.status(404, "Not Found"));
    subscribe(server.url(), SseClient.builder().reconnectPolicy(QUICK));
    Await.until(() -> "closed; " + received, received::closed);
    assertEquals(List.of(Reason.HTTP_STATUS), reasons());
    assertEquals(404, received.errors().get(0).statusCode());
    assertTrue(received.errors().get(0).isFatal());
    assertEquals(1, server.connections());
  }

  @Test
  void htmlInsteadOfAStreamFails() throws Exception {
    RawServer server = server(out -> out.write(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 6\r\n\r\n<html>".getBytes(StandardCharsets.US_ASCII)));
    subscribe(server.url(), SseClient.builder().reconnectPolicy(QUICK));
    Await.until(() -> "closed; " + received, received::closed);
    assertEquals(List.of(Reason.CONTENT_TYPE), reasons());
  }
}
