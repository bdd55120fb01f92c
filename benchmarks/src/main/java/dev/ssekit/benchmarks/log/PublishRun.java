package dev.ssekit.benchmarks.log;

/**
 * What one {@link PublishRate} measurement saw: one log, one number of publisher threads.
 * Latencies are of one {@code SseHub.publish} call, in microseconds; CPU in percent of one core
 * over the window (200% = both cores of the machine).
 *
 * @param log {@code memory}, {@code redis-always} or {@code redis-everysec}
 * @param threads publisher threads, each one publish at a time
 * @param repetition 1, 2, 3, …
 * @param published publishes that completed in the window
 * @param failed publishes that threw in the window
 * @param seconds the window's length
 * @param p50Micros median publish duration
 * @param p99Micros 99th percentile
 * @param p999Micros 99.9th percentile
 * @param maxMicros longest publish
 * @param redisCpuPercent redis-server's CPU over the window, -1 for the in-memory log
 * @param benchCpuPercent this JVM's CPU over the window: publishers, the log's client and its tail
 * @param tailLagEvents events published but not yet delivered by the hub's tail when the window closed
 * @param tailDrainMillis how long after the window the tail took to reach the log's head
 * @param tailResets times the hub's tail lost continuity (it fell behind by more than the history and was trimmed past)
 * @param tailSkipped events in the log never delivered to the hub, because of those resets
 * @param unappended publishes that returned an id although the log holds no event for them: the
 *     hub's published count minus the head offset of the new log, which only this hub appends to
 * @param firstFailure the first failed publish's exception, or null
 */
record PublishRun(
    String log,
    int threads,
    int repetition,
    long published,
    long failed,
    double seconds,
    double p50Micros,
    double p99Micros,
    double p999Micros,
    double maxMicros,
    double redisCpuPercent,
    double benchCpuPercent,
    long tailLagEvents,
    long tailDrainMillis,
    long tailResets,
    long tailSkipped,
    long unappended,
    String firstFailure) {

  /** Returns the publishes completed per second. */
  double eventsPerSecond() {
    return published / seconds;
  }
}
