package dev.ssekit.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/1.1 server on loopback that answers each connection as the next {@link SseScript} says,
 * byte for byte, and records each request: for testing an SSE consumer (any client, in any
 * language) against exactly the stream, the failures and the reconnection you choose.
 *
 * <pre>{@code
 * try (ScriptedSseServer server = ScriptedSseServer.start()) {
 *   server.enqueue(SseScript.stream().event(ServerSentEvent.of("order", "{\"id\":1}", "1")).cut());
 *   server.enqueue(SseScript.stream().event(ServerSentEvent.of("order", "{\"id\":2}", "2")));
 *   // ... point the client under test at server.url()
 *   assertNull(server.takeRequest().lastEventId());
 *   assertEquals("1", server.takeRequest().lastEventId()); // it resumed
 * }
 * }</pre>
 *
 * <p>The n-th connection gets the n-th script enqueued; a connection for which none is enqueued
 * yet waits until one is (or the server closes), so a test can script step by step. Every path
 * is answered the same way. Each connection has its own thread ({@code ssekit-scripted-sse-N});
 * {@link #close()} cuts every connection and ends every thread before it returns.
 */
public final class ScriptedSseServer implements AutoCloseable {
  private static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);

  private final BlockingQueue<SseScript> scripts = new LinkedBlockingQueue<>();
  private final BlockingQueue<SseRequest> requests = new LinkedBlockingQueue<>();
  private final LoopbackServer server;

  private ScriptedSseServer() throws IOException {
    this.server = new LoopbackServer("ssekit-scripted-sse", this::serve);
  }

  /**
   * Starts a server on a free loopback port, with no script enqueued.
   *
   * @return the server, accepting connections
   * @throws IOException if no port can be bound
   */
  public static ScriptedSseServer start() throws IOException {
    return new ScriptedSseServer();
  }

  /**
   * Returns the port the server listens on, on 127.0.0.1.
   *
   * @return the port
   */
  public int port() {
    return server.port();
  }

  /**
   * Returns a URL of the server; every path is served alike.
   *
   * @return {@code http://127.0.0.1:PORT/sse}
   */
  public URI url() {
    return url("/sse");
  }

  /**
   * Returns a URL of the server with the given path (and query).
   *
   * @param path starting with {@code /}
   * @return {@code http://127.0.0.1:PORT} followed by {@code path}
   */
  public URI url(String path) {
    if (!path.startsWith("/")) throw new IllegalArgumentException("a path starts with /: " + path);
    return URI.create("http://127.0.0.1:" + port() + path);
  }

  /**
   * Adds scripts for the next connections, in order.
   *
   * @param scripts what the server does with each
   * @return this server
   */
  public ScriptedSseServer enqueue(SseScript... scripts) {
    for (SseScript script : scripts) this.scripts.add(Objects.requireNonNull(script, "script"));
    return this;
  }

  /**
   * Returns the next request received, in order of arrival, waiting up to 10 seconds for it.
   *
   * @return the request
   * @throws AssertionError if none arrives in time
   * @throws InterruptedException if interrupted while waiting
   */
  public SseRequest takeRequest() throws InterruptedException {
    return takeRequest(DEFAULT_WAIT);
  }

  /**
   * Returns the next request received, in order of arrival, waiting for it.
   *
   * @param timeout how long to wait at most
   * @return the request
   * @throws AssertionError if none arrives in time
   * @throws InterruptedException if interrupted while waiting
   */
  public SseRequest takeRequest(Duration timeout) throws InterruptedException {
    SseRequest request = requests.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    if (request == null) {
      throw new AssertionError("no request reached " + url() + " within " + timeout.toMillis() + " ms ("
          + server.connections() + " connections so far)");
    }
    return request;
  }

  /**
   * Returns how many connections the server accepted so far.
   *
   * @return the count
   */
  public int connectionCount() {
    return server.connections();
  }

  /** Stops accepting, cuts every connection and waits for the server's threads to end. */
  @Override
  public void close() {
    server.close();
  }

  private void serve(Socket socket, int n) throws IOException, InterruptedException {
    socket.setTcpNoDelay(true); // each step goes out when written
    SseRequest request = read(socket.getInputStream(), n);
    if (request == null) return;
    requests.add(request);
    SseScript script = scripts.take();
    if (!server.isClosed()) answer(script, socket);
  }

  private static void answer(SseScript script, Socket socket) throws IOException, InterruptedException {
    OutputStream out = socket.getOutputStream();
    StringBuilder head = new StringBuilder("HTTP/1.1 ").append(script.status()).append(' ').append(reason(script.status())).append("\r\n");
    for (String[] header : script.headers()) head.append(header[0]).append(": ").append(header[1]).append("\r\n");
    boolean body = script.hasBody();
    if (body) {
      head.append("Transfer-Encoding: chunked\r\n");
    } else if (script.status() != 204 && script.status() != 304) {
      head.append("Content-Length: 0\r\n");
    }
    head.append("Connection: close\r\n\r\n");
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    if (!body) return;
    long budget = Long.MAX_VALUE; // body bytes left before a cut
    boolean stream = script.headers().stream().anyMatch(h -> h[0].equalsIgnoreCase("Content-Type") && h[1].startsWith("text/event-stream"));
    for (SseScript.Step step : script.steps()) {
      if (step instanceof SseScript.Write write) {
        byte[] bytes = write.bytes();
        int n = (int) Math.min(bytes.length, budget);
        chunk(out, bytes, n);
        if (budget != Long.MAX_VALUE) budget -= n;
        if (budget == 0) return; // the cut: closed without the last chunk
      } else if (step instanceof SseScript.Pause pause) {
        Thread.sleep(pause.duration().toMillis()); // the script's own timing, not a test's wait
      } else if (step instanceof SseScript.CutAfter cut) {
        budget = cut.bytes();
        if (budget == 0) return;
      } else if (step instanceof SseScript.End) {
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return;
      } else if (step instanceof SseScript.Stall) {
        hold(socket);
        return;
      }
    }
    if (budget != Long.MAX_VALUE) return; // what followed cutAfter was shorter than its count: cut now
    if (stream) {
      hold(socket); // a live stream with nothing more to say
    } else {
      out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }
  }

  private static void chunk(OutputStream out, byte[] bytes, int length) throws IOException {
    if (length == 0) return; // an empty chunk would end the body
    out.write((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(bytes, 0, length);
    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** Keeps the connection open until the client closes it or the server closes. */
  private static void hold(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    while (in.read() >= 0) {
      // a client sends nothing more on an event stream; whatever comes is ignored
    }
  }

  /** Reads a request: head, then a Content-Length or chunked body. Returns null if the client sent none. */
  private static SseRequest read(InputStream in, int connection) throws IOException {
    String requestLine = line(in);
    if (requestLine == null || requestLine.isEmpty()) return null;
    String[] parts = requestLine.split(" ", 3);
    if (parts.length < 2) return null;
    List<String[]> headers = new ArrayList<>();
    for (String line; (line = line(in)) != null && !line.isEmpty(); ) {
      int colon = line.indexOf(':');
      if (colon > 0) headers.add(new String[] {line.substring(0, colon).trim(), line.substring(colon + 1).trim()});
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    String length = value(headers, "Content-Length");
    String encoding = value(headers, "Transfer-Encoding");
    if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
      for (int size; (size = Integer.parseInt(line(in).split(";", 2)[0].trim(), 16)) > 0; ) {
        body.write(in.readNBytes(size));
        line(in);
      }
      while (true) { // trailers, up to the blank line
        String trailer = line(in);
        if (trailer == null || trailer.isEmpty()) break;
      }
    } else if (length != null) {
      body.write(in.readNBytes(Integer.parseInt(length.trim())));
    }
    return new SseRequest(connection, parts[0], parts[1], headers, body.toString(StandardCharsets.UTF_8));
  }

  private static String value(List<String[]> headers, String name) {
    for (String[] header : headers) if (header[0].equalsIgnoreCase(name)) return header[1];
    return null;
  }

  /** Reads one CRLF- or LF-terminated line as Latin-1 (header bytes are kept one char per byte), or null at the end. */
  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b; (b = in.read()) >= 0; ) {
      if (b == '\n') {
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }

  private static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 204 -> "No Content";
      case 301 -> "Moved Permanently";
      case 302 -> "Found";
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 408 -> "Request Timeout";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      default -> "Status " + status;
    };
  }

  @Override
  public String toString() {
    return "ScriptedSseServer{" + url() + ", " + server.connections() + " connections}";
  }
}
