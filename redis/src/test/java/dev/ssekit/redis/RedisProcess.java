package dev.ssekit.redis;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} for tests, on a free loopback port with its own directory, started,
 * killed, restarted, wiped and paused by the test. Persistence is AOF with {@code appendfsync
 * always}, so a restart after {@link #kill()} keeps every acknowledged write.
 *
 * <p>The binary is {@code $SSEKIT_REDIS_SERVER}, else {@code redis-server} on the PATH (Debian:
 * {@code apt-get install redis-server}); without one the test fails, saying so.
 */
public final class RedisProcess implements AutoCloseable {
  private final String binary;
  private final Path dir;
  private final List<String> extraArgs;
  private int port;
  private Process process;

  private RedisProcess(String binary, Path dir, List<String> extraArgs) {
    this.binary = binary;
    this.dir = dir;
    this.extraArgs = extraArgs;
  }

  /**
   * Starts a server with AOF persistence ({@code appendfsync always}) in a new temporary directory.
   *
   * @param extraArgs more {@code redis-server} options, e.g. {@code "--appendonly", "no"}
   * @return the running server
   */
  public static RedisProcess start(String... extraArgs) {
    try {
      RedisProcess redis = new RedisProcess(binary(), Files.createTempDirectory("ssekit-redis-"), List.of(extraArgs));
      for (int attempt = 1; ; attempt++) {
        redis.port = freePort();
        try {
          redis.launch();
          return redis;
        } catch (IllegalStateException e) {
          // Another process may have taken the free port between the probe and the bind.
          redis.kill();
          if (attempt == 5) throw e;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Returns the port it listens on (the same across restarts).
   *
   * @return the port
   */
  public int port() {
    return port;
  }

  /**
   * Returns the URI of the log stream {@code stream} on this server.
   *
   * @param stream the stream name
   * @return {@code redis://127.0.0.1:<port>/<stream>}
   */
  public String uri(String stream) {
    return "redis://127.0.0.1:" + port + "/" + stream;
  }

  /**
   * Returns the process id, e.g. for {@code kill -STOP}.
   *
   * @return the pid
   */
  public long pid() {
    return process.pid();
  }

  /** Kills the server with SIGKILL, as a crash would; its files stay for {@link #restart()}. */
  public synchronized void kill() {
    if (process == null) return;
    process.destroyForcibly();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) throw new IllegalStateException("redis-server did not die");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  /** Kills the server if it runs and starts it again on the same port and directory. */
  public synchronized void restart() {
    kill();
    launch();
  }

  /** Kills the server, deletes everything it stored and starts it again, empty, on the same port. */
  public synchronized void wipe() {
    kill();
    deleteContents(dir);
    launch();
  }

  /** Stops the server's process (SIGSTOP): it holds its connections but answers nothing. */
  public void pause() {
    signal("-STOP");
  }

  /** Lets a paused server go on (SIGCONT). */
  public void resume() {
    signal("-CONT");
  }

  /** Kills the server and deletes its directory. */
  @Override
  public synchronized void close() {
    if (process != null) resume();
    kill();
    deleteContents(dir);
    try {
      Files.deleteIfExists(dir);
    } catch (IOException ignored) {
      // a temporary directory; the OS cleans it
    }
  }

  private void launch() {
    List<String> command = new ArrayList<>(List.of(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", dir.toString(),
        "--logfile", dir.resolve("redis.log").toString(), "--daemonize", "no"));
    command.addAll(extraArgs);
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + binary, e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!pong()) {
      if (!process.isAlive()) throw new IllegalStateException("redis-server exited: " + log());
      if (System.nanoTime() > deadline) throw new IllegalStateException("redis-server did not answer PING: " + log());
      LockSupport.parkNanos(5_000_000);
    }
  }

  private boolean pong() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      socket.setSoTimeout(1000);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      byte[] reply = new byte[7];
      int n = in.readNBytes(reply, 0, 7);
      return n == 7 && new String(reply, StandardCharsets.US_ASCII).equals("+PONG\r\n");
    } catch (IOException e) {
      return false;
    }
  }

  private String log() {
    try {
      Path log = dir.resolve("redis.log");
      return Files.exists(log) ? Files.readString(log) : Files.readString(dir.resolve("stdout.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private void signal(String signal) {
    Process p;
    synchronized (this) {
      p = process;
    }
    if (p == null) return;
    try {
      new ProcessBuilder("kill", signal, Long.toString(p.pid())).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String binary() {
    String configured = System.getenv("SSEKIT_REDIS_SERVER");
    if (configured != null && !configured.isBlank()) return configured;
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/usr/local/bin").split(File.pathSeparator)) {
      File candidate = new File(dir, "redis-server");
      if (candidate.canExecute()) return candidate.getPath();
    }
    throw new IllegalStateException("these tests need a real redis-server: install it (Debian: apt-get install "
        + "redis-server; .ci/run does) or set SSEKIT_REDIS_SERVER to its path");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void deleteContents(Path dir) {
    if (!Files.isDirectory(dir)) return;
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(dir)).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
