package dev.ssekit.benchmarks.fanout;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * The fan-out benchmark: for each scenario, starts the server in its own JVM, opens the clients
 * from {@link LoadWorker} processes over loopback, waits out a warm-up, measures one window
 * (latency, lost events, connections held, server RSS and CPU), stops everything, and finally
 * writes every run, a table of medians and a latency chart to {@code --out}.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.ssekit.benchmarks.fanout.LoadDriver --matrix full --repeat 3</pre>
 *
 * <p>{@code --matrix stall} measures stalled readers (use {@code --window 45s});
 * {@code --matrix single} measures one scenario from {@code --impl --clients --rate
 * --payload-bytes --stalled}; {@code --only a,b} keeps the named scenarios of a matrix;
 * {@code --from runs.json[,more.json]} only writes the summary and chart again from saved runs
 * (with the {@code --window} and {@code --warmup} they were measured with, for the caption).
 */
public final class LoadDriver {
  /** Connections per worker process: below the 20,000 open-files limit with room to spare. */
  static final int CLIENTS_PER_WORKER = 15_000;
  /** Connections per source address: about half the 28,232 ephemeral ports, leaving room for TIME_WAIT. */
  static final int CLIENTS_PER_SOURCE = 14_000;

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Flags flags;
  private final Path out;
  private final Path benchmarksJar;
  private final Duration warmup;
  private final Duration window;
  private int runs;

  private LoadDriver(Flags flags) throws IOException {
    this.flags = flags;
    this.out = Path.of(flags.get("out"));
    Files.createDirectories(out);
    this.benchmarksJar = Path.of(LoadDriver.class.getProtectionDomain().getCodeSource().getLocation().getPath());
    this.warmup = flags.getDuration("warmup");
    this.window = flags.getDuration("window");
  }

  /** Runs the scenarios the flags name; see the class comment. */
  public static void main(String[] args) throws Exception {
    Flags flags = Flags.parse(args, Map.ofEntries(
        Map.entry("matrix", "full"), Map.entry("only", ""), Map.entry("impls", "ssekit,javalin"),
        Map.entry("repeat", "3"), Map.entry("warmup", "5s"), Map.entry("window", "20s"),
        Map.entry("max-clients", "19900"), Map.entry("heap", "1g"), Map.entry("base-port", "18000"),
        Map.entry("out", "benchmarks/results"), Map.entry("server-jar", "server-app/target/ssekit-server.jar"),
        Map.entry("impl", "ssekit"), Map.entry("clients", "1000"), Map.entry("rate", "1"),
        Map.entry("payload-bytes", "0"), Map.entry("stalled", "0"), Map.entry("from", "")));
    LoadDriver driver = new LoadDriver(flags);
    if (flags.get("from").isEmpty()) {
      driver.runAll(scenarios(flags));
    } else {
      driver.summarise(List.of(flags.get("from").split(",")));
    }
  }

  /** Writes the summary and chart again from saved runs (several files are merged), measuring nothing. */
  private void summarise(List<String> runFiles) throws IOException {
    List<RunResult> results = new ArrayList<>();
    for (String file : runFiles) {
      results.addAll(List.of(JSON.readValue(Path.of(file).toFile(), RunResult[].class)));
    }
    int repeat = results.stream().mapToInt(RunResult::repetition).max().orElse(0);
    writeSummary(results, repeat);
  }

  private void writeSummary(List<RunResult> results, int repeat) throws IOException {
    Summary summary = Summary.of(results);
    String markdown = summary.markdown(machine(), window, warmup, repeat);
    Files.writeString(out.resolve("fanout-summary.md"), markdown);
    LatencyChart.write(summary, out.resolve("fanout-latency.png"));
    System.out.println(markdown);
    System.out.println("Wrote the summary and the chart to " + out);
  }

  static List<Scenario> scenarios(Flags flags) {
    List<Scenario> all = new ArrayList<>();
    List<String> impls = List.of(flags.get("impls").split(","));
    int max = flags.getInt("max-clients");
    switch (flags.get("matrix")) {
      case "single" -> all.add(new Scenario("single", flags.get("impl"), flags.getInt("clients"), flags.getInt("stalled"),
          flags.getDouble("rate"), flags.getInt("payload-bytes")));
      case "quick" -> {
        for (String impl : impls) {
          all.add(new Scenario("hb-200", impl, 200, 0, 1, 0));
          all.add(new Scenario("ev100-200", impl, 200, 0, 100, 0));
          all.add(new Scenario("stall-200", impl, 200, 2, 100, 1024));
        }
      }
      case "full" -> {
        for (String impl : impls) {
          all.add(new Scenario("hb-1k", impl, 1_000, 0, 1, 0));
          all.add(new Scenario("hb-10k", impl, 10_000, 0, 1, 0));
          all.add(new Scenario("hb-max", impl, max, 0, 1, 0));
          all.add(new Scenario("ev100-1k", impl, 1_000, 0, 100, 0));
          // Stalled readers must fill their socket buffers (hundreds of KB) within the window, hence
          // 1 KB events at 100/s; 200 clients keep that load (20 MB/s) within what both servers manage.
          all.add(new Scenario("kb100-200", impl, 200, 0, 100, 1024));
          all.add(new Scenario("stall-200", impl, 200, 4, 100, 1024));
        }
        all.add(new Scenario("hb-10k", "ssekit-jar", 10_000, 0, 1, 0));
      }
      case "stall" -> {
        // Loopback sockets buffer several MB before a write blocks: 4 KB events at 100/s fill a
        // stalled reader's buffers in about 10 s. Run with a window long enough to see what follows
        // (Jetty's idle timeout is 30 s), e.g. --window 45s.
        for (String impl : impls) {
          all.add(new Scenario("kb4-100", impl, 100, 0, 100, 4096));
          all.add(new Scenario("stall-100", impl, 100, 4, 100, 4096));
        }
      }
      default -> throw new IllegalArgumentException("--matrix must be quick, full, stall or single");
    }
    String only = flags.get("only");
    if (!only.isEmpty()) {
      List<String> names = List.of(only.split(","));
      all.removeIf(s -> !names.contains(s.name()));
    }
    return all;
  }

  private void runAll(List<Scenario> scenarios) throws Exception {
    int repeat = flags.getInt("repeat");
    List<RunResult> results = new ArrayList<>();
    Path runsFile = out.resolve("fanout-runs.json");
    for (int rep = 1; rep <= repeat; rep++) {
      // Repetitions go round the whole matrix, so slow drifts in the machine's load spread over all scenarios.
      for (Scenario scenario : scenarios) {
        System.out.printf("[%s] run %d/%d: %s%n", Instant.now(), rep, repeat, scenario.label());
        RunResult result;
        try {
          result = run(scenario, rep);
        } catch (IOException e) {
          System.out.println("  FAILED: " + e.getMessage());
          continue;
        }
        results.add(result);
        System.out.printf("  held %d/%d, p50 %d ms, p99 %d ms, max %d ms, delivered %.1f%%, lost %d, RSS/conn %.1f KiB (after GC %.1f), server CPU %.0f%%, driver CPU %.0f%%%n",
            result.held(), result.requested(), result.p50(), result.p99(), result.max(), result.deliveredPercent(),
            result.lost(), result.rssPerConnectionKib(), result.rssPerConnectionGcKib(), result.serverCpuPercent(),
            result.driverCpuPercent());
        Files.writeString(runsFile, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(results));
      }
    }
    writeSummary(results, repeat);
    System.out.println("Wrote every run to " + runsFile);
  }

  private RunResult run(Scenario scenario, int repetition) throws IOException, InterruptedException {
    int run = runs++;
    int port = flags.getInt("base-port") + run;
    File log = out.resolve("logs").resolve(String.format("%03d-%s-%s.log", run, scenario.name(), scenario.impl())).toFile();
    Files.createDirectories(log.toPath().getParent());
    ServerProcess server = ServerProcess.start(scenario, port, flags.get("heap"), benchmarksJar,
        Path.of(flags.get("server-jar")), log);
    List<WorkerProcess> workers = new ArrayList<>();
    try {
      Thread.sleep(2000); // let start-up work (JIT, class loading) settle before the baseline
      long rssBase = server.rssKib();
      server.collectGarbage();
      long rssBaseGc = server.rssKib();
      long tcpBase = ProcStats.tcpMemoryPages();

      workers.addAll(startWorkers(scenario, port, run, log));
      long rampSeconds = 60 + scenario.clients() / 100;
      for (WorkerProcess w : workers) w.awaitLine("READY", rampSeconds);
      Thread.sleep(warmup.toMillis());

      long openAtStart = 0;
      for (WorkerProcess w : workers) openAtStart += number(w.send("RESET", "RESET", 30), "open");
      long serverCpu0 = server.cpuTicks();
      long driverCpu0 = workerTicks(workers);
      long t0 = System.nanoTime();
      Thread.sleep(window.toMillis());
      List<Map<String, Object>> reports = new ArrayList<>();
      for (WorkerProcess w : workers) reports.add(w.send("REPORT", "REPORT", 60));
      double seconds = (System.nanoTime() - t0) / 1e9;
      double serverCpu = 100.0 * (server.cpuTicks() - serverCpu0) / ProcStats.TICKS_PER_SECOND / seconds;
      double driverCpu = 100.0 * (workerTicks(workers) - driverCpu0) / ProcStats.TICKS_PER_SECOND / seconds;

      Map<String, Object> health = server.health();
      long rssLoaded = server.rssKib();
      boolean collected = server.collectGarbage();
      long rssLoadedGc = collected ? server.rssKib() : -1;
      long tcpLoaded = ProcStats.tcpMemoryPages();
      return result(scenario, repetition, reports, openAtStart, health, seconds, rssBase, rssLoaded, rssBaseGc,
          rssLoadedGc, (tcpLoaded - tcpBase) * 4, serverCpu, driverCpu);
    } finally {
      server.close(); // the server ends its streams first, so TIME_WAIT stays on the server's side
      for (WorkerProcess w : workers) w.close();
    }
  }

  private List<WorkerProcess> startWorkers(Scenario scenario, int port, int run, File log) throws IOException {
    int count = Math.max(1, (scenario.clients() + CLIENTS_PER_WORKER - 1) / CLIENTS_PER_WORKER);
    int sourcesPerWorker = Math.max(1, (scenario.clients() / count + CLIENTS_PER_SOURCE - 1) / CLIENTS_PER_SOURCE);
    List<WorkerProcess> workers = new ArrayList<>();
    int assigned = 0;
    for (int i = 0; i < count; i++) {
      int clients = (scenario.clients() - assigned) / (count - i);
      assigned += clients;
      List<String> sources = new ArrayList<>();
      for (int s = 0; s < sourcesPerWorker; s++) {
        // A different range of 127.0.0.x on every run, so ports left in TIME_WAIT never collide.
        int host = 2 + ((run * 4 + i * sourcesPerWorker + s) % 250);
        sources.add("127.0.0." + host);
      }
      workers.add(WorkerProcess.start(i, benchmarksJar, port, clients, i == 0 ? scenario.stalled() : 0, sources, log));
    }
    return workers;
  }

  private static long workerTicks(List<WorkerProcess> workers) throws IOException {
    long ticks = 0;
    for (WorkerProcess w : workers) ticks += ProcStats.cpuTicks(w.pid());
    return ticks;
  }

  private static RunResult result(Scenario scenario, int repetition, List<Map<String, Object>> reports,
      long openAtStart, Map<String, Object> health, double seconds, long rssBase, long rssLoaded, long rssBaseGc, long rssLoadedGc,
      long tcpKib, double serverCpu, double driverCpu) {
    Histogram histogram = new Histogram();
    long requested = 0, open = 0, stalledOpen = 0, live = 0, failed = 0, closed = 0, received = 0, lost = 0;
    String firstFailure = null;
    for (Map<String, Object> r : reports) {
      requested += number(r, "requested");
      open += number(r, "open");
      stalledOpen += number(r, "stalledOpen");
      live += number(r, "live");
      failed += number(r, "failed");
      closed += number(r, "closedByServer");
      received += number(r, "received");
      lost += number(r, "lost");
      if (firstFailure == null && r.get("firstFailure") != null) firstFailure = r.get("firstFailure").toString();
      histogram.add((String) r.get("histogram"));
    }
    // Events owed to the clients reading when the window opened; a client cut off later still counts.
    long expected = Math.round(scenario.rate() * seconds * openAtStart);
    return new RunResult(scenario, repetition, requested, open + stalledOpen, live, failed, closed,
        health == null ? -1 : number(health, "clients"), health == null ? -1 : number(health, "slowClientsDisconnected"),
        received, expected, lost, histogram.percentile(0.50), histogram.percentile(0.99), histogram.percentile(0.999),
        histogram.max(), rssBase, rssLoaded, rssBaseGc, rssLoadedGc, tcpKib, serverCpu, driverCpu, seconds, firstFailure);
  }

  private static long number(Map<String, Object> map, String key) {
    Object value = map.get(key);
    return value instanceof Number n ? n.longValue() : -1;
  }

  private static String machine() {
    return Runtime.getRuntime().availableProcessors() + " cores, JDK " + System.getProperty("java.vm.version")
        + ", " + System.getProperty("os.name") + " " + System.getProperty("os.version");
  }
}
