package dev.ssekit.benchmarks.fanout;

import dev.ssekit.benchmarks.log.RedisServer;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;

/**
 * The fan-out benchmark: for each scenario, starts the server in its own JVM (each node in its
 * own, and a redis-server for a Redis log), opens the clients
 * from {@link LoadWorker} processes over loopback, waits out a warm-up, measures one window
 * (latency, lost events, connections held, server RSS and CPU), stops everything, and finally
 * writes every run, a table of medians and a latency chart to {@code --out}.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.ssekit.benchmarks.fanout.LoadDriver --matrix full --repeat 3</pre>
 *
 * <p>{@code --matrix stall} measures stalled readers (use {@code --window 45s});
 * {@code --matrix log} measures the Redis log against the in-memory one, on one and on three
 * nodes (each run on a new redis-server in {@code --redis-dir});
 * {@code --matrix floor} measures the floor server ({@code BenchServer --impl floor}) next to
 * {@code --impls} under each load, for CPU per write and latency as ratios to the floor;
 * {@code --matrix single} measures one scenario from {@code --impl --clients --rate
 * --payload-bytes --stalled --log --nodes}; {@code --only a,b} keeps the named scenarios of a matrix;
 * {@code --from runs.json[,more.json]} only writes the summary and chart again from saved runs
 * (with the {@code --window} and {@code --warmup} they were measured with, for the caption).
 *
 * <p>{@code --selectors n|auto} sets the selector threads of each load worker (see
 * {@link ClientPool}); {@code --server-jvm-args "..."} adds flags to every server JVM (e.g.
 * {@code -XX:+UseParallelGC}); {@code --profile jfr|perf|jfr,perf} profiles each server over the
 * measurement window (see {@link ServerProfiler}), into {@code --out}/profiles.
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
  private final Path redisDir;
  private final Set<String> profile;
  private final List<String> serverJvmArgs = new ArrayList<>();
  private int runs;
  private int nextPort;

  private LoadDriver(Flags flags) throws IOException {
    this.flags = flags;
    this.out = Path.of(flags.get("out"));
    Files.createDirectories(out);
    this.benchmarksJar = Path.of(LoadDriver.class.getProtectionDomain().getCodeSource().getLocation().getPath());
    this.warmup = flags.getDuration("warmup");
    this.window = flags.getDuration("window");
    this.redisDir = Path.of(flags.get("redis-dir"));
    this.nextPort = flags.getInt("base-port");
    this.profile = ServerProfiler.modes(flags.get("profile"));
    if (!flags.get("selectors").equals("auto") && flags.getInt("selectors") < 1) {
      throw new IllegalArgumentException("--selectors must be auto or at least 1: " + flags.get("selectors"));
    }
    // The profilers' flags first, so that --server-jvm-args can override them.
    serverJvmArgs.addAll(ServerProfiler.jvmArgs(profile));
    String extra = flags.get("server-jvm-args").trim();
    if (!extra.isEmpty()) serverJvmArgs.addAll(List.of(extra.split("\\s+")));
  }

  /** Runs the scenarios the flags name; see the class comment. */
  public static void main(String[] args) throws Exception {
    Flags flags = Flags.parse(args, Map.ofEntries(
        Map.entry("matrix", "full"), Map.entry("only", ""), Map.entry("impls", "ssekit,javalin"),
        Map.entry("repeat", "3"), Map.entry("warmup", "5s"), Map.entry("window", "20s"),
        Map.entry("max-clients", "19900"), Map.entry("heap", "1g"), Map.entry("base-port", "18000"),
        Map.entry("out", "benchmarks/results"), Map.entry("server-jar", "server-app/target/ssekit-server.jar"),
        Map.entry("impl", "ssekit"), Map.entry("clients", "1000"), Map.entry("rate", "1"),
        Map.entry("payload-bytes", "0"), Map.entry("stalled", "0"), Map.entry("log", "memory"), Map.entry("nodes", "1"),
        Map.entry("redis-dir", "benchmarks/target/redis"), Map.entry("from", ""), Map.entry("selectors", "auto"),
        Map.entry("server-jvm-args", ""), Map.entry("profile", "")));
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
          flags.getDouble("rate"), flags.getInt("payload-bytes"), flags.get("log"), flags.getInt("nodes")));
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
      case "log" -> {
        // The shared Redis log against the in-memory one: 1,000 clients, 100-byte events at 10 and
        // 100 per second in total, on one node and on three nodes sharing one stream (each node
        // publishes a third and serves a third of the clients). appendfsync always is the durable
        // setting; everysec shows what the fsync per append costs.
        for (int rate : new int[] {10, 100}) {
          all.add(new Scenario("ev" + rate + "-memory-1n", "ssekit", 1_000, 0, rate, 100, "memory", 1));
          all.add(new Scenario("ev" + rate + "-redis-1n", "ssekit", 1_000, 0, rate, 100, "redis-always", 1));
          all.add(new Scenario("ev" + rate + "-redis-3n", "ssekit", 1_000, 0, rate, 100, "redis-always", 3));
        }
        all.add(new Scenario("ev100-everysec-1n", "ssekit", 1_000, 0, 100, 100, "redis-everysec", 1));
        all.add(new Scenario("ev100-everysec-3n", "ssekit", 1_000, 0, 100, 100, "redis-everysec", 3));
      }
      case "floor" -> {
        // Every load is measured on the floor first, then on each server, back to back, so the
        // ratios to the floor compare runs minutes apart rather than a whole matrix apart.
        List<String> servers = new ArrayList<>(List.of(Summary.FLOOR));
        for (String impl : impls) if (!impl.equals(Summary.FLOOR)) servers.add(impl);
        List<Scenario> loads = List.of(
            new Scenario("hb-1k", "", 1_000, 0, 1, 0),
            new Scenario("hb-10k", "", 10_000, 0, 1, 0),
            new Scenario("hb-max", "", max, 0, 1, 0),
            new Scenario("ev100-1k", "", 1_000, 0, 100, 0),
            // As --matrix stall: 4 KB events at 100/s fill a stalled reader's socket buffers in
            // about 10 s, within a 20 s window; the reference is the same load without stalls.
            new Scenario("kb4-100", "", 100, 0, 100, 4096),
            new Scenario("stall-100", "", 100, 4, 100, 4096));
        for (Scenario load : loads) {
          for (String impl : servers) {
            all.add(new Scenario(load.name(), impl, load.clients(), load.stalled(), load.rate(), load.payloadBytes()));
          }
        }
      }
      default -> throw new IllegalArgumentException("--matrix must be quick, full, stall, log, floor or single");
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
        System.out.printf("  held %d/%d, p50 %d ms, p99 %d ms, max %d ms, delivered %.1f%%, lost %d, out of order %d, RSS/conn %.1f KiB (after GC %.1f), server CPU %.0f%% (%.1f µs/write), driver CPU %.0f%% (%d selectors/worker)%n",
            result.held(), result.requested(), result.p50(), result.p99(), result.max(), result.deliveredPercent(),
            result.lost(), result.outOfOrder(), result.rssPerConnectionKib(), result.rssPerConnectionGcKib(),
            result.serverCpuPercent(), result.cpuMicrosPerWrite(), result.driverCpuPercent(), result.selectors());
        Files.writeString(runsFile, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(results));
      }
    }
    writeSummary(results, repeat);
    System.out.println("Wrote every run to " + runsFile);
  }

  private RunResult run(Scenario scenario, int repetition) throws IOException, InterruptedException {
    int run = runs++;
    List<ServerProcess> servers = new ArrayList<>();
    List<WorkerProcess> workers = new ArrayList<>();
    RedisServer redis = null;
    File workerLog = logFile(run, scenario, -1);
    Files.createDirectories(workerLog.toPath().getParent());
    try {
      // A Redis scenario gets a new, empty redis-server: every run starts from the same store.
      String eventLog = "memory";
      if (scenario.onRedis()) {
        redis = RedisServer.start(scenario.fsync(), redisDir);
        eventLog = redis.uri("bench");
      }
      List<Integer> ports = new ArrayList<>();
      for (int node = 0; node < scenario.nodes(); node++) {
        int port = nextPort++;
        // Every node publishes its share, so events come from all of them, interleaved in the log.
        servers.add(ServerProcess.start(scenario, port, scenario.rate() / scenario.nodes(), eventLog, flags.get("heap"),
            serverJvmArgs, benchmarksJar, Path.of(flags.get("server-jar")),
            scenario.nodes() == 1 ? workerLog : logFile(run, scenario, node)));
        ports.add(port);
      }
      Thread.sleep(2000); // let start-up work (JIT, class loading) settle before the baseline
      long rssBase = rssKib(servers);
      for (ServerProcess server : servers) server.collectGarbage();
      long rssBaseGc = rssKib(servers);
      long tcpBase = ProcStats.tcpMemoryPages();

      workers.addAll(startWorkers(scenario, ports, run, workerLog));
      long rampSeconds = 60 + scenario.clients() / 100;
      for (WorkerProcess w : workers) w.awaitLine("READY", rampSeconds);
      Thread.sleep(warmup.toMillis());

      // Profilers first: starting them takes a second or two (jcmd), which must not fall inside the window.
      List<ServerProfiler> profilers = new ArrayList<>();
      for (int node = 0; node < servers.size() && !profile.isEmpty(); node++) {
        profilers.add(ServerProfiler.start(profile, servers.get(node), profileBase(run, scenario, servers.size() == 1 ? -1 : node)));
      }
      long openAtStart = 0;
      for (WorkerProcess w : workers) openAtStart += number(w.send("RESET", "RESET", 30), "open");
      for (ServerProcess server : servers) server.publishDurations(); // the window's start: forget the warm-up
      // Published events are counted right next to the CPU readings, so that the bursts of work
      // after each publish and the count of publishes cover the same interval.
      long published0 = sum(healthOf(servers), "published");
      long serverCpu0 = serverTicks(servers);
      long[] serverCpuFine0 = serverCpuFine(servers);
      long redisCpu0 = redis == null ? 0 : ProcStats.cpuTicks(redis.pid());
      long driverCpu0 = workerTicks(workers);
      long t0 = System.nanoTime();
      Thread.sleep(window.toMillis());
      long serverCpu1 = serverTicks(servers);
      long[] serverCpuFine1 = serverCpuFine(servers);
      double serverSeconds = (System.nanoTime() - t0) / 1e9; // the servers' CPU is read before the reports
      long published1 = sum(healthOf(servers), "published");
      List<Map<String, Object>> reports = new ArrayList<>();
      for (WorkerProcess w : workers) reports.add(w.send("REPORT", "REPORT", 60));
      Histogram publishMicros = new Histogram();
      for (ServerProcess server : servers) publishMicros.add(server.publishDurations());
      double seconds = (System.nanoTime() - t0) / 1e9;
      double serverCpu = cpuPercent(serverCpu1 - serverCpu0, serverSeconds);
      double redisCpu = redis == null ? -1 : cpuPercent(ProcStats.cpuTicks(redis.pid()) - redisCpu0, seconds);
      double driverCpu = cpuPercent(workerTicks(workers) - driverCpu0, seconds);
      for (ServerProfiler profiler : profilers) profiler.finish().forEach(note -> System.out.println("  " + note));
      long published = published0 < 0 || published1 < 0 ? -1 : published1 - published0;

      List<Map<String, Object>> health = new ArrayList<>();
      for (ServerProcess server : servers) health.add(server.health());
      long rssLoaded = rssKib(servers);
      boolean collected = true;
      for (ServerProcess server : servers) collected &= server.collectGarbage();
      long rssLoadedGc = collected ? rssKib(servers) : -1;
      long tcpLoaded = ProcStats.tcpMemoryPages();
      return result(scenario, repetition, reports, openAtStart, health, seconds, rssBase, rssLoaded, rssBaseGc,
          rssLoadedGc, (tcpLoaded - tcpBase) * 4, serverCpu, redisCpu, driverCpu, publishMicros, published,
          ProcStats.cpuNanosChecked(serverCpuFine0, serverCpuFine1),
          String.join(" ", serverJvmArgs), String.join(",", profile));
    } finally {
      // The servers end their streams first, so TIME_WAIT stays on the servers' side; Redis goes last.
      for (ServerProcess server : servers) server.close();
      for (WorkerProcess w : workers) w.close();
      if (redis != null) redis.close();
    }
  }

  /** The {@code /health} of each server; null for one that did not answer. */
  private static List<Map<String, Object>> healthOf(List<ServerProcess> servers) {
    List<Map<String, Object>> health = new ArrayList<>();
    for (ServerProcess server : servers) health.add(server.health());
    return health;
  }

  /** Where a run's profiles of one node (-1: the only one) go, without the suffix of each kind. */
  private Path profileBase(int run, Scenario scenario, int node) {
    return out.resolve("profiles").resolve(String.format("%03d-%s-%s%s", run, scenario.name(), scenario.impl(),
        node < 0 ? "" : "-node" + (node + 1)));
  }

  /** The log of a run's driver-side processes (node -1, and the only node of a one-node run) or of one of its nodes. */
  private File logFile(int run, Scenario scenario, int node) {
    String name = String.format("%03d-%s-%s%s.log", run, scenario.name(), scenario.impl(), node < 0 ? "" : "-node" + (node + 1));
    return out.resolve("logs").resolve(name).toFile();
  }

  private static long rssKib(List<ServerProcess> servers) throws IOException {
    long kib = 0;
    for (ServerProcess server : servers) kib += server.rssKib();
    return kib;
  }

  private static long serverTicks(List<ServerProcess> servers) throws IOException {
    long ticks = 0;
    for (ServerProcess server : servers) ticks += server.cpuTicks();
    return ticks;
  }

  /** The servers' CPU time as {@code [ticks, nanoseconds]}, for {@link ProcStats#cpuNanosChecked}. */
  private static long[] serverCpuFine(List<ServerProcess> servers) throws IOException {
    long ticks = 0;
    long nanos = 0;
    for (ServerProcess server : servers) {
      // Read together, so the two figures describe the same instant as nearly as possible.
      ticks += server.cpuTicks();
      nanos += ProcStats.cpuNanos(server.pid());
    }
    return new long[] {ticks, nanos};
  }

  private static double cpuPercent(long ticks, double seconds) {
    return 100.0 * ticks / ProcStats.TICKS_PER_SECOND / seconds;
  }

  private List<WorkerProcess> startWorkers(Scenario scenario, List<Integer> ports, int run, File log) throws IOException {
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
      workers.add(WorkerProcess.start(i, benchmarksJar, ports, clients, i == 0 ? scenario.stalled() : 0, sources,
          flags.get("selectors"), log));
    }
    return workers;
  }

  private static long workerTicks(List<WorkerProcess> workers) throws IOException {
    long ticks = 0;
    for (WorkerProcess w : workers) ticks += ProcStats.cpuTicks(w.pid());
    return ticks;
  }

  private static RunResult result(Scenario scenario, int repetition, List<Map<String, Object>> reports,
      long openAtStart, List<Map<String, Object>> health, double seconds, long rssBase, long rssLoaded, long rssBaseGc,
      long rssLoadedGc, long tcpKib, double serverCpu, double redisCpu, double driverCpu, Histogram publishMicros,
      long published, long serverCpuNanos, String serverJvmArgs, String profile) {
    Histogram histogram = new Histogram();
    long requested = 0, open = 0, stalledOpen = 0, live = 0, failed = 0, closed = 0, received = 0, lost = 0;
    long outOfOrder = 0, mismatched = 0;
    int selectors = Integer.MAX_VALUE; // the fewest any worker had: the figure that may limit the run
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
      outOfOrder += number(r, "outOfOrder");
      mismatched += number(r, "mismatched");
      if (firstFailure == null && r.get("firstFailure") != null) firstFailure = r.get("firstFailure").toString();
      histogram.add((String) r.get("histogram"));
      selectors = (int) Math.min(selectors, number(r, "selectors"));
    }
    if (selectors == Integer.MAX_VALUE) selectors = -1;
    // Events owed to the clients reading when the window opened; a client cut off later still counts.
    long expected = Math.round(scenario.rate() * seconds * openAtStart);
    return new RunResult(scenario, repetition, requested, open + stalledOpen, live, failed, closed,
        sum(health, "clients"), sum(health, "slowClientsDisconnected"),
        received, expected, lost, histogram.percentile(0.50), histogram.percentile(0.99), histogram.percentile(0.999),
        histogram.max(), rssBase, rssLoaded, rssBaseGc, rssLoadedGc, tcpKib, serverCpu, driverCpu, seconds, firstFailure,
        redisCpu, outOfOrder, mismatched, sum(health, "publishFailed"), sum(health, "resets"),
        publishMicros.percentile(0.50), publishMicros.percentile(0.99), publishMicros.max(), published, selectors,
        serverJvmArgs, profile, serverCpuNanos);
  }

  /** Adds up a field of the nodes' {@code /health}; -1 if a node did not answer or does not report it. */
  private static long sum(List<Map<String, Object>> health, String key) {
    long total = 0;
    for (Map<String, Object> h : health) {
      long value = h == null ? -1 : number(h, key);
      if (value < 0) return -1;
      total += value;
    }
    return total;
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
