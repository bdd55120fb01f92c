package dev.ssekit.benchmarks.fanout;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server and worker processes the driver started and has not stopped yet. If the driver's
 * JVM is stopped (Ctrl-C, SIGTERM) in the middle of a run, one shutdown hook kills them, so no
 * server or worker outlives the benchmark; a run that ends normally stops its own.
 */
final class ChildProcesses {
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "bench-children-shutdown"));
  }

  private ChildProcesses() {}

  /** Remembers {@code process} until {@link #stopped}; returns it. */
  static Process started(Process process) {
    LIVE.add(process);
    return process;
  }

  /** Forgets {@code process}, which has been stopped. */
  static void stopped(Process process) {
    LIVE.remove(process);
  }
}
