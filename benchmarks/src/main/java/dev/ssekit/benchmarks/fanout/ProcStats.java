package dev.ssekit.benchmarks.fanout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a process's resident memory and CPU time, and the kernel's TCP memory, from /proc (Linux). */
public final class ProcStats {
  /** Clock ticks per second of /proc/PID/stat times; 100 on every Linux this runs on (getconf CLK_TCK). */
  public static final long TICKS_PER_SECOND = 100;

  private ProcStats() {}

  /** Returns VmRSS of {@code pid} in KiB. */
  public static long rssKib(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
    throw new IOException("no VmRSS for " + pid);
  }

  /** Returns user + system CPU time of {@code pid} in clock ticks. */
  public static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    // Fields after the command name, which is in parentheses and may contain spaces.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14 and 15)
  }

  /**
   * Returns the CPU time of {@code pid}'s live threads in nanoseconds (the first field of each
   * {@code /proc/PID/task/TID/schedstat}). Finer than {@link #cpuTicks} (10 ms), but blind to
   * threads that exited (e.g. an idle JIT compiler thread the JVM retires): compare it with the
   * ticks before trusting it, as {@link #cpuNanosChecked} does.
   */
  public static long cpuNanos(long pid) throws IOException {
    long nanos = 0;
    try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String stat = Files.readString(task.resolve("schedstat")).trim();
          nanos += Long.parseLong(stat.substring(0, stat.indexOf(' ')));
        } catch (java.nio.file.NoSuchFileException e) {
          // the thread exited while the list was read
        }
      }
    }
    return nanos;
  }

  /**
   * Returns the CPU time between two readings of {@code [ticks, nanos]} in nanoseconds: the
   * schedstat figure if it agrees with the ticks within their resolution (2 ticks), else the ticks
   * (threads exited in between and took their schedstat time with them).
   */
  public static long cpuNanosChecked(long[] start, long[] end) {
    long tickNanos = 1_000_000_000L / TICKS_PER_SECOND;
    long fromTicks = (end[0] - start[0]) * tickNanos;
    long fromSchedstat = end[1] - start[1];
    return Math.abs(fromSchedstat - fromTicks) <= 2 * tickNanos ? fromSchedstat : fromTicks;
  }

  /** Returns the pages of memory the kernel has allocated to TCP sockets (all processes). */
  public static long tcpMemoryPages() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/net/sockstat"))) {
      if (line.startsWith("TCP:")) {
        String[] parts = line.trim().split("\\s+");
        for (int i = 1; i + 1 < parts.length; i++) {
          if (parts[i].equals("mem")) return Long.parseLong(parts[i + 1]);
        }
      }
    }
    return -1;
  }
}
