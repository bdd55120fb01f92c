package dev.ssekit.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A headless Chromium opened on one URL, with a fresh profile; closing it ends the whole process
 * tree and deletes the profile. Found as {@code $SSEKIT_CHROMIUM} or {@code chromium} on the PATH.
 */
final class Browser implements AutoCloseable {
  private final Process process;
  private final Path profile;
  private final Path log;

  private Browser(Process process, Path profile, Path log) {
    this.process = process;
    this.profile = profile;
    this.log = log;
  }

  /**
   * Opens {@code url}. Without a browser the calling test is skipped, unless
   * {@code SSEKIT_REQUIRE_BROWSER} is set (as CI does), in which case it fails.
   */
  static Browser open(String url) throws IOException {
    Optional<String> binary = find();
    if (binary.isEmpty()) {
      String message = "no Chromium found: set SSEKIT_CHROMIUM or put chromium on the PATH";
      if (System.getenv("SSEKIT_REQUIRE_BROWSER") != null) throw new IllegalStateException(message);
      Assumptions.abort(message);
    }
    Path profile = Files.createTempDirectory("ssekit-chromium-");
    Path log = profile.resolveSibling(profile.getFileName() + ".log");
    List<String> command = new ArrayList<>(List.of(binary.get(),
        "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-quic", "--user-data-dir=" + profile, url));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new Browser(process, profile, log);
  }

  /** Returns the tail of the browser's own output, for failure messages. */
  String output() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no browser output: " + e + ")";
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() throws Exception {
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    tree.add(process.toHandle());
    tree.forEach(ProcessHandle::destroy);
    for (ProcessHandle p : tree) {
      try {
        p.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        p.destroyForcibly();
      }
    }
    try (Stream<Path> files = Files.walk(profile)) {
      files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    }
    Files.deleteIfExists(log);
  }

  private static Optional<String> find() {
    String configured = System.getenv("SSEKIT_CHROMIUM");
    if (configured != null && !configured.isBlank()) return Optional.of(configured);
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
        File candidate = new File(dir, name);
        if (candidate.canExecute()) return Optional.of(candidate.getAbsolutePath());
      }
    }
    return Optional.empty();
  }
}
