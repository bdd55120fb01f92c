package dev.ssekit.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback that breaks the connection between any client and any server, the way
 * networks do: it cuts each connection after a random number of bytes from the server (often in
 * the middle of an event), stalls every connection on demand (bytes stop, sockets stay open), and
 * drops them all at once.
 *
 * <pre>{@code
 * try (FaultProxy proxy = FaultProxy.builder(serverPort).cutAfterRandomBytes(32, 2500).seed(42).start()) {
 *   // point the client at proxy.url("/sse") instead of the server
 *   proxy.stall();            // the client's read timeout should fire
 *   proxy.resume();
 *   proxy.dropConnections();  // the client should reconnect and resume
 * }
 * }</pre>
 *
 * <p>Without {@link Builder#cutAfterRandomBytes} it forwards everything until told otherwise. The
 * cut points come from the seed, so a failing run can be repeated. Threads are
 * {@code ssekit-fault-proxy-*}; {@link #close()} closes every connection and ends them all.
 */
public final class FaultProxy implements AutoCloseable {
  private final LoopbackServer server;
  private final InetSocketAddress upstream;
  private final int minBytes;
  private final int maxBytes;
  private final Random random;
  private final AtomicInteger cuts = new AtomicInteger();
  private final AtomicInteger midEventCuts = new AtomicInteger();
  private final Object gate = new Object();
  private boolean stalled; // guarded by gate
  private volatile boolean closed;

  private FaultProxy(Builder builder) throws IOException {
    this.upstream = builder.upstream;
    this.minBytes = builder.minBytes;
    this.maxBytes = builder.maxBytes;
    this.random = new Random(builder.seed);
    this.server = new LoopbackServer("ssekit-fault-proxy", this::proxy);
  }

  /**
   * Returns a builder of a proxy to a server on this machine's loopback address.
   *
   * @param port the server's port
   * @return a new builder
   */
  public static Builder builder(int port) {
    return builder(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
  }

  /**
   * Returns a builder of a proxy to a server.
   *
   * @param upstream the server's address
   * @return a new builder
   */
  public static Builder builder(InetSocketAddress upstream) {
    return new Builder(upstream);
  }

  /**
   * Returns the port the proxy listens on, on 127.0.0.1.
   *
   * @return the port
   */
  public int port() {
    return server.port();
  }

  /**
   * Returns a URL that reaches the server through the proxy.
   *
   * @param path the path (and query) on the server, starting with {@code /}
   * @return {@code http://127.0.0.1:PORT} followed by {@code path}
   */
  public URI url(String path) {
    if (!path.startsWith("/")) throw new IllegalArgumentException("a path starts with /: " + path);
    return URI.create("http://127.0.0.1:" + port() + path);
  }

  /** Stops forwarding bytes, both ways, on every connection and on new ones, keeping them open. */
  public void stall() {
    synchronized (gate) {
      stalled = true;
    }
  }

  /** Forwards bytes again after {@link #stall()}. */
  public void resume() {
    synchronized (gate) {
      stalled = false;
      gate.notifyAll();
    }
  }

  /** Closes every open connection now, both ways; new connections are accepted as before. */
  public void dropConnections() {
    server.closeSockets();
  }

  /**
   * Returns how many connections the proxy accepted.
   *
   * @return the count
   */
  public int connections() {
    return server.connections();
  }

  /**
   * Returns how many connections the proxy cut because their random byte count ran out.
   *
   * @return the count
   */
  public int cuts() {
    return cuts.get();
  }

  /**
   * Returns how many of those cuts left an event incomplete, in a chunked HTTP/1.1 event stream
   * (what Jetty and most servers send): the proof that cuts landed mid-event.
   *
   * @return the count
   */
  public int midEventCuts() {
    return midEventCuts.get();
  }

  /** Connects the accepted client to the server: bytes up on a thread of their own, bytes down on this one. */
  private void proxy(Socket client, int n) {
    long budget;
    synchronized (random) {
      budget = maxBytes == 0 ? Long.MAX_VALUE : minBytes + random.nextInt(maxBytes - minBytes + 1);
    }
    Socket upstreamSocket = new Socket();
    server.track(upstreamSocket);
    try {
      upstreamSocket.connect(upstream, 5000);
      client.setTcpNoDelay(true); // forward each piece at once: Nagle would add delayed-ACK stalls
      upstreamSocket.setTcpNoDelay(true);
    } catch (IOException refused) {
      server.close(upstreamSocket); // the server refused: the client sees a cut
      return;
    }
    server.start("ssekit-fault-proxy-" + n + "-up", () -> pump(client, upstreamSocket, Long.MAX_VALUE, null));
    pump(upstreamSocket, client, budget, new ChunkedBody());
  }

  /** Copies {@code from} to {@code to} until {@code budget} bytes went through, then cuts both. */
  private void pump(Socket from, Socket to, long budget, ChunkedBody body) {
    byte[] buffer = new byte[8192];
    long left = budget;
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      while (left > 0) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (n < 0) break;
        awaitFlowing();
        out.write(buffer, 0, n);
        out.flush();
        if (body != null) body.accept(buffer, n);
        left -= n;
      }
      if (left == 0) {
        cuts.incrementAndGet();
        if (body != null && body.midEvent()) midEventCuts.incrementAndGet();
      }
    } catch (IOException | InterruptedException e) {
      // the other direction cut it, or the proxy is closing
    } finally {
      server.close(from);
      server.close(to);
    }
  }

  private void awaitFlowing() throws InterruptedException {
    synchronized (gate) {
      while (stalled && !closed) gate.wait();
    }
  }

  /** Stops accepting, closes every connection and waits for the proxy's threads to end. */
  @Override
  public void close() {
    closed = true;
    synchronized (gate) {
      gate.notifyAll(); // a stalled pump goes on, to find its sockets closed
    }
    server.close();
  }

  @Override
  public String toString() {
    return "FaultProxy{" + url("/") + " -> " + upstream + ", " + connections() + " connections, " + cuts() + " cuts}";
  }

  /** Configures a {@link FaultProxy}. */
  public static final class Builder {
    private final InetSocketAddress upstream;
    private int minBytes;
    private int maxBytes;
    private long seed = 1;

    private Builder(InetSocketAddress upstream) {
      this.upstream = Objects.requireNonNull(upstream, "upstream");
    }

    /**
     * Cuts each connection, both ways at once, after a random number of bytes from the server,
     * counted from the start of its response (headers included).
     *
     * @param minBytes the fewest bytes a connection carries before its cut; at least 1
     * @param maxBytes the most; at least {@code minBytes}
     * @return this builder
     * @throws IllegalArgumentException if the range is empty or starts below 1
     */
    public Builder cutAfterRandomBytes(int minBytes, int maxBytes) {
      if (minBytes < 1 || maxBytes < minBytes || maxBytes == Integer.MAX_VALUE) {
        throw new IllegalArgumentException("need 1 <= minBytes <= maxBytes < 2^31-1: " + minBytes + ", " + maxBytes);
      }
      this.minBytes = minBytes;
      this.maxBytes = maxBytes;
      return this;
    }

    /**
     * Sets the seed of the random cut points, so a run can be repeated; default 1.
     *
     * @param seed the seed
     * @return this builder
     */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Starts the proxy on a free loopback port.
     *
     * @return the proxy, accepting connections
     * @throws IOException if no port can be bound
     */
    public FaultProxy start() throws IOException {
      return new FaultProxy(this);
    }
  }

  /** Follows a chunked HTTP/1.1 response just enough to know whether its body ends between events. */
  private static final class ChunkedBody {
    private enum State { HEAD, SIZE, DATA, DATA_END }

    private State state = State.HEAD;
    private int headTail; // bytes of CRLFCRLF matched
    private long size;
    private long dataLeft;
    private int crlfLeft;
    private byte last1 = '\n';
    private byte last2 = '\n'; // the body starts between events

    void accept(byte[] bytes, int n) {
      for (int i = 0; i < n; i++) {
        byte b = bytes[i];
        switch (state) {
          case HEAD -> {
            headTail = b == "\r\n\r\n".charAt(headTail) ? headTail + 1 : (b == '\r' ? 1 : 0);
            if (headTail == 4) state = State.SIZE;
          }
          case SIZE -> {
            if (b == '\n') {
              dataLeft = size;
              size = 0;
              state = dataLeft == 0 ? State.DATA_END : State.DATA;
              crlfLeft = 2;
            } else if (Character.digit(b, 16) >= 0) {
              size = size * 16 + Character.digit(b, 16);
            }
          }
          case DATA -> {
            last2 = last1;
            last1 = b;
            if (--dataLeft == 0) state = State.DATA_END;
          }
          case DATA_END -> {
            if (--crlfLeft == 0) state = State.SIZE;
          }
          default -> throw new IllegalStateException();
        }
      }
    }

    boolean midEvent() {
      return state != State.HEAD && !(last1 == '\n' && last2 == '\n');
    }
  }
}
