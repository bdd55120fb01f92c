package dev.ssekit.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ssekit.server.EventId;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The runnable server jar in its own JVM, as an operator runs it; its output is kept for messages. */
final class ServerJar implements AutoCloseable {
  static final Path JAR = Path.of("..", "server-app", "target", "ssekit-server.jar");
  private static final Pattern LISTENING = Pattern.compile("ssekit server on http://localhost:(\\d+)");
  private static final Pattern LAST_EVENT_ID = Pattern.compile("\"lastEventId\":\"([^\"]+)\"");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  final Process process;
  final List<String> output = new CopyOnWriteArrayList<>();
  private final String name;

  private ServerJar(String name, List<String> jvm, List<String> flags) throws Exception {
    assertTrue(JAR.toFile().isFile(), "the server jar is built before the contract tests: " + JAR.toAbsolutePath());
    this.name = name;
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(jvm.isEmpty() ? List.of("-Xmx256m") : jvm);
    command.addAll(List.of("-jar", JAR.toString()));
    command.addAll(flags);
    process = new ProcessBuilder(command).redirectErrorStream(true).directory(new File(".")).start();
    Thread pump = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = lines.readLine()) != null; ) output.add(line);
      } catch (Exception e) {
        output.add("(output ended: " + e + ")");
      }
    }, "server-jar-output-" + name);
    pump.setDaemon(true);
    pump.start();
  }

  /** Starts the jar with {@code flags}; it is killed when closed. */
  static ServerJar start(String name, String... flags) throws Exception {
    return new ServerJar(name, List.of(), List.of(flags));
  }

  /**
   * Starts the jar in a small JVM that starts fast and spends little CPU (serial GC, C1 only),
   * for tests that run several at once on a busy machine.
   */
  static ServerJar startSmall(String name, String... flags) throws Exception {
    return new ServerJar(name, List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k"), List.of(flags));
  }

  /** Waits until the server says where it listens, and returns the port. */
  int port() {
    Await.until(() -> name + " to say where it listens; it said: " + output,
        () -> output.stream().anyMatch(line -> LISTENING.matcher(line).find()) || !process.isAlive());
    Matcher m = output.stream().map(LISTENING::matcher).filter(Matcher::find).findFirst()
        .orElseThrow(() -> new AssertionError(name + " exited: " + output));
    return Integer.parseInt(m.group(1));
  }

  /** Returns the body of {@code GET /health}. */
  String health() {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + "/health"))
          .timeout(Duration.ofSeconds(10)).build(), BodyHandlers.ofString()).body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Returns the id of the newest event the server delivered, from its health. */
  EventId lastEventId() {
    String health = health();
    Matcher m = LAST_EVENT_ID.matcher(health);
    assertTrue(m.find(), health);
    return EventId.parse(m.group(1));
  }

  /** Kills the server with SIGKILL: no shutdown hook, no clean end of its streams. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }

  @Override
  public String toString() {
    return name + (process.isAlive() ? "" : " (exited " + process.exitValue() + ")") + " said " + output;
  }
}
