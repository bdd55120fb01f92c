package dev.ssekit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ssekit.client.ReconnectPolicy;
import dev.ssekit.client.SseClient;
import dev.ssekit.protocol.Heartbeat;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The runnable jar as an operator runs it: flags, a stream, and a clean exit on SIGTERM. */
class ServerJarContractTest {
  private static final Path JAR = Path.of("..", "server", "target", "ssekit-server.jar");
  private static final Pattern LISTENING = Pattern.compile("ssekit server on http://localhost:(\\d+)");

  private final Resources resources = new Resources();
  private final List<String> output = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  private Process start(String... flags) throws Exception {
    assertTrue(JAR.toFile().isFile(), "the server jar is built before the contract tests: " + JAR.toAbsolutePath());
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar", JAR.toString()));
    command.addAll(List.of(flags));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).directory(new File(".")).start();
    resources.add(() -> {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    });
    Thread pump = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = lines.readLine()) != null; ) output.add(line);
      } catch (Exception e) {
        output.add("(output ended: " + e + ")");
      }
    }, "server-jar-output");
    pump.setDaemon(true);
    pump.start();
    return process;
  }

  private int port() {
    Await.until(() -> "the server to say where it listens; it said: " + output,
        () -> output.stream().anyMatch(line -> LISTENING.matcher(line).find()));
    Matcher m = output.stream().map(LISTENING::matcher).filter(Matcher::find).findFirst().orElseThrow();
    return Integer.parseInt(m.group(1));
  }

  @Test
  void streamsHeartbeatsWithItsFlagsAndExitsCleanlyOnSigterm() throws Exception {
    Process server = start("--port", "0", "--heartbeat-interval", "100ms", "--retry", "300ms", "--history", "50");
    int port = port();
    Received received = new Received();
    AtomicInteger beats = new AtomicInteger();
    SseClient client = SseClient.builder().url("http://127.0.0.1:" + port + "/sse").listener(received)
        .reconnectPolicy(ReconnectPolicy.NEVER)
        .on("heartbeat", Heartbeat.class, beat -> beats.incrementAndGet())
        .build().start();
    resources.add(client);
    Await.until("heartbeats from the jar", () -> beats.get() >= 3);

    long stopping = System.nanoTime();
    server.destroy(); // SIGTERM
    assertTrue(server.waitFor(10, TimeUnit.SECONDS), "the server exits after SIGTERM; it said: " + output);
    Duration took = Duration.ofNanos(System.nanoTime() - stopping);
    assertTrue(took.toSeconds() < 5, "exited within a few seconds, took " + took);
    assertEquals(143, server.exitValue(), "the JVM's status for SIGTERM, after its shutdown hooks ran");
    Await.until(() -> "the client to see the stream end cleanly; " + received, received::closed);
    assertEquals(List.of(), received.errors(), "the stream ended cleanly, it was not cut");
  }

  @Test
  void badFlagExitsNonZeroWithOneLineNamingIt() throws Exception {
    Process server = start("--history", "lots");
    assertTrue(server.waitFor(30, TimeUnit.SECONDS));
    assertEquals(2, server.exitValue());
    Await.until("the message", () -> !output.isEmpty());
    assertEquals(List.of("ssekit-server: --history: 'lots' is not a whole number from 0 to 10000000"), output);
  }
}
