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
