package dev.ssekit.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP listener on loopback that hands each connection to a handler on a thread of its own
 * ({@code NAME-N}), and whose {@link #close()} returns only when every socket is closed and every
 * thread it started has ended: what the scripted server and the fault proxy share.
 */
final class LoopbackServer implements AutoCloseable {
  /** Serves one accepted connection; the socket is closed after it returns. */
  interface Handler {
    void handle(Socket socket, int index) throws IOException, InterruptedException;
  }

  private final ServerSocket listener;
  private final String name;
  private final Handler handler;
  private final AtomicInteger connections = new AtomicInteger();
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  private final Thread acceptor;
  private volatile boolean closed;

  LoopbackServer(String name, Handler handler) throws IOException {
    this.name = name;
    this.handler = handler;
    this.listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::accept, name + "-accept");
    acceptor.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  /** Returns how many connections were accepted. */
  int connections() {
    return connections.get();
  }

  boolean isClosed() {
    return closed;
  }

  /** Closes {@code socket} with the others when the server closes or {@link #closeSockets()} runs. */
  void track(Socket socket) {
    sockets.add(socket);
  }

  /** Runs {@code task} on a thread of the server's, which {@link #close()} waits for. */
  void start(String threadName, Runnable task) {
    Thread thread = new Thread(() -> {
      try {
        task.run();
      } finally {
        threads.remove(Thread.currentThread());
      }
    }, threadName);
    threads.add(thread);
    thread.start();
  }

  /** Closes every open connection now. */
  void closeSockets() {
    for (Socket socket : sockets) close(socket);
  }

  void close(Socket socket) {
    sockets.remove(socket);
    try {
      socket.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  private void accept() {
    while (!closed) {
      Socket socket;
      try {
        socket = listener.accept();
      } catch (IOException e) {
        return; // closed
      }
      int n = connections.getAndIncrement();
      track(socket);
      start(name + "-" + n, () -> {
        try {
          handler.handle(socket, n);
        } catch (IOException | InterruptedException e) {
          // the peer went away, or the server is closing
        } finally {
          close(socket);
        }
      });
    }
  }

  /** Stops accepting, closes every connection, interrupts the server's threads and waits for them to end. */
  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    join(acceptor); // nothing is accepted or started after this
    closeSockets();
    threads.forEach(Thread::interrupt);
    threads.forEach(LoopbackServer::join);
  }

  private static void join(Thread thread) {
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
