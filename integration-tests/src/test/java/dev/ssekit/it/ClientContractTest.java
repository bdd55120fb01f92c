package dev.ssekit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ssekit.client.ReconnectPolicy;
import dev.ssekit.client.SseClient;
import dev.ssekit.client.SseException;
import dev.ssekit.protocol.PayloadType;
import dev.ssekit.protocol.TypedEvent;
import dev.ssekit.server.Publication;
import dev.ssekit.server.app.SseServer;
import dev.ssekit.testing.ScriptedSseServer;
import dev.ssekit.testing.SseRequest;
import dev.ssekit.testing.SseScript;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The opened-up client against real servers and the client jar: a POST stream resent on
 * reconnection, comments in order, events as large as snapshot feeds send in a small heap, and
 * restart and the Publisher against the real hub, which must lose and repeat nothing.
 */
class ClientContractTest {
  private static final int MIB = 1 << 20;

  private final Resources resources = new Resources();

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  private ScriptedSseServer scriptedServer(SseScript... scripts) throws IOException {
    return resources.add(ScriptedSseServer.start()).enqueue(scripts);
  }

  /** The client jar's stdout lines and stderr after it exited by itself. */
  private record Run(int status, List<String> out, String err) {}

  private Run runJar(String heap, String... args) throws Exception {
    Path jar = Path.of("..", "client-cli", "target", "ssekit-client.jar");
    assertTrue(jar.toFile().isFile(), "the client jar is built before the contract tests: " + jar.toAbsolutePath());
    Path stdout = Files.createTempFile("ssekit-client-", ".out");
    Path stderr = Files.createTempFile("ssekit-client-", ".err");
    resources.add(() -> {
      Files.deleteIfExists(stdout);
      Files.deleteIfExists(stderr);
    });
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + heap, "-jar", jar.toString()));
    command.addAll(Arrays.asList(args));
    Process client = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    resources.add(() -> {
      client.destroyForcibly();
      client.waitFor(10, TimeUnit.SECONDS);
    });
    assertTrue(client.waitFor(60, TimeUnit.SECONDS), "the client exits by itself; stderr: " + Files.readString(stderr));
    return new Run(client.exitValue(), Files.readAllLines(stdout, StandardCharsets.UTF_8), Files.readString(stderr));
  }

  @Test
  void clientJarStreamsAPostResponseAndSendsTheBodyAgainOnReconnection() throws Exception {
    ScriptedSseServer server = scriptedServer(
        SseScript.stream().raw(": thinking\n\nid: 1\ndata: {\"token\":\"Hel\"}\n\n").end(),
        SseScript.stream().raw("id: 2\n: still thinking\ndata: {\"token\":\"lo\"}\n\n"));
    Run run = runJar("64m", "-X", "POST", "-d", "{\"q\":1}", "-H", "Content-Type: application/json", "--format", "json",
        "--comments", "--max-events", "2", server.url().toString());
    assertEquals(0, run.status(), run.err());
    assertEquals(List.of("{\"comment\":\"thinking\"}",
        "{\"type\":\"message\",\"id\":\"1\",\"data\":\"{\\\"token\\\":\\\"Hel\\\"}\"}",
        "{\"comment\":\"still thinking\"}",
        "{\"type\":\"message\",\"id\":\"2\",\"data\":\"{\\\"token\\\":\\\"lo\\\"}\"}"), run.out());
    List<SseRequest> requests = List.of(server.takeRequest(), server.takeRequest());
    assertEquals(2, server.connectionCount(), run.err());
    for (SseRequest request : requests) {
      assertEquals("POST", request.method(), request.toString());
      assertEquals("/sse", request.target(), request.toString());
      assertEquals("application/json", request.header("Content-Type"), request.toString());
      assertEquals("text/event-stream", request.header("Accept"), request.toString());
      assertEquals("{\"q\":1}", request.body(), "the body, every time: " + request);
    }
    assertEquals(null, requests.get(0).lastEventId(), requests.get(0).toString());
    assertEquals("1", requests.get(1).lastEventId(), requests.get(1).toString());
  }

  @Test
  void clientJarDecodesSevenMebibyteOneLineEventsWholeAndInTwoChunksInA64MiBHeap() throws Exception {
    byte[] seven = letters(7 * MIB);
    byte[] split = frame("2", seven);
    ScriptedSseServer server = scriptedServer(SseScript.stream()
        .raw(frame("1", seven)) // in one write
        .raw(Arrays.copyOfRange(split, 0, split.length / 2))
        .raw(Arrays.copyOfRange(split, split.length / 2, split.length))
        .raw("id: 3\ndata: after\n\n")
        .end());
    Run run = runJar("64m", "--format", "json", "--max-events", "3", "--no-reconnect", server.url().toString());
    assertEquals(0, run.status(), run.err());
    assertEquals("", run.err());
    String data = "\"data\":\"" + new String(seven, StandardCharsets.US_ASCII) + "\"}";
    assertEquals(List.of("{\"type\":\"message\",\"id\":\"1\"," + data, "{\"type\":\"message\",\"id\":\"2\"," + data,
        "{\"type\":\"message\",\"id\":\"3\",\"data\":\"after\"}"), run.out());
  }

  @Test
  void clientJarDropsAnEventOverTheLimitInA64MiBHeapAndGoesOn() throws Exception {
    byte[] nine = letters(9 * MIB);
    ScriptedSseServer server = scriptedServer(SseScript.stream()
        .raw("id: 1\ndata: ") // 18 MiB of data in one event, in lines under the line limit
        .raw(nine)
        .raw("\ndata: ")
        .raw(nine)
        .raw("\n\nid: 2\ndata: after\n\n")
        .end());
    Run run = runJar("64m", "--format", "json", "--max-events", "1", "--no-reconnect", server.url().toString());
    assertEquals(0, run.status(), run.err());
    assertEquals(List.of("{\"type\":\"message\",\"id\":\"2\",\"data\":\"after\"}"), run.out());
    assertEquals("ssekit-client: event stream has an event with more data than 16777216 bytes; the event was dropped\n",
        run.err());
  }

  @Test
  void restartAgainstTheRealServerResumesWithNothingLostOrRepeated() throws Exception {
    SseServer server = resources.server(c -> c.heartbeatInterval = Duration.ZERO);
    List<Integer> got = Collections.synchronizedList(new ArrayList<>());
    List<String> states = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger attempts = new AtomicInteger();
    CountDownLatch publishedMeanwhile = new CountDownLatch(1);
    SseClient client = resources.add(SseClient.builder().url("http://127.0.0.1:" + server.port() + "/sse?topic=" + Publication.DEFAULT_TOPIC)
        .requestTransformer(request -> {
          // The attempt after the restart waits until events were published without it: only
          // Last-Event-ID can bring them back.
          if (attempts.incrementAndGet() == 2) awaitQuietly(publishedMeanwhile);
          return request;
        })
        .on("n", Integer.class, got::add)
        .listener(new SseClient.Listener() {
          @Override
          public void onStateChange(SseClient.State state, SseException cause) {
            states.add(state + (cause == null ? "" : "(" + cause.reason() + ")"));
          }
        })
        .build().start());
    Await.until("connected", () -> server.hub().stats().clients() == 1);
    for (int i = 1; i <= 50; i++) server.hub().publish("n", i);
    Await.until(() -> "50 events, got " + got.size(), () -> got.size() == 50);
    client.restart();
    Await.until("the attempt after the restart", () -> attempts.get() == 2);
    for (int i = 51; i <= 100; i++) server.hub().publish("n", i);
    publishedMeanwhile.countDown();
    Await.until(() -> "100 events, got " + got.size(), () -> got.size() >= 100);
    Await.until(() -> "open again: " + states, () -> states.size() == 4);
    assertEquals(IntStream.rangeClosed(1, 100).boxed().toList(), List.copyOf(got));
    assertEquals(List.of("CONNECTING", "OPEN", "CONNECTING", "OPEN"), List.copyOf(states));
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // close() interrupts the reader; the attempt then fails
    }
  }

  @Test
  void publisherAgainstTheRealServerDeliversOnDemandOnlyAndCancelReleasesEverything() throws Exception {
    SseServer server = resources.server(c -> c.heartbeatInterval = Duration.ZERO);
    for (int i = 1; i <= 100; i++) server.hub().publish("n", i); // replayed from the log on connect
    Flow.Publisher<TypedEvent<Integer>> publisher = SseClient.builder().lastEventId("0")
        .url("http://127.0.0.1:" + server.port() + "/sse?topic=" + Publication.DEFAULT_TOPIC).reconnectPolicy(ReconnectPolicy.NEVER)
        .publisher("n", PayloadType.of(Integer.class));
    List<Integer> got = Collections.synchronizedList(new ArrayList<>());
    List<String> problems = Collections.synchronizedList(new ArrayList<>());
    long[] requested = {0};
    Flow.Subscription[] subscription = new Flow.Subscription[1];
    publisher.subscribe(new Flow.Subscriber<>() {
      @Override
      public void onSubscribe(Flow.Subscription s) {
        subscription[0] = s;
      }

      @Override
      public void onNext(TypedEvent<Integer> item) {
        synchronized (requested) {
          if (got.size() >= requested[0]) problems.add("beyond demand: " + item);
        }
        got.add(item.data());
      }

      @Override
      public void onError(Throwable t) {
        problems.add("error: " + t);
      }

      @Override
      public void onComplete() {
        problems.add("completed");
      }
    });
    resources.add(() -> subscription[0].cancel());
    for (int i = 1; i <= 100; i++) {
      synchronized (requested) {
        requested[0]++;
      }
      subscription[0].request(1);
      int expected = i;
      Await.until(() -> "event " + expected + ", got " + got.size(), () -> got.size() == expected);
    }
    assertEquals(IntStream.rangeClosed(1, 100).boxed().toList(), List.copyOf(got));
    assertEquals(List.of(), List.copyOf(problems));
    subscription[0].cancel();
    Await.until("the client's threads to end", () -> Await.threads("ssekit-client-") == 0);
  }

  private static byte[] frame(String id, byte[] data) {
    byte[] head = bytes("id: " + id + "\ndata: ");
    byte[] frame = Arrays.copyOf(head, head.length + data.length + 2);
    System.arraycopy(data, 0, frame, head.length, data.length);
    frame[frame.length - 2] = '\n';
    frame[frame.length - 1] = '\n';
    return frame;
  }

  private static byte[] letters(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) b[i] = (byte) ('a' + i % 26);
    return b;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
