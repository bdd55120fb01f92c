package dev.ssekit.server;

import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.protocol.SseDecoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A plain HTTP/1.1 client over a socket, as curl would talk: it sends exactly the headers given,
 * de-chunks the body, keeps the raw bytes and decodes events on a reader thread.
 */
public final class HttpStream implements AutoCloseable {
  public final int status;
  public final Map<String, String> headers;
  private final Socket socket;
  private final InputStream in;
  private final BlockingQueue<ServerSentEvent> events = new LinkedBlockingQueue<>();
  private final ByteArrayOutputStream body = new ByteArrayOutputStream();
  private final List<byte[]> chunks = new ArrayList<>();
  private final Thread reader;
  private volatile boolean ended;
  private volatile boolean cleanEnd;

  private HttpStream(Socket socket, String path, List<String> requestHeaders) throws IOException {
    this.socket = socket;
    socket.setSoTimeout(20_000);
    OutputStream out = socket.getOutputStream();
    StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n");
    for (String h : requestHeaders) request.append(h).append("\r\n");
    out.write(request.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
    out.flush();
    this.in = socket.getInputStream();
    String statusLine = readLine();
    this.status = Integer.parseInt(statusLine.split(" ")[1]);
    Map<String, String> h = new LinkedHashMap<>();
    for (String line = readLine(); !line.isEmpty(); line = readLine()) {
      int colon = line.indexOf(':');
      h.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
    }
    this.headers = h;
    this.reader = new Thread(this::readBody, "test-http-stream");
    reader.setDaemon(true);
    reader.start();
  }

  /** Opens {@code path} on {@code port} with exactly {@code requestHeaders} besides Host. */
  public static HttpStream open(int port, String path, String... requestHeaders) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    return new HttpStream(socket, path, List.of(requestHeaders));
  }

  /** Returns the next event, failing if none arrives within 20 seconds. */
  public ServerSentEvent next() throws InterruptedException {
    ServerSentEvent e = events.poll(20, TimeUnit.SECONDS);
    if (e == null) throw new AssertionError("no event within 20 s; ended=" + ended + ", body so far:\n" + bodyText());
    return e;
  }

  /** Returns the next {@code n} events. */
  public List<ServerSentEvent> next(int n) throws InterruptedException {
    List<ServerSentEvent> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(next());
    return out;
  }

  /** Returns whether an event arrives within {@code wait}. */
  public ServerSentEvent poll(Duration wait) throws InterruptedException {
    return events.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Waits until the server ends the response; returns whether it ended with the final empty chunk. */
  public boolean awaitEnd() throws InterruptedException {
    reader.join(20_000);
    if (!ended) throw new AssertionError("the response did not end");
    return cleanEnd;
  }

  public String bodyText() {
    synchronized (body) {
      return body.toString(StandardCharsets.UTF_8);
    }
  }

  public byte[] bodyBytes() {
    synchronized (body) {
      return body.toByteArray();
    }
  }

  /** Waits up to 20 seconds until the body received so far satisfies {@code condition}. */
  public void awaitBody(String what, Predicate<String> condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    synchronized (body) {
      while (!condition.test(body.toString(StandardCharsets.UTF_8))) {
        long left = deadline - System.nanoTime();
        if (left <= 0) throw new AssertionError("no " + what + " within 20 s; body so far:\n" + bodyText());
        body.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
    }
  }

  /** The HTTP/1.1 chunks of a chunked body received so far, each as it arrived. */
  public List<byte[]> chunks() {
    synchronized (body) {
      return List.copyOf(chunks);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  private void readBody() {
    SseDecoder decoder = new SseDecoder(events::add);
    boolean chunked = "chunked".equalsIgnoreCase(headers.get("transfer-encoding"));
    try {
      if (chunked) {
        while (true) {
          int size = Integer.parseInt(readLine().split(";")[0].trim(), 16);
          if (size == 0) {
            cleanEnd = true;
            break;
          }
          byte[] chunk = in.readNBytes(size);
          if (chunk.length < size) break;
          synchronized (body) {
            chunks.add(chunk);
          }
          record(decoder, chunk, chunk.length);
          readLine();
        }
      } else if (headers.containsKey("content-length")) {
        byte[] whole = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        record(decoder, whole, whole.length);
        cleanEnd = true;
      } else {
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) > 0; ) record(decoder, buf, n);
        cleanEnd = true;
      }
    } catch (IOException | RuntimeException e) {
      // the connection went away: ended without a clean end
    } finally {
      ended = true;
    }
  }

  private void record(SseDecoder decoder, byte[] bytes, int n) {
    synchronized (body) {
      body.write(bytes, 0, n);
      body.notifyAll();
    }
    decoder.feed(bytes, 0, n);
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b; (b = in.read()) != '\n'; ) {
      if (b < 0) throw new IOException("connection closed");
      if (b != '\r') line.write(b);
    }
    return line.toString(StandardCharsets.UTF_8);
  }
}
