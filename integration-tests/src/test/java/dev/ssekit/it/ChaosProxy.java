package dev.ssekit.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback that forwards a random number of response bytes on each connection and
 * then cuts it, both ways at once: wherever the budget runs out, often in the middle of an event.
 */
final class ChaosProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final int targetPort;
  private final int minBytes;
  private final int maxBytes;
  private final Random random;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final AtomicInteger cuts = new AtomicInteger();
  private final AtomicInteger midEventCuts = new AtomicInteger();
  private final AtomicInteger connections = new AtomicInteger();
  private final Thread acceptor;
  private volatile boolean closed;

  /** Proxies to {@code targetPort}, cutting each connection after {@code minBytes}..{@code maxBytes} response bytes. */
  ChaosProxy(int targetPort, int minBytes, int maxBytes, long seed) throws IOException {
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.targetPort = targetPort;
    this.minBytes = minBytes;
    this.maxBytes = maxBytes;
    this.random = new Random(seed);
    this.acceptor = new Thread(this::accept, "chaos-proxy-accept");
    acceptor.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  /** Returns how many connections were cut by the proxy. */
  int cuts() {
    return cuts.get();
  }

  /** Returns how many cuts left an event of the de-chunked body incomplete. */
  int midEventCuts() {
    return midEventCuts.get();
  }

  /** Returns how many connections the proxy accepted. */
  int connections() {
    return connections.get();
  }

  private void accept() {
    while (!closed) {
      Socket client = null;
      try {
        client = listener.accept();
        int budget;
        synchronized (random) {
          budget = minBytes + random.nextInt(maxBytes - minBytes + 1);
        }
        connections.incrementAndGet();
        Socket server = new Socket();
        sockets.add(client);
        sockets.add(server);
        server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
        client.setTcpNoDelay(true); // forward each piece at once: Nagle would add delayed-ACK stalls
        server.setTcpNoDelay(true);
        Socket accepted = client;
        Thread up = new Thread(() -> pump(accepted, server, Integer.MAX_VALUE, null), "chaos-proxy-up");
        Thread down = new Thread(() -> pump(server, accepted, budget, new ChunkedBody()), "chaos-proxy-down");
        up.setDaemon(true);
        down.setDaemon(true);
        up.start();
        down.start();
      } catch (IOException e) {
        if (client != null) closeQuietly(client); // the server refused: the client sees a cut
      }
    }
  }

  /** Copies {@code from} to {@code to} until {@code budget} bytes went through, then cuts both. */
  private void pump(Socket from, Socket to, int budget, ChunkedBody body) {
    byte[] buffer = new byte[4096];
    int left = budget;
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      while (left > 0) {
        int n = in.read(buffer, 0, Math.min(buffer.length, left));
        if (n < 0) break;
        out.write(buffer, 0, n);
        out.flush();
        if (body != null) body.accept(buffer, n);
        left -= n;
      }
      if (left == 0) {
        cuts.incrementAndGet();
        if (body != null && body.midEvent()) midEventCuts.incrementAndGet();
      }
    } catch (IOException e) {
      // the other direction cut it
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // already gone
    }
    sockets.remove(socket);
  }

  @Override
  public void close() throws Exception {
    closed = true;
    listener.close();
    sockets.forEach(this::closeQuietly);
    acceptor.join(10_000);
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
