package dev.ssekit.benchmarks.fanout;

/**
 * One fan-out measurement: which server, how many clients (of which some never read), what it
 * publishes, and on which event log how many nodes serve them.
 *
 * @param name a short label shared by the implementations measured under the same load
 * @param impl {@code ssekit} or {@code javalin} ({@link BenchServer}), or {@code ssekit-jar} (the shipped heartbeat server)
 * @param clients connections to open, stalled ones included, spread evenly over the nodes
 * @param stalled connections that send their request and never read
 * @param rate events published per second, in total: each node publishes {@code rate / nodes}
 * @param payloadBytes padding after the timestamp in each event's data
 * @param log {@code memory} (each node's own log), or {@code redis-always} / {@code redis-everysec}:
 *     one Redis stream shared by every node, on a redis-server with that {@code appendfsync}
 * @param nodes server processes, each a hub on the log; more than one needs a shared (Redis) log
 */
record Scenario(String name, String impl, int clients, int stalled, double rate, int payloadBytes, String log, int nodes) {
  Scenario {
    if (log == null) log = "memory"; // runs saved before there were logs
    if (nodes < 1) nodes = 1;
    if (nodes > 1 && log.equals("memory")) throw new IllegalArgumentException("several nodes need a shared log: " + name);
  }

  /** A scenario of one node on its in-memory log, as every scenario was before the log benchmarks. */
  Scenario(String name, String impl, int clients, int stalled, double rate, int payloadBytes) {
    this(name, impl, clients, stalled, rate, payloadBytes, "memory", 1);
  }

  /** Returns whether the nodes share a Redis log. */
  boolean onRedis() {
    return log.startsWith("redis-");
  }

  /** Returns the {@code appendfsync} policy of the Redis log. */
  String fsync() {
    return log.substring("redis-".length());
  }

  /** Returns a label such as {@code ssekit 10000 clients, 1/s}, with the log and nodes when not one node in memory. */
  String label() {
    return impl + " " + clients + " clients, " + (rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate))
        + "/s" + (payloadBytes > 0 ? ", " + payloadBytes + " B" : "") + (stalled > 0 ? ", " + stalled + " stalled" : "")
        + (onRedis() || nodes > 1 ? ", " + log + " log, " + nodes + (nodes == 1 ? " node" : " nodes") : "");
  }
}
