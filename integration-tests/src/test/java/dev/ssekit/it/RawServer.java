package dev.ssekit.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A misbehaving HTTP server on loopback: the n-th connection is answered by the n-th script
 * (the last one repeats), which writes whatever raw bytes it likes and then closes. It keeps
 * each request it read (head and {@code Content-Length} body) for the test to check.
 */
final class RawServer implements AutoCloseable {
  /** Writes a raw response to a connection. */
  interface Script {
    void answer(OutputStream out) throws IOException;
  }

  private static final Pattern CONTENT_LENGTH = Pattern.compile("(?im)^content-length:\\s*(\\d+)\\s*$");

  private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
  private final List<Script> scripts;
  private final AtomicInteger connections = new AtomicInteger();
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
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

  /** Returns the requests read so far, in order: head lines with CRLF, a blank line, then the body as UTF-8. */
  List<String> requests() {
    return List.copyOf(requests);
  }

  private void serve() {
    while (!listener.isClosed()) {
      try (Socket socket = listener.accept()) {
        open.add(socket);
        int n = connections.getAndIncrement();
        requests.add(readRequest(socket));
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

  private static String readRequest(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    for (int b; matched < 4 && (b = in.read()) >= 0; ) {
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    Matcher length = CONTENT_LENGTH.matcher(text);
    byte[] body = length.find() ? in.readNBytes(Integer.parseInt(length.group(1))) : new byte[0];
    return text + new String(body, StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws Exception {
    listener.close();
    for (Socket s : open) s.close();
    acceptor.join(10_000);
  }
}
