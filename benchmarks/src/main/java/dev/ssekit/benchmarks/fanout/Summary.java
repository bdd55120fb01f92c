package dev.ssekit.benchmarks.fanout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** The median of every figure over a scenario's repeated runs, and the markdown table of them. */
final class Summary {
  /** One scenario's medians. */
  record Row(Scenario scenario, int runs, double requested, double held, double p50, double p99, double max,
      double delivered, double lost, double rssPerConnGc, double rssPerConn, double tcpPerConn, double serverCpu,
      double driverCpu, double closedByServer, double slowDisconnected, String failure) {}

  private final List<Row> rows;

  private Summary(List<Row> rows) {
    this.rows = rows;
  }

  static Summary of(List<RunResult> results) {
    Map<String, List<RunResult>> byScenario = new LinkedHashMap<>();
    for (RunResult r : results) byScenario.computeIfAbsent(r.scenario().name() + "/" + r.scenario().impl(), k -> new ArrayList<>()).add(r);
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
          median(runs, RunResult::closedByServer), median(runs, RunResult::slowDisconnected), failure));
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

  String markdown(String machine, Duration window, Duration warmup, int repeat) {
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

  private static String whole(double v) {
    return Double.isNaN(v) ? "–" : String.format("%,.0f", v);
  }
}
