package dev.ssekit.benchmarks.fanout;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.json.JsonMapper;

/**
 * A server under test in its own JVM (fixed heap): started, asked for {@code /health}, measured
 * through /proc, garbage-collected on demand with {@code jcmd GC.run}, and stopped with SIGTERM.
 */
final class ServerProcess implements AutoCloseable {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Process process;
  private final int port;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private ServerProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * Starts one node of {@code scenario}'s server on {@code port}, publishing {@code rate} events
   * per second (0: none) to {@code eventLog} ({@code memory} or a Redis URI), with {@code jvmArgs}
   * after the heap flags (so they may override them), and waits until it answers {@code /health}.
   */
  static ServerProcess start(Scenario scenario, int port, double rate, String eventLog, String heap, List<String> jvmArgs,
      Path benchmarksJar, Path serverJar, File log) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(java(), "-Xmx" + heap, "-Xms64m"));
    command.addAll(jvmArgs);
    if (scenario.impl().equals("ssekit-jar")) {
      if (scenario.rate() != 1 || scenario.payloadBytes() != 0 || scenario.nodes() != 1 || scenario.onRedis()) {
        throw new IllegalArgumentException("ssekit-jar is measured sending 1 s heartbeats on one node in memory");
      }
      command.addAll(List.of("-jar", serverJar.toString(), "--host", "127.0.0.1", "--port", Integer.toString(port),
          "--heartbeat-interval", "1s", "--max-clients", "100000"));
    } else {
      command.addAll(List.of("-cp", benchmarksJar.toString(), BenchServer.class.getName(), "--impl", scenario.impl(),
          "--host", "127.0.0.1", "--port", Integer.toString(port), "--rate", Double.toString(rate),
          "--payload-bytes", Integer.toString(scenario.payloadBytes()), "--log", eventLog));
    }
    Process process = ChildProcesses.started(
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start());
    ServerProcess server = new ServerProcess(process, port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (server.health() == null) {
      if (!process.isAlive()) throw new IOException("server exited with " + process.exitValue() + "; see " + log);
      if (System.nanoTime() > deadline) {
        server.close();
        throw new IOException("server did not answer /health within 30 s; see " + log);
      }
      Thread.sleep(200);
    }
    return server;
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  long pid() {
    return process.pid();
  }

  /** Returns the server's {@code /health} JSON, or null if it does not answer within 5 s. */
  Map<String, Object> health() {
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
          .timeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) return null;
      @SuppressWarnings("unchecked")
      Map<String, Object> body = JSON.readValue(response.body(), Map.class);
      return body;
    } catch (IOException | RuntimeException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * Returns how long the server's publish calls took since the previous call, {@code micros:count,...};
   * empty if it publishes nothing or does not answer.
   */
  String publishDurations() {
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/publish-durations"))
          .timeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? response.body() : "";
    } catch (IOException | RuntimeException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /** Runs a full garbage collection in the server (jcmd GC.run); returns false if that failed. */
  boolean collectGarbage() throws InterruptedException {
    return jcmd("GC.run");
  }

  /** Runs {@code jcmd <pid> command...} (e.g. {@code JFR.start ...}); returns false if it failed or took over 30 s. */
  boolean jcmd(String... command) throws InterruptedException {
    List<String> line = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        Long.toString(pid())));
    line.addAll(List.of(command));
    try {
      Process jcmd = ChildProcesses.started(
          new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
      try {
        if (!jcmd.waitFor(30, TimeUnit.SECONDS)) return false;
        return jcmd.exitValue() == 0;
      } finally {
        jcmd.destroyForcibly(); // a no-op once it has exited
        jcmd.waitFor(5, TimeUnit.SECONDS);
        ChildProcesses.stopped(jcmd);
      }
    } catch (IOException e) {
      return false;
    }
  }

  long rssKib() throws IOException {
    return ProcStats.rssKib(pid());
  }

  long cpuTicks() throws IOException {
    return ProcStats.cpuTicks(pid());
  }

  /** Stops the server with SIGTERM, then kills it if it has not exited within 20 s. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    if (!process.isAlive()) ChildProcesses.stopped(process);
  }
}
