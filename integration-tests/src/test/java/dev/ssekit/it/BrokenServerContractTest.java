package dev.ssekit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ssekit.client.ReconnectPolicy;
import dev.ssekit.client.SseClient;
import dev.ssekit.client.SseException;
import dev.ssekit.client.SseException.Reason;
import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.testing.ScriptedSseServer;
import dev.ssekit.testing.SseScript;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The real client against servers that misbehave, scripted with the testing kit's
 * {@link ScriptedSseServer}: it reports the documented errors and carries on as specified.
 */
class BrokenServerContractTest {
  private static final ReconnectPolicy QUICK =
      ReconnectPolicy.DEFAULT.withDelays(Duration.ofMillis(5), Duration.ofMillis(50)).withJitter(0);

  private final Resources resources = new Resources();
  private final Received received = new Received();

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  private ScriptedSseServer server(SseScript... scripts) throws IOException {
    return resources.add(ScriptedSseServer.start()).enqueue(scripts);
  }

  private SseClient subscribe(URI url, SseClient.Builder settings) {
    SseClient client = settings.url(url.toString()).listener(received).onEvent(received::event).build();
    resources.add(client);
    return client.start();
  }

  /** Event 1, then a data line of {@code mebibytes} MiB that never ends: the server gives up and ends the response. */
  private static SseScript fineThenALineOf(int mebibytes) {
    byte[] chunk = new byte[64 * 1024];
    Arrays.fill(chunk, (byte) 'x');
    SseScript script = SseScript.stream().raw("id: 1\ndata: fine\n\ndata: ");
    for (int i = 0; i < mebibytes * 16; i++) script = script.raw(chunk);
    return script.end();
  }

  private List<Reason> reasons() {
    return received.errors().stream().map(SseException::reason).toList();
  }

  @Test
  void garbageIsDecodedWithoutCrashingAndTheStreamGoesOn() throws Exception {
    byte[] garbage = new byte[256 * 1024];
    new Random(7).nextBytes(garbage);
    ScriptedSseServer server = server(SseScript.stream()
        .raw(garbage)
        .raw("\n\nid: 99\nevent: ok\ndata: after the garbage \u00e9\n\n")
        .end());
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
    ScriptedSseServer server = server(fineThenALineOf(16), SseScript.stream().raw("id: 2\ndata: recovered\n\n"));
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
    ScriptedSseServer server = server(fineThenALineOf(64), SseScript.stream().raw("id: 2\ndata: recovered\n\n"));
    Path jar = Path.of("..", "client-cli", "target", "ssekit-client.jar");
    assertTrue(jar.toFile().isFile(), "the client jar is built before the contract tests: " + jar.toAbsolutePath());
    Path stdout = Files.createTempFile("ssekit-client-", ".out");
    Path stderr = Files.createTempFile("ssekit-client-", ".err");
    resources.add(() -> {
      Files.deleteIfExists(stdout);
      Files.deleteIfExists(stderr);
    });
    Process client = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
        "-jar", jar.toString(), "--format", "json", "--max-events", "2", server.url().toString())
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
    ScriptedSseServer server = server(SseScript.status(500), SseScript.stream().raw("id: 1\ndata: ok\n\n"));
    subscribe(server.url(), SseClient.builder().reconnectPolicy(QUICK));
    Await.until(() -> "the event after the retry; " + received, () -> received.count() >= 1);
    SseException error = received.errors().get(0);
    assertEquals(Reason.HTTP_STATUS, error.reason());
    assertEquals(500, error.statusCode());
    assertNotNull(error.retryIn());
  }

  @Test
  void noContentStopsForGood() throws Exception {
    ScriptedSseServer server = server(SseScript.noContent());
    subscribe(server.url(), SseClient.builder().reconnectPolicy(QUICK));
    Await.until(() -> "closed; " + received, received::closed);
    assertEquals(List.of(), received.errors());
    assertEquals(1, server.connectionCount());
  }

  @Test
  void notFoundFails() throws Exception {
    ScriptedSseServer server = server(SseScript.status(404));
    subscribe(server.url(), SseClient.builder().reconnectPolicy(QUICK));
    Await.until(() -> "closed; " + received, received::closed);
    assertEquals(List.of(Reason.HTTP_STATUS), reasons());
    assertEquals(404, received.errors().get(0).statusCode());
    assertTrue(received.errors().get(0).isFatal());
    assertEquals(1, server.connectionCount());
  }

  @Test
  void htmlInsteadOfAStreamFails() throws Exception {
    ScriptedSseServer server = server(SseScript.stream().contentType("text/html").raw("<html>"));
    subscribe(server.url(), SseClient.builder().reconnectPolicy(QUICK));
    Await.until(() -> "closed; " + received, received::closed);
    assertEquals(List.of(Reason.CONTENT_TYPE), reasons());
  }
}
