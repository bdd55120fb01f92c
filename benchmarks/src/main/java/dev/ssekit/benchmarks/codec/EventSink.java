package dev.ssekit.benchmarks.codec;

/** Receives each decoded event's fields; the benchmarks hand them to a JMH Blackhole. */
@FunctionalInterface
public interface EventSink {
  /** Called once per dispatched event with its type, data and id (null when the library has none). */
  void event(String type, String data, String id);
}
