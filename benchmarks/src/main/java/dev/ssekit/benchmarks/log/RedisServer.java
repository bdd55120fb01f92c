package dev.ssekit.benchmarks.log;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A {@code redis-server} of the benchmark's own: a new process on a free loopback port, with a
 * new, empty directory, AOF persistence and the given {@code appendfsync} policy, so every
 * measurement starts from the same empty store. {@link #close()} kills it and deletes its
 * directory; a shutdown hook does the same if the benchmark's JVM is stopped first, so no
 * server outlives the benchmark.
 *
 * <p>The same few lines as the Redis module's test fixture (which is test code, so not a
 * dependency here). The binary is {@code $SSEKIT_REDIS_SERVER}, else {@code redis-server} on
 * the {@code PATH} (Debian: {@code apt-get install redis-server}).
 */
public final class RedisServer implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path dir;
  private final String fsync;
  private final Thread shutdownHook;

  private RedisServer(Process process, int port, Path dir, String fsync) {
    this.process = process;
    this.port = port;
    this.dir = dir;
    this.fsync = fsync;
    this.shutdownHook = new Thread(this::killAndDelete, "redis-server-" + port + "-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Starts a server with {@code appendonly yes} and {@code appendfsync fsync}, in a new directory
   * under {@code parent}, and waits until it answers {@code PING}.
   *
   * @param fsync {@code always} (an fsync before each write is acknowledged) or {@code everysec}
   * @param parent where its directory goes: on the disk to measure, not a tmpfs, or fsync costs nothing
   * @return the running server
   * @throws IOException if it cannot be started or does not answer within 20 s
   */
  public static RedisServer start(String fsync, Path parent) throws IOException {
    if (!fsync.equals("always") && !fsync.equals("everysec")) {
      throw new IllegalArgumentException("appendfsync must be always or everysec: " + fsync);
    }
    Files.createDirectories(parent);
    // Absolute: redis-server changes into --dir before it opens --logfile.
    Path dir = Files.createTempDirectory(parent, "redis-").toAbsolutePath();
    IOException last = null;
    for (int attempt = 1; attempt <= 5; attempt++) {
      // Another process may take the free port between the probe and redis-server's bind: try another.
      int port = freePort();
      Process process = new ProcessBuilder(binary(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
          "--save", "", "--appendonly", "yes", "--appendfsync", fsync, "--dir", dir.toString(),
          "--logfile", dir.resolve("redis.log").toString(), "--daemonize", "no")
          .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
      RedisServer server = new RedisServer(process, port, dir, fsync);
      try {
        server.awaitPong();
        return server;
      } catch (IOException e) {
        server.kill();
        Runtime.getRuntime().removeShutdownHook(server.shutdownHook);
        last = e;
      }
    }
    deleteRecursively(dir);
    throw last;
  }

  /**
   * Returns the URI of {@code stream} on this server, as {@code RedisEventLog.builder} and
   * {@code --log} take it.
   *
   * @param stream the stream's name
   * @return {@code redis://127.0.0.1:<port>/<stream>}
   */
  public String uri(String stream) {
    return "redis://127.0.0.1:" + port + "/" + stream;
  }

  /**
   * Returns the server's process id, to read its CPU time.
   *
   * @return the pid
   */
  public long pid() {
    return process.pid();
  }

  /**
   * Returns the {@code appendfsync} policy it runs with.
   *
   * @return {@code always} or {@code everysec}
   */
  public String fsync() {
    return fsync;
  }

  /** Kills the server and deletes its directory (AOF included). */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs or ran already
    }
    killAndDelete();
  }

  private void killAndDelete() {
    kill();
    deleteRecursively(dir);
  }

  private void kill() {
    // SIGKILL: nothing it holds is wanted afterwards, and it must not linger flushing the AOF.
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void awaitPong() throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!pong()) {
      if (!process.isAlive()) throw new IOException("redis-server exited: " + log());
      if (System.nanoTime() > deadline) throw new IOException("redis-server did not answer PING within 20 s: " + log());
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for redis-server", e);
      }
    }
  }

  private boolean pong() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      socket.setSoTimeout(1000);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      byte[] reply = in.readNBytes(7);
      return new String(reply, StandardCharsets.US_ASCII).equals("+PONG\r\n");
    } catch (IOException e) {
      return false;
    }
  }

  private String log() {
    for (Path file : List.of(dir.resolve("redis.log"), dir.resolve("stdout.log"))) {
      try {
        if (Files.size(file) > 0) return Files.readString(file);
      } catch (IOException e) {
        // try the next one
      }
    }
    return "(no log)";
  }

  private static String binary() {
    String configured = System.getenv("SSEKIT_REDIS_SERVER");
    if (configured != null && !configured.isBlank()) return configured;
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/usr/local/bin").split(File.pathSeparator)) {
      File candidate = new File(dir, "redis-server");
      if (candidate.canExecute()) return candidate.getPath();
    }
    throw new IllegalStateException("the Redis benchmarks need redis-server: install it (Debian: apt-get install "
        + "redis-server) or set SSEKIT_REDIS_SERVER to its path");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) return;
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
