package dev.ssekit.benchmarks.fanout;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Profiles one server JVM over exactly the measurement window ({@code LoadDriver --profile jfr},
 * {@code perf} or {@code jfr,perf}): started when the window opens, stopped when it closes, so the
 * ramp and warm-up are not in the profile.
 *
 * <ul>
 *   <li>{@code jfr}: {@code jcmd <pid> JFR.start settings=profile} and {@code JFR.stop}, to
 *       {@code <base>.jfr}; {@link JfrTop} writes its hot methods and threads to {@code <base>.jfr.txt}.
 *       The server gets {@code -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints}, so samples
 *       are attributed to the line running, not to the nearest safepoint.</li>
 *   <li>{@code perf}: {@code perf record -e cpu-clock -g -p <pid>} (this VM has no hardware
 *       counters: {@code cycles} and {@code instructions} are "not supported", the cpu-clock timer
 *       works), to {@code <base>.perf.data}; at the end {@code jcmd Compiler.perfmap} writes
 *       {@code /tmp/perf-<pid>.map} so perf can name JIT-compiled methods, and the flat profile
 *       (thread, library, symbol) goes to {@code <base>.perf.txt}. The server gets
 *       {@code -XX:+PreserveFramePointer}, so call graphs walk through compiled Java frames.</li>
 * </ul>
 *
 * <p>Profiling costs the server CPU (JFR in-process, perf's sampling interrupts), and the profiling
 * flags change compiled code slightly: take CPU per write and latency from runs without it.
 */
final class ServerProfiler {
  private final Set<String> modes;
  private final ServerProcess server;
  private final Path base;
  private final List<String> notes = new ArrayList<>();
  private Process perf;
  private boolean jfrStarted;

  private ServerProfiler(Set<String> modes, ServerProcess server, Path base) {
    this.modes = modes;
    this.server = server;
    this.base = base;
  }

  /** Returns the profiling modes {@code --profile} names (empty: none), failing on an unknown one. */
  static Set<String> modes(String flag) {
    if (flag.isBlank()) return Set.of();
    Set<String> modes = Set.of(flag.split(","));
    for (String mode : modes) {
      if (!mode.equals("jfr") && !mode.equals("perf")) throw new IllegalArgumentException("--profile takes jfr, perf or jfr,perf: " + flag);
    }
    return modes;
  }

  /** Returns the JVM flags the server needs from its start for {@code modes}. */
  static List<String> jvmArgs(Set<String> modes) {
    List<String> args = new ArrayList<>();
    if (modes.contains("jfr")) args.addAll(List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+DebugNonSafepoints"));
    if (modes.contains("perf")) args.add("-XX:+PreserveFramePointer");
    return args;
  }

  /** Starts profiling {@code server} now, to files named {@code base} plus a suffix. */
  static ServerProfiler start(Set<String> modes, ServerProcess server, Path base) throws IOException, InterruptedException {
    Files.createDirectories(base.getParent());
    ServerProfiler profiler = new ServerProfiler(modes, server, base);
    if (modes.contains("jfr")) {
      profiler.jfrStarted = server.jcmd("JFR.start", "name=window", "settings=profile", "filename=" + profiler.file(".jfr"));
      if (!profiler.jfrStarted) profiler.notes.add("JFR.start failed for pid " + server.pid());
    }
    if (modes.contains("perf")) {
      File log = profiler.file(".perf.log").toFile();
      profiler.perf = ChildProcesses.started(new ProcessBuilder("perf", "record", "-e", "cpu-clock", "-F", "999", "-g",
          "-p", Long.toString(server.pid()), "-o", profiler.file(".perf.data").toString())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start());
    }
    return profiler;
  }

  /**
   * Stops profiling (the server must still run) and returns lines saying where each profile is and
   * how to open it.
   */
  List<String> finish() throws IOException, InterruptedException {
    if (jfrStarted) {
      Path jfr = file(".jfr");
      if (server.jcmd("JFR.stop", "name=window", "filename=" + jfr)) {
        Files.writeString(file(".jfr.txt"), JfrTop.summary(jfr, 30));
        notes.add("JFR: " + jfr + " (hot methods: " + file(".jfr.txt") + "; open with JDK Mission Control, `jfr summary " + jfr
            + "`, or `java -cp benchmarks/target/benchmarks.jar " + JfrTop.class.getName() + " " + jfr + "`)");
      } else {
        notes.add("JFR.stop failed for pid " + server.pid());
      }
    }
    if (perf != null) {
      server.jcmd("Compiler.perfmap"); // names of JIT-compiled code, for perf report
      perf.destroy(); // SIGTERM: perf record writes its file and exits
      if (!perf.waitFor(60, TimeUnit.SECONDS)) perf.destroyForcibly();
      perf.waitFor(5, TimeUnit.SECONDS);
      ChildProcesses.stopped(perf);
      Path data = file(".perf.data");
      if (Files.exists(data)) {
        report(data);
        notes.add("perf: " + data + " (flat profile: " + file(".perf.txt") + "; `perf report -i " + data
            + " --no-children --sort comm,dso,sym`; JIT symbols from /tmp/perf-" + server.pid() + ".map)");
      } else {
        notes.add("perf record wrote nothing; see " + file(".perf.log"));
      }
    }
    return notes;
  }

  /** Writes perf's flat profile (no call chains) by thread, library and symbol to {@code <base>.perf.txt}. */
  private void report(Path data) throws IOException, InterruptedException {
    Process report = ChildProcesses.started(new ProcessBuilder("perf", "report", "-i", data.toString(), "--stdio",
        "--no-children", "-g", "none", "--sort", "comm,dso,sym", "--percent-limit", "0.3")
        .redirectErrorStream(true).redirectOutput(file(".perf.txt").toFile()).start());
    if (!report.waitFor(120, TimeUnit.SECONDS)) report.destroyForcibly();
    report.waitFor(5, TimeUnit.SECONDS);
    ChildProcesses.stopped(report);
  }

  private Path file(String suffix) {
    return base.resolveSibling(base.getFileName() + suffix);
  }
}
