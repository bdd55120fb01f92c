package dev.ssekit.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A scripted server, a recording listener and clean-up of whatever a test started. */
abstract class ClientTestBase {
  /** Fast, predictable reconnection for tests: 10 ms doubling, no jitter. */
  static final ReconnectPolicy QUICK =
      ReconnectPolicy.DEFAULT.withDelays(Duration.ofMillis(10), Duration.ofSeconds(1)).withJitter(0);

  final MockWebServer server = new MockWebServer();
  final Recording recording = new Recording();
  private final List<AutoCloseable> resources = new ArrayList<>();

  @BeforeEach
  void startServer() throws Exception {
    server.start();
  }

  /** Closes what the test started and waits for every client thread to end, so that none is counted by the next test. */
  @AfterEach
  void closeEverything() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) resources.get(i).close();
    server.close();
    Await.until("the test's client threads to end", () -> Await.threads("ssekit-client-") == 0);
  }

  /** Closes {@code resource} after the test, before everything added earlier. */
  <T extends AutoCloseable> T closeLater(T resource) {
    resources.add(resource);
    return resource;
  }

  SseClient.Builder builder() {
    return SseClient.builder()
        .url(server.url("/sse"))
        .reconnectPolicy(QUICK)
        .listener(recording)
        .onEvent(recording::event);
  }

  SseClient started(SseClient.Builder builder) {
    return closeLater(builder.build()).start();
  }

  /** Enqueues a stream that stays open for the test to write to. */
  OpenBody open() {
    OpenBody body = closeLater(new OpenBody());
    server.enqueue(body.response());
    return body;
  }

  void enqueueStream(String text) {
    server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream").body(text).build());
  }

  void enqueueStatus(int code, String... headers) {
    MockResponse.Builder b = new MockResponse.Builder().code(code);
    for (String h : headers) b.addHeader(h);
    server.enqueue(b.build());
  }
}
