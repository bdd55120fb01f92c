package dev.ssekit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ssekit.client.ReconnectPolicy;
import dev.ssekit.client.SseClient;
import dev.ssekit.protocol.EventsLost;
import dev.ssekit.protocol.Heartbeat;
import dev.ssekit.protocol.PayloadMapper;
import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.protocol.SseDecoder;
import dev.ssekit.server.EventId;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The runnable jar as an operator runs it: flags, a stream, and a clean exit on SIGTERM. */
class ServerJarContractTest {
  private final Resources resources = new Resources();

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  private ServerJar start(String... flags) throws Exception {
    return resources.add(ServerJar.start("server", flags));
  }

  @Test
  void streamsHeartbeatsWithItsFlagsAndExitsCleanlyOnSigterm() throws Exception {
    ServerJar jar = start("--port", "0", "--heartbeat-interval", "20ms", "--retry", "300ms", "--history", "50");
    Process server = jar.process;
    int port = jar.port();
    Received received = new Received();
    AtomicInteger beats = new AtomicInteger();
    SseClient client = SseClient.builder().url("http://127.0.0.1:" + port + "/sse").listener(received)
        .reconnectPolicy(ReconnectPolicy.NEVER)
        .on("heartbeat", Heartbeat.class, beat -> beats.incrementAndGet())
        .build().start();
    resources.add(client);
    Await.until("heartbeats from the jar", () -> beats.get() >= 60);
    assertRetryAndHistoryAreTheFlags(port);

    long stopping = System.nanoTime();
    server.destroy(); // SIGTERM
    assertTrue(server.waitFor(10, TimeUnit.SECONDS), "the server exits after SIGTERM; " + jar);
    Duration took = Duration.ofNanos(System.nanoTime() - stopping);
    assertTrue(took.toSeconds() < 5, "exited within a few seconds, took " + took);
    assertEquals(143, server.exitValue(), "the JVM's status for SIGTERM, after its shutdown hooks ran");
    Await.until(() -> "the client to see the stream end cleanly; " + received, received::closed);
    assertEquals(List.of(), received.errors(), "the stream ended cleanly, it was not cut");
  }

  /** A client resuming from id 1 hears {@code retry: 300}, then that only the last 50 events are left. */
  private static void assertRetryAndHistoryAreTheFlags(int port) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
        BodyHandlers.ofString()).body();
    Matcher newest = Pattern.compile("\"lastEventId\":\"(\\d+)\\.").matcher(health);
    assertTrue(newest.find(), health);
    long newestBefore = Long.parseLong(newest.group(1));
    List<Duration> retries = new ArrayList<>();
    List<ServerSentEvent> events = new ArrayList<>();
    HttpRequest resume = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/sse"))
        .header("Last-Event-ID", "1").build();
    try (InputStream in = http.send(resume, BodyHandlers.ofInputStream()).body()) {
      SseDecoder decoder = new SseDecoder(new SseDecoder.Listener() {
        @Override
        public void onEvent(ServerSentEvent event) {
          events.add(event);
        }

        @Override
        public void onRetry(Duration reconnectionTime) {
          retries.add(reconnectionTime);
        }
      });
      byte[] buffer = new byte[8192];
      for (int n; events.size() < 2 && (n = in.read(buffer)) >= 0; ) decoder.feed(buffer, 0, n);
    }
    assertEquals(List.of(Duration.ofMillis(300)), retries, "--retry 300ms");
    EventsLost lost = PayloadMapper.defaults().decode(events.get(0), EventsLost.class);
    long oldest = EventId.parse(lost.firstAvailableId()).offset();
    assertTrue(oldest >= newestBefore - 49, "--history 50 keeps the newest 50 of " + newestBefore + ", oldest " + oldest);
    assertEquals(lost.firstAvailableId(), events.get(1).id());
  }

  @Test
  void badFlagExitsNonZeroWithOneLineNamingIt() throws Exception {
    ServerJar jar = start("--history", "lots");
    assertTrue(jar.process.waitFor(30, TimeUnit.SECONDS));
    assertEquals(2, jar.process.exitValue());
    Await.until("the message", () -> !jar.output.isEmpty());
    assertEquals(List.of("ssekit-server: --history: 'lots' is not a whole number from 0 to 10000000"), jar.output);
  }

  @Test
  void aRestartedJarAnswersAClientOfTheOldProcessWithLostNotWithItsOwnHistory() throws Exception {
    // The repro: run to some id, restart, and resume with an id the old process gave.
    ServerJar first = start("--port", "0", "--heartbeat-interval", "20ms");
    int port = first.port();
    Await.until("20 heartbeats", () -> first.lastEventId().offset() >= 20);
    EventId seen = first.lastEventId();
    first.process.destroy();
    assertTrue(first.process.waitFor(10, TimeUnit.SECONDS));

    ServerJar second = start("--port", Integer.toString(port), "--heartbeat-interval", "20ms");
    assertEquals(port, second.port());
    Await.until("the new process to pass the old id's offset", () -> second.lastEventId().offset() > seen.offset() + 5);
    List<ServerSentEvent> events = firstEvents(port, seen.toString(), 2);
    assertEquals(EventsLost.TYPE, events.get(0).type(), "the first thing a resuming client hears: " + events);
    EventsLost lost = PayloadMapper.defaults().decode(events.get(0), EventsLost.class);
    assertEquals(seen.toString(), lost.lastEventId());
    assertEquals(lost.firstAvailableId(), events.get(1).id(), "then the retained events of the new history");
    assertEquals(1, EventId.parse(lost.firstAvailableId()).offset());
  }

  /** Resumes after {@code lastEventId} with a plain HTTP client and returns the first {@code n} events. */
  private static List<ServerSentEvent> firstEvents(int port, String lastEventId, int n) throws Exception {
    List<ServerSentEvent> events = new ArrayList<>();
    HttpRequest resume = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/sse"))
        .header("Last-Event-ID", lastEventId).build();
    try (InputStream in = HttpClient.newHttpClient().send(resume, BodyHandlers.ofInputStream()).body()) {
      SseDecoder decoder = new SseDecoder(events::add);
      byte[] buffer = new byte[8192];
      for (int r; events.size() < n && (r = in.read(buffer)) >= 0; ) decoder.feed(buffer, 0, r);
    }
    return events;
  }
}
