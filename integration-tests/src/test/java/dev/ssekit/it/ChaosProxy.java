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

  /** Returns how many connections the proxy accepted. */
  int connections() {
    return connections.get();
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        int budget;
        synchronized (random) {
          budget = minBytes + random.nextInt(maxBytes - minBytes + 1);
        }
        connections.incrementAndGet();
        Socket server = new Socket();
        server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
        client.setTcpNoDelay(true); // forward each piece at once: Nagle would add delayed-ACK stalls
        server.setTcpNoDelay(true);
        sockets.add(client);
        sockets.add(server);
        Thread up = new Thread(() -> pump(client, server, Integer.MAX_VALUE), "chaos-proxy-up");
        Thread down = new Thread(() -> pump(server, client, budget), "chaos-proxy-down");
        up.setDaemon(true);
        down.setDaemon(true);
        up.start();
        down.start();
      } catch (IOException e) {
        if (!closed) continue;
      }
    }
  }

  /** Copies {@code from} to {@code to} until {@code budget} bytes went through, then cuts both. */
  private void pump(Socket from, Socket to, int budget) {
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
        left -= n;
      }
      if (left == 0) cuts.incrementAndGet();
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
}
