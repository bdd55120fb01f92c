package dev.ssekit.benchmarks.log;

import dev.ssekit.benchmarks.fanout.Flags;
import dev.ssekit.benchmarks.fanout.ProcStats;
import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.server.EventId;
import dev.ssekit.server.HubStats;
import dev.ssekit.server.SseHub;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.HdrHistogram.Histogram;
import tools.jackson.databind.json.JsonMapper;

/**
 * The publish-rate benchmark: the most events per second one hub can append to each log, from
 * 1 and from several publisher threads, with the duration of each publish. For every repetition,
 * log and thread count it starts a fresh log (for Redis: a new {@code redis-server} with an empty
 * AOF), lets {@link ClosedLoop} publish through a warm-up and a measurement window, waits until
 * the hub's tail has delivered everything published, and stops it all. Writes every run to
 * {@code publish-rate-runs.json} and the medians to {@code publish-rate-summary.md} in
 * {@code --out}.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.ssekit.benchmarks.log.PublishRate \
 *     --logs memory,redis-always,redis-everysec --threads 1,4,16,64 --repeat 3</pre>
 *
 * <p>Nothing is connected to the hub: this measures the append path (and, for Redis, the tail
 * reading it back in the same process), not fan-out, which {@code LoadDriver --matrix log} does.
 */
public final class PublishRate {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private PublishRate() {}

  /** Runs the measurements the flags name; see the class comment. */
  public static void main(String[] args) throws Exception {
    Flags flags = Flags.parse(args, Map.of(
        "logs", "memory,redis-always,redis-everysec", "threads", "1,4,16,64", "repeat", "3",
        "warmup", "2s", "window", "5s", "payload-bytes", "100", "history", "1000",
        "out", "benchmarks/results/redis", "redis-dir", "benchmarks/target/redis"));
    Path out = Path.of(flags.get("out"));
    Files.createDirectories(out);
    Path redisDir = Path.of(flags.get("redis-dir"));
    ServerSentEvent event = ServerSentEvent.of("tick", "x".repeat(flags.getInt("payload-bytes")));
    Duration warmup = flags.getDuration("warmup");
    Duration window = flags.getDuration("window");
    int repeat = flags.getInt("repeat");

    List<PublishRun> runs = new ArrayList<>();
    for (int rep = 1; rep <= repeat; rep++) {
      // Repetitions go round every configuration, so a slow drift of the machine spreads over all.
      for (String log : flags.get("logs").split(",")) {
        for (String t : flags.get("threads").split(",")) {
          int threads = Integer.parseInt(t.trim());
          System.out.printf("[%s] run %d/%d: %s, %d publisher threads%n", Instant.now(), rep, repeat, log, threads);
          PublishRun run;
          try (LogUnderTest target = LogUnderTest.open(log.trim(), flags.getInt("history"), redisDir)) {
            run = measure(target, event, threads, rep, warmup, window);
          }
          runs.add(run);
          System.out.printf("  %,.0f events/s, publish p50 %.0f µs, p99 %.0f µs, max %.0f µs, failed %d, "
              + "redis CPU %.0f%%, bench CPU %.0f%%, tail drained in %d ms, tail resets %d (%d events skipped), "
              + "acknowledged but not appended %d%s%n",
              run.eventsPerSecond(), run.p50Micros(), run.p99Micros(), run.maxMicros(), run.failed(), run.redisCpuPercent(),
              run.benchCpuPercent(), run.tailDrainMillis(), run.tailResets(), run.tailSkipped(), run.unappended(),
              run.firstFailure() == null ? "" : "; first failure: " + run.firstFailure());
          Files.writeString(out.resolve("publish-rate-runs.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(runs));
        }
      }
    }
    String summary = summary(runs, warmup, window, flags.getInt("payload-bytes"));
    Files.writeString(out.resolve("publish-rate-summary.md"), summary);
    System.out.println(summary);
    System.out.println("Wrote every run and the summary to " + out);
  }

  private static PublishRun measure(LogUnderTest target, ServerSentEvent event, int threads, int rep,
      Duration warmup, Duration window) throws Exception {
    SseHub hub = target.hub();
    long self = ProcessHandle.current().pid();
    try (ClosedLoop loop = new ClosedLoop(hub, event, threads)) {
      Thread.sleep(warmup.toMillis());
      long redisTicks0 = target.redisPid() < 0 ? 0 : ProcStats.cpuTicks(target.redisPid());
      long selfTicks0 = ProcStats.cpuTicks(self);
      long t0 = System.nanoTime();
      loop.startMeasuring();
      Thread.sleep(window.toMillis());
      ClosedLoop.Outcome outcome = loop.stop();
      double seconds = (System.nanoTime() - t0) / 1e9;
      double redisCpu = target.redisPid() < 0 ? -1
          : 100.0 * (ProcStats.cpuTicks(target.redisPid()) - redisTicks0) / ProcStats.TICKS_PER_SECOND / seconds;
      double selfCpu = 100.0 * (ProcStats.cpuTicks(self) - selfTicks0) / ProcStats.TICKS_PER_SECOND / seconds;

      // Every published event must come back through the hub's tail: wait until the tail's
      // position reaches the log's head. How long that takes says whether the tail keeps up; a
      // tail that fell more than the history behind was trimmed past (a reset) and skipped events.
      HubStats stats = hub.stats();
      long lag = stats.published() - stats.delivered();
      long head = hub.log().head().offset();
      long drainStart = System.nanoTime();
      long deadline = drainStart + Duration.ofSeconds(60).toNanos();
      while (stats.lastEventId().offset() < head) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the tail reached " + stats.lastEventId() + " of " + head + " within 60 s");
        }
        Thread.sleep(1);
        stats = hub.stats();
      }
      long drainMillis = (System.nanoTime() - drainStart) / 1_000_000;
      // The log is new and only this hub appends: its head offset is the number of events it
      // holds. A publish that returned an id without appending shows as published > head.
      long unappended = stats.published() - head;
      long skipped = head - stats.delivered();
      Histogram h = outcome.nanos();
      return new PublishRun(target.kind(), threads, rep, outcome.published(), outcome.failed(), seconds,
          micros(h.getValueAtPercentile(50)), micros(h.getValueAtPercentile(99)), micros(h.getValueAtPercentile(99.9)),
          micros(h.getMaxValue()), redisCpu, selfCpu, lag, drainMillis, stats.resets(), skipped, unappended,
          outcome.firstFailure());
    }
  }

  private static double micros(long nanos) {
    return nanos / 1000.0;
  }

  /** Returns the markdown table of medians per log and thread count. */
  static String summary(List<PublishRun> runs, Duration warmup, Duration window, int payloadBytes) {
    Map<String, List<PublishRun>> groups = new LinkedHashMap<>();
    for (PublishRun r : runs) groups.computeIfAbsent(r.log() + "/" + r.threads(), k -> new ArrayList<>()).add(r);
    int repeat = runs.stream().mapToInt(PublishRun::repetition).max().orElse(0);
    StringBuilder md = new StringBuilder();
    md.append("Publish rate, medians over ").append(repeat).append(" runs; ").append(Runtime.getRuntime().availableProcessors())
        .append(" cores, JDK ").append(System.getProperty("java.vm.version")).append("; ").append(payloadBytes)
        .append("-byte data; warm-up ").append(warmup.toSeconds()).append(" s, window ").append(window.toSeconds())
        .append(" s.\n\n");
    md.append("| log | publisher threads | events/s | publish p50 µs | p99 µs | p99.9 µs | max µs | failed | redis CPU | bench JVM CPU | tail lag at end | tail drain ms | tail resets | acknowledged, not appended | runs |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (List<PublishRun> g : groups.values()) {
      PublishRun first = g.get(0);
      md.append("| ").append(first.log()).append(" | ").append(first.threads())
          .append(" | ").append(String.format("%,.0f", median(g, PublishRun::eventsPerSecond)))
          .append(" | ").append(formatMicros(median(g, PublishRun::p50Micros)))
          .append(" | ").append(formatMicros(median(g, PublishRun::p99Micros)))
          .append(" | ").append(formatMicros(median(g, PublishRun::p999Micros)))
          .append(" | ").append(formatMicros(median(g, PublishRun::maxMicros)))
          .append(" | ").append(g.stream().mapToLong(PublishRun::failed).sum())
          .append(" | ").append(first.redisCpuPercent() < 0 ? "–" : String.format("%.0f%%", median(g, PublishRun::redisCpuPercent)))
          .append(" | ").append(String.format("%.0f%%", median(g, PublishRun::benchCpuPercent)))
          .append(" | ").append(String.format("%,.0f", median(g, r -> r.tailLagEvents())))
          .append(" | ").append(String.format("%,.0f", median(g, r -> r.tailDrainMillis())))
          .append(" | ").append(g.stream().mapToLong(PublishRun::tailResets).sum())
          .append(" | ").append(g.stream().mapToLong(PublishRun::unappended).sum())
          .append(" | ").append(g.size()).append(" |\n");
    }
    md.append("\n*failed*, *tail resets* and *acknowledged, not appended* are sums over the runs; every other figure\n"
        + "is the median. A tail reset means the hub's tail fell more than the log's history behind the appends\n"
        + "and was trimmed past: the events in between were never delivered to that hub (its clients would be\n"
        + "told with ssekit-lost). *Acknowledged, not appended* counts publishes that returned an id although\n"
        + "the log holds no event for them (hub's published count minus the new log's head offset).\n");
    return md.toString();
  }

  /** Formats microseconds: one decimal below 10 µs (the in-memory log), whole above. */
  private static String formatMicros(double v) {
    return v < 10 ? String.format("%.1f", v) : String.format("%,.0f", v);
  }

  private static double median(List<PublishRun> runs, ToDoubleFunction<PublishRun> figure) {
    double[] values = runs.stream().mapToDouble(figure).toArray();
    Arrays.sort(values);
    int n = values.length;
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  }
}
