package dev.ssekit.benchmarks.fanout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * The median of every figure over a scenario's repeated runs, and the markdown table of them: the
 * fan-out table, or, when a scenario runs on a Redis log or on several nodes, the log table
 * (latency, correctness summed over the runs, CPU of the nodes and of Redis). When the floor server
 * ran, the fan-out table is followed by the floor table: every server's CPU per write, p50 and p99
 * as ratios to the floor's under the same load.
 */
final class Summary {
  /** One scenario's medians. */
  record Row(Scenario scenario, int runs, double requested, double held, double p50, double p99, double max,
      double delivered, double lost, double rssPerConnGc, double rssPerConn, double tcpPerConn, double serverCpu,
      double driverCpu, double closedByServer, double slowDisconnected, String failure, double redisCpu,
      long lostSum, long outOfOrderSum, long mismatchedSum, long publishFailedSum, long tailResetsSum,
      double publishP50Micros, double publishP99Micros, double cpuMicrosPerWrite, double selectors) {}

  private final List<Row> rows;

  private Summary(List<Row> rows) {
    this.rows = rows;
  }

  static Summary of(List<RunResult> results) {
    Map<String, List<RunResult>> byScenario = new LinkedHashMap<>();
    for (RunResult r : results) {
      Scenario s = r.scenario();
      byScenario.computeIfAbsent(s.name() + "/" + s.impl() + "/" + s.log() + "/" + s.nodes(), k -> new ArrayList<>()).add(r);
    }
    List<Row> rows = new ArrayList<>();
    for (List<RunResult> runs : byScenario.values()) {
      String failure = runs.stream().map(RunResult::firstFailure).filter(f -> f != null).findFirst().orElse(null);
      rows.add(new Row(runs.get(0).scenario(), runs.size(),
          median(runs, RunResult::requested), median(runs, RunResult::held), median(runs, RunResult::p50),
          median(runs, RunResult::p99), median(runs, RunResult::max), median(runs, RunResult::deliveredPercent),
          median(runs, RunResult::lost), median(runs, RunResult::rssPerConnectionGcKib),
          median(runs, RunResult::rssPerConnectionKib),
          median(runs, r -> r.held() == 0 ? Double.NaN : r.tcpMemoryKib() / (double) r.held()),
          median(runs, RunResult::serverCpuPercent), median(runs, RunResult::driverCpuPercent),
          median(runs, RunResult::closedByServer), median(runs, RunResult::slowDisconnected), failure,
          median(runs, RunResult::redisCpuPercent), sum(runs, RunResult::lost), sum(runs, RunResult::outOfOrder),
          sum(runs, RunResult::mismatched), sum(runs, RunResult::publishFailed), sum(runs, RunResult::tailResets),
          median(runs, RunResult::publishP50Micros), median(runs, RunResult::publishP99Micros),
          median(runs, RunResult::cpuMicrosPerWrite), median(runs, RunResult::selectors)));
    }
    return new Summary(rows);
  }

  List<Row> rows() {
    return rows;
  }

  private static double median(List<RunResult> runs, ToDoubleFunction<RunResult> figure) {
    double[] values = runs.stream().mapToDouble(figure).toArray();
    Arrays.sort(values);
    int n = values.length;
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  }

  /** Adds up a count over the runs; a run that could not tell (-1) adds nothing. */
  private static long sum(List<RunResult> runs, ToLongFunction<RunResult> count) {
    return runs.stream().mapToLong(count).filter(v -> v > 0).sum();
  }

  String markdown(String machine, Duration window, Duration warmup, int repeat) {
    boolean logTable = rows.stream().anyMatch(r -> r.scenario().onRedis() || r.scenario().nodes() > 1);
    if (logTable) return logMarkdown(machine, window, warmup, repeat);
    String fanOut = fanOutMarkdown(machine, window, warmup, repeat);
    return rows.stream().anyMatch(r -> r.scenario().impl().equals(FLOOR)) ? fanOut + "\n" + floorMarkdown(repeat) : fanOut;
  }

  /** The name of the floor server's impl. */
  static final String FLOOR = "floor";

  /**
   * The floor table: for every scenario the floor ran, each server's CPU per write and latency, and
   * their ratios to the floor's medians under the same load (same scenario name). 1 ms timestamps
   * make a latency ratio to a floor of a few ms coarse; a floor of 0 ms gives no ratio.
   */
  private String floorMarkdown(int repeat) {
    Map<String, Row> floors = new LinkedHashMap<>();
    for (Row r : rows) {
      if (r.scenario().impl().equals(FLOOR)) floors.put(r.scenario().name(), r);
    }
    StringBuilder md = new StringBuilder();
    md.append("Against the floor (plain Java NIO, one write per client per event, measured in the same run), medians over ")
        .append(repeat).append(" runs; CPU per write = server CPU time in the window ÷ (events published in it × clients held)"
        + "; lost, out of order and other history summed over the runs.\n\n");
    md.append("| scenario | server | clients | CPU µs/write | × floor | p50 ms | × floor | p99 ms | × floor | delivered | lost | out of order | other history | server CPU | driver CPU | selectors/worker |\n");
    md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Row r : rows) {
      Scenario s = r.scenario();
      Row floor = floors.get(s.name());
      if (floor == null || s.nodes() != 1) continue;
      md.append("| ").append(s.name()).append(" (").append(describe(s)).append(") | ").append(s.impl())
          .append(" | ").append(whole(r.requested()))
          .append(" | ").append(decimal(r.cpuMicrosPerWrite(), 1)).append(" | ").append(ratio(r.cpuMicrosPerWrite(), floor.cpuMicrosPerWrite()))
          .append(" | ").append(whole(r.p50())).append(" | ").append(ratio(r.p50(), floor.p50()))
          .append(" | ").append(whole(r.p99())).append(" | ").append(ratio(r.p99(), floor.p99()))
          .append(" | ").append(String.format("%.1f%%", r.delivered())).append(" | ").append(r.lostSum())
          .append(" | ").append(r.outOfOrderSum()).append(" | ").append(r.mismatchedSum())
          .append(" | ").append(String.format("%.0f%%", r.serverCpu())).append(" | ").append(String.format("%.0f%%", r.driverCpu()))
          .append(" | ").append(r.selectors() > 0 ? whole(r.selectors()) : "–").append(" |\n");
    }
    return md.toString();
  }

  private static String ratio(double value, double floor) {
    if (Double.isNaN(value) || Double.isNaN(floor) || value < 0 || floor <= 0) return "–";
    return String.format("%.2f×", value / floor);
  }

  private static String decimal(double v, int places) {
    return Double.isNaN(v) ? "–" : String.format("%." + places + "f", v);
  }

  /**
   * The log table: delivery latency and publish-call duration medians; lost, out-of-order and
   * other-history events, failed publishes and tail resets summed over every run (each must be
   * 0); CPU of all nodes together, of Redis and of the load driver, in % of one core.
   */
  private String logMarkdown(String machine, Duration window, Duration warmup, int repeat) {
    StringBuilder md = new StringBuilder();
    md.append("Event log fan-out, medians over ").append(repeat).append(" runs (counts: sums over the runs); ").append(machine)
        .append("; warm-up ").append(warmup.toSeconds()).append(" s, window ").append(window.toSeconds()).append(" s.\n\n");
    md.append("| scenario | log | nodes | rate | clients | held | p50 ms | p99 ms | max ms | publish p50 ms | publish p99 ms | delivered | lost | out of order | other history | publish failed | tail resets | servers CPU | redis CPU | driver CPU | cut off | runs |\n");
    md.append("|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Row r : rows) {
      Scenario s = r.scenario();
      md.append("| ").append(s.name()).append(" | ").append(s.log()).append(" | ").append(s.nodes())
          .append(" | ").append(describe(s)).append(" | ").append(whole(r.requested())).append(" | ").append(whole(r.held()))
          .append(" | ").append(whole(r.p50())).append(" | ").append(whole(r.p99())).append(" | ").append(whole(r.max()))
          .append(" | ").append(millis(r.publishP50Micros())).append(" | ").append(millis(r.publishP99Micros()))
          .append(" | ").append(String.format("%.1f%%", r.delivered())).append(" | ").append(r.lostSum())
          .append(" | ").append(r.outOfOrderSum()).append(" | ").append(r.mismatchedSum())
          .append(" | ").append(r.publishFailedSum()).append(" | ").append(r.tailResetsSum())
          .append(" | ").append(String.format("%.0f%%", r.serverCpu()))
          .append(" | ").append(s.onRedis() ? String.format("%.0f%%", r.redisCpu()) : "–")
          .append(" | ").append(String.format("%.0f%%", r.driverCpu()))
          .append(" | ").append(whole(r.closedByServer())).append(" | ").append(r.runs()).append(" |\n");
    }
    return md.toString();
  }

  private String fanOutMarkdown(String machine, Duration window, Duration warmup, int repeat) {
    StringBuilder md = new StringBuilder();
    md.append("Fan-out medians over ").append(repeat).append(" runs; ").append(machine)
        .append("; warm-up ").append(warmup.toSeconds()).append(" s, window ").append(window.toSeconds()).append(" s.\n\n");
    md.append("| scenario | server | clients | held | p50 ms | p99 ms | max ms | delivered | lost | RSS/conn KiB (after GC) | RSS/conn KiB (as is) | kernel TCP KiB/conn | server CPU | driver CPU | cut off | runs |\n");
    md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Row r : rows) {
      Scenario s = r.scenario();
      md.append("| ").append(s.name()).append(" (").append(describe(s)).append(") | ").append(s.impl())
          .append(" | ").append(whole(r.requested())).append(" | ").append(whole(r.held()))
          .append(" | ").append(whole(r.p50())).append(" | ").append(whole(r.p99())).append(" | ").append(whole(r.max()))
          .append(" | ").append(String.format("%.1f%%", r.delivered())).append(" | ").append(whole(r.lost()))
          .append(" | ").append(String.format("%.1f", r.rssPerConnGc())).append(" | ").append(String.format("%.1f", r.rssPerConn()))
          .append(" | ").append(String.format("%.1f", r.tcpPerConn()))
          .append(" | ").append(String.format("%.0f%%", r.serverCpu())).append(" | ").append(String.format("%.0f%%", r.driverCpu()))
          .append(" | ").append(whole(r.closedByServer())).append(" | ").append(r.runs()).append(" |\n");
    }
    return md.toString();
  }

  private static String describe(Scenario s) {
    String rate = s.rate() == Math.rint(s.rate()) ? Long.toString((long) s.rate()) : Double.toString(s.rate());
    return rate + "/s" + (s.payloadBytes() > 0 ? ", " + s.payloadBytes() + " B" : "")
        + (s.stalled() > 0 ? ", " + s.stalled() + " stalled" : "");
  }

  /** Formats microseconds as milliseconds with 2 decimals; – when nothing was measured. */
  private static String millis(double micros) {
    return micros < 0 || Double.isNaN(micros) ? "–" : String.format("%.2f", micros / 1000);
  }

  private static String whole(double v) {
    return Double.isNaN(v) ? "–" : String.format("%,.0f", v);
  }
}
