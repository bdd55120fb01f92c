package dev.ssekit.benchmarks.fanout;

/**
 * What one run of one {@link Scenario} measured. Latencies are whole milliseconds from the
 * scheduled publish time in the event's data to the driver's read of it; memory in KiB; CPU in
 * percent of one core over the measurement window. With several nodes, the servers' figures
 * (clients, RSS, CPU, health counters) are their sums.
 *
 * <p>{@code publish*Micros} are of the servers' publish calls in the window (for ssekit, the
 * log's append), -1 if none. The fields after {@code firstFailure} came with the log benchmarks; runs saved before read
 * as 0 there ({@code redisCpuPercent} 0 rather than -1).
 *
 * <p>The last five came with the floor: {@code published} is how many events the servers published
 * during the window (the change of their {@code /health} count; 0 in runs saved before, or if they
 * did not say), {@code selectors} how many selector threads each load worker read with (0: saved
 * before, when it was always 1), {@code serverJvmArgs} the flags given to the server JVM and
 * {@code profile} the profilers that ran in the window (empty: none), and {@code serverCpuNanos}
 * the servers' CPU time in the window to the nanosecond where /proc's schedstat agreed with the
 * 10 ms ticks, else from the ticks (0: saved before).
 */
record RunResult(
    Scenario scenario,
    int repetition,
    long requested,
    long held,
    long live,
    long failed,
    long closedByServer,
    long serverClients,
    long slowDisconnected,
    long received,
    long expected,
    long lost,
    long p50,
    long p99,
    long p999,
    long max,
    long rssBaseKib,
    long rssLoadedKib,
    long rssBaseGcKib,
    long rssLoadedGcKib,
    long tcpMemoryKib,
    double serverCpuPercent,
    double driverCpuPercent,
    double windowSeconds,
    String firstFailure,
    double redisCpuPercent,
    long outOfOrder,
    long mismatched,
    long publishFailed,
    long tailResets,
    long publishP50Micros,
    long publishP99Micros,
    long publishMaxMicros,
    long published,
    int selectors,
    String serverJvmArgs,
    String profile,
    long serverCpuNanos) {

  /** Returns the server's resident memory per held connection, from RSS after a full GC, in KiB. */
  double rssPerConnectionGcKib() {
    if (held == 0 || rssLoadedGcKib < 0 || rssBaseGcKib < 0) return Double.NaN; // no GC possible (e.g. out of files)
    return (rssLoadedGcKib - rssBaseGcKib) / (double) held;
  }

  /** Returns the server's resident memory per held connection as the OS saw it without forcing a GC, in KiB. */
  double rssPerConnectionKib() {
    return held == 0 ? Double.NaN : (rssLoadedKib - rssBaseKib) / (double) held;
  }

  /**
   * Returns the server's CPU time per write in microseconds: its CPU time over the window divided
   * by (events published in the window × clients it held at the end), one write being one event to
   * one client. NaN when not known (no publish count, several nodes, no clients).
   */
  double cpuMicrosPerWrite() {
    if (published <= 0 || serverClients <= 0 || scenario.nodes() != 1) return Double.NaN;
    double cpuMicros = serverCpuNanos > 0 ? serverCpuNanos / 1e3 : serverCpuPercent / 100 * windowSeconds * 1e6;
    return cpuMicros / ((double) published * serverClients);
  }

  /**
   * Returns the share of the events scheduled in the window, times the clients reading when it
   * opened, that reached those clients within the window, in percent.
   */
  double deliveredPercent() {
    return expected == 0 ? Double.NaN : 100.0 * received / expected;
  }
}
