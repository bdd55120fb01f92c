package dev.ssekit.benchmarks.fanout;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.json.JsonMapper;

/** A {@link LoadWorker} process, driven line by line through its standard input and output. */
final class WorkerProcess implements AutoCloseable {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Process process;
  private final Writer commands;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final Thread reader;

  private WorkerProcess(Process process, int index) {
    this.process = process;
    this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    this.reader = new Thread(this::readLines, "load-worker-" + index + "-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts a worker that opens {@code clients} connections (the first {@code stalled} never read)
   * from {@code sources}, spread round robin over the nodes listening on {@code ports}, read by
   * {@code selectors} selector threads (a number, or {@code auto}).
   */
  static WorkerProcess start(int index, Path benchmarksJar, List<Integer> ports, int clients, int stalled, List<String> sources,
      String selectors, File log) throws IOException {
    List<String> command = new ArrayList<>(List.of(ServerProcess.java(), "-Xmx512m", "-cp", benchmarksJar.toString(),
        LoadWorker.class.getName(), "--ports", String.join(",", ports.stream().map(String::valueOf).toList()),
        "--clients", Integer.toString(clients),
        "--stalled", Integer.toString(stalled), "--sources", String.join(",", sources), "--selectors", selectors));
    Process process = ChildProcesses.started(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log)).start());
    return new WorkerProcess(process, index);
  }

  private void readLines() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) lines.add(line);
    } catch (IOException e) {
      // the worker exited; awaitLine reports it
    }
  }

  long pid() {
    return process.pid();
  }

  /** Sends {@code command} and returns the JSON after the reply's keyword, if it has any. */
  Map<String, Object> send(String command, String reply, long timeoutSeconds) throws IOException, InterruptedException {
    commands.write(command + "\n");
    commands.flush();
    return awaitLine(reply, timeoutSeconds);
  }

  /** Waits for a line starting with {@code keyword}; returns the JSON after it (empty map if none). */
  Map<String, Object> awaitLine(String keyword, long timeoutSeconds) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (true) {
      String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line == null) throw new IOException("load worker " + pid() + " did not say " + keyword + " within " + timeoutSeconds + " s");
      if (!line.startsWith(keyword)) continue;
      String json = line.substring(keyword.length()).trim();
      @SuppressWarnings("unchecked")
      Map<String, Object> map = json.isEmpty() ? Map.of() : JSON.readValue(json, Map.class);
      return map;
    }
  }

  /** Asks the worker to close its connections and exit; kills it if it does not within 30 s. */
  @Override
  public void close() {
    try {
      commands.write("QUIT\n");
      commands.flush();
      commands.close();
    } catch (IOException e) {
      // already gone
    }
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
      reader.join(1000);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    if (!process.isAlive()) ChildProcesses.stopped(process);
  }
}
