package dev.ssekit.benchmarks.fanout;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * A text summary of a JFR recording's CPU samples, for JDK 17 (whose {@code jfr} tool has no
 * {@code view}): samples by thread, the methods on top of the stack (self), and the methods
 * anywhere on it (total), for Java samples ({@code jdk.ExecutionSample}) and for threads in native
 * code ({@code jdk.NativeMethodSample}, e.g. inside a socket {@code write}) separately; then the
 * time in GC pauses.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.ssekit.benchmarks.fanout.JfrTop recording.jfr [top]</pre>
 */
public final class JfrTop {
  private JfrTop() {}

  /** Prints the summary of the recording named by the first argument, with the top 30 (or the second argument) of each list. */
  public static void main(String[] args) throws IOException {
    if (args.length < 1) throw new IllegalArgumentException("usage: JfrTop recording.jfr [top]");
    System.out.print(summary(Path.of(args[0]), args.length > 1 ? Integer.parseInt(args[1]) : 30));
  }

  /** Returns the summary of {@code recording}, with the {@code top} largest entries of each list. */
  static String summary(Path recording, int top) throws IOException {
    Samples java = new Samples();
    Samples nativeCode = new Samples();
    Duration pauses = Duration.ZERO;
    long gcs = 0;
    for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
      switch (event.getEventType().getName()) {
        case "jdk.ExecutionSample" -> java.add(event);
        case "jdk.NativeMethodSample" -> nativeCode.add(event);
        case "jdk.GarbageCollection" -> {
          gcs++;
          pauses = pauses.plus(event.getDuration("sumOfPauses"));
        }
        default -> { }
      }
    }
    StringBuilder text = new StringBuilder("JFR summary of " + recording + "\n");
    java.append(text, "Java samples (jdk.ExecutionSample)", top);
    nativeCode.append(text, "Native samples (jdk.NativeMethodSample: threads inside native code)", top);
    text.append(String.format("%nGC: %d collections, %.1f ms of pauses in all%n", gcs, pauses.toNanos() / 1e6));
    return text.toString();
  }

  /** Counts of one kind of sample by thread, by top frame and by any frame. */
  private static final class Samples {
    private final Map<String, Long> byThread = new HashMap<>();
    private final Map<String, Long> self = new HashMap<>();
    private final Map<String, Long> total = new HashMap<>();
    private long count;

    void add(RecordedEvent event) {
      count++;
      RecordedThread thread = event.getThread("sampledThread");
      // Jetty's pool threads (qtp<hash>-<n>) come and go: one line for all of them.
      String threadName = thread == null ? "?" : String.valueOf(thread.getJavaName()).replaceFirst("^qtp\\d+-\\d+$", "qtp-*");
      byThread.merge(threadName, 1L, Long::sum);
      RecordedStackTrace stack = event.getStackTrace();
      if (stack == null || stack.getFrames().isEmpty()) return;
      List<RecordedFrame> frames = stack.getFrames();
      self.merge(name(frames.get(0)), 1L, Long::sum);
      Set<String> seen = new HashSet<>(); // a recursive method counts once per sample
      for (RecordedFrame frame : frames) {
        String name = name(frame);
        if (seen.add(name)) total.merge(name, 1L, Long::sum);
      }
    }

    void append(StringBuilder text, String title, int top) {
      text.append("\n").append(title).append(": ").append(count).append(" samples\n");
      if (count == 0) return;
      appendTop(text, "by thread", byThread, top);
      appendTop(text, "self (top of stack)", self, top);
      appendTop(text, "total (anywhere on the stack)", total, top);
    }

    private void appendTop(StringBuilder text, String title, Map<String, Long> counts, int top) {
      text.append("  ").append(title).append(":\n");
      counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
          .forEach(e -> text.append(String.format("    %5.1f%%  %s%n", 100.0 * e.getValue() / count, e.getKey())));
    }
  }

  private static String name(RecordedFrame frame) {
    RecordedMethod method = frame.getMethod();
    return method == null ? "?" : method.getType().getName() + "." + method.getName();
  }
}
