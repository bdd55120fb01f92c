package dev.ssekit.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * A TCP proxy on loopback in front of several targets, as a load balancer is: each connection goes
 * to the next target that accepts it, round robin, and is cut (both ways at once) after a random
 * number of bytes from the target, so that clients keep moving from one target to the next.
 * Targets that refuse connections (a killed node) are skipped.
 */
final class TcpProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final List<Integer> targets;
  private final int minBytes;
  private final int maxBytes;
  private final Random random;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicInteger cuts = new AtomicInteger();
  private final AtomicIntegerArray connectionsPerTarget;
  private final Thread acceptor;
  private volatile boolean closed;
  private volatile boolean holding;

  /**
   * Proxies to {@code targets}, cutting each connection after {@code minBytes}..{@code maxBytes}
   * bytes from the target ({@link Integer#MAX_VALUE} for never).
   */
  TcpProxy(List<Integer> targets, int minBytes, int maxBytes, long seed) throws IOException {
    this.listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    this.targets = List.copyOf(targets);
    this.minBytes = minBytes;
    this.maxBytes = maxBytes;
    this.random = new Random(seed);
    this.connectionsPerTarget = new AtomicIntegerArray(targets.size());
    this.acceptor = new Thread(this::accept, "tcp-proxy-accept");
    acceptor.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  /** Returns how many connections the proxy cut. */
  int cuts() {
    return cuts.get();
  }

  /** Returns how many connections went to the target at {@code index}. */
  int connections(int index) {
    return connectionsPerTarget.get(index);
  }

  /** Stops (or, with false, resumes) forwarding what the targets send, as a link that stalls one way. */
  void holdReplies(boolean hold) {
    holding = hold;
  }

  /** Cuts every open connection now. */
  void cutAll() {
    for (Socket socket : sockets) close(socket);
  }

  private void accept() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return;
      }
      Socket server = connect();
      if (server == null) {
        close(client);
        continue;
      }
      long budget;
      synchronized (random) {
        budget = maxBytes == Integer.MAX_VALUE ? Long.MAX_VALUE : minBytes + random.nextInt(maxBytes - minBytes + 1);
      }
      sockets.add(client);
      sockets.add(server);
      try {
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
      } catch (IOException e) {
        close(client);
        close(server);
        continue;
      }
      Thread up = new Thread(() -> pump(client, server, Long.MAX_VALUE), "tcp-proxy-up");
      Thread down = new Thread(() -> pump(server, client, budget), "tcp-proxy-down");
      up.setDaemon(true);
      down.setDaemon(true);
      up.start();
      down.start();
    }
  }

  /** Connects to the next target that accepts, or returns null if none does. */
  private Socket connect() {
    for (int tried = 0; tried < targets.size(); tried++) {
      int index = Math.floorMod(next.getAndIncrement(), targets.size());
      Socket server = new Socket();
      try {
        server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targets.get(index)), 1000);
        connectionsPerTarget.incrementAndGet(index);
        return server;
      } catch (IOException refused) {
        close(server);
      }
    }
    return null;
  }

  private void pump(Socket from, Socket to, long budget) {
    byte[] buffer = new byte[8192];
    long left = budget;
    boolean down = budget != Long.MAX_VALUE || !targets.contains(to.getPort());
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      for (int n; left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) >= 0; ) {
        while (down && holding && !closed) java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        out.write(buffer, 0, n);
        out.flush();
        left -= n;
      }
      if (left <= 0) cuts.incrementAndGet();
    } catch (IOException e) {
      // the other side or the other pump closed it
    } finally {
      close(from);
      close(to);
    }
  }

  private void close(Socket socket) {
    sockets.remove(socket);
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    listener.close();
    cutAll();
    try {
      acceptor.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
