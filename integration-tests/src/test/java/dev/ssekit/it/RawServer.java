package dev.ssekit.it;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A misbehaving HTTP server on loopback: the n-th connection is answered by the n-th script
 * (the last one repeats), which writes whatever raw bytes it likes and then closes.
 */
final class RawServer implements AutoCloseable {
  /** Writes a raw response to a connection. */
  interface Script {
    void answer(OutputStream out) throws IOException;
  }

  private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
  private final List<Script> scripts;
  private final AtomicInteger connections = new AtomicInteger();
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  RawServer(Script... scripts) throws IOException {
    this.scripts = List.of(scripts);
    this.acceptor = new Thread(this::serve, "raw-server");
    acceptor.start();
  }

  /** Returns the headers of a 200 event-stream response delimited by the connection's close. */
  static byte[] streamHeaders() {
    return ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** Returns a complete response with {@code status} and no body. */
  static Script status(int status, String reason) {
    return out -> out.write(("HTTP/1.1 " + status + " " + reason + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
  }

  /** Returns a 200 event-stream response with {@code body}. */
  static Script stream(String body) {
    return out -> {
      out.write(streamHeaders());
      out.write(body.getBytes(StandardCharsets.UTF_8));
    };
  }

  String url() {
    return "http://127.0.0.1:" + listener.getLocalPort() + "/sse";
  }

  int connections() {
    return connections.get();
  }

  private void serve() {
    while (!listener.isClosed()) {
      try (Socket socket = listener.accept()) {
        open.add(socket);
        int n = connections.getAndIncrement();
        readRequestHead(socket);
        Script script = scripts.get(Math.min(n, scripts.size() - 1));
        OutputStream out = socket.getOutputStream();
        script.answer(out);
        out.flush();
        open.remove(socket);
      } catch (IOException e) {
        // the client went away or the server is closing
      }
    }
  }

  private static void readRequestHead(Socket socket) throws IOException {
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    for (int b; matched < 4 && (b = socket.getInputStream().read()) >= 0; ) {
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
  }

  @Override
  public void close() throws Exception {
    listener.close();
    for (Socket s : open) s.close();
    acceptor.join(10_000);
  }
}
