package dev.ssekit.benchmarks.fanout;

/**
 * One fan-out measurement: which server, how many clients (of which some never read), and what
 * it publishes.
 *
 * @param name a short label shared by the implementations measured under the same load
 * @param impl {@code ssekit} or {@code javalin} ({@link BenchServer}), or {@code ssekit-jar} (the shipped heartbeat server)
 * @param clients connections to open, stalled ones included
 * @param stalled connections that send their request and never read
 * @param rate events published per second
 * @param payloadBytes padding after the timestamp in each event's data
 */
record Scenario(String name, String impl, int clients, int stalled, double rate, int payloadBytes) {
  /** Returns a label such as {@code ssekit 10000 clients, 1/s}. */
  String label() {
    return impl + " " + clients + " clients, " + (rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate))
        + "/s" + (payloadBytes > 0 ? ", " + payloadBytes + " B" : "") + (stalled > 0 ? ", " + stalled + " stalled" : "");
  }
}
