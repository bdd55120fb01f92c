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
    long publishMaxMicros) {

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
   * Returns the share of the events scheduled in the window, times the clients reading when it
   * opened, that reached those clients within the window, in percent.
   */
  double deliveredPercent() {
    return expected == 0 ? Double.NaN : 100.0 * received / expected;
  }
}
