package dev.ssekit.benchmarks.fanout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * One writer thread of the {@link FloorServer} ({@code floor-writer-<i>}) and the sockets it owns:
 * it reads their requests, answers them, and at each event writes the event's chunk to every
 * stream it owns, one non-blocking {@code write} each, from one direct buffer filled once per
 * event (a heap buffer would be copied into a temporary direct one on every write). Streams whose
 * socket is full keep the rest (see {@link FloorConnection}) and are finished on {@code OP_WRITE};
 * one that holds back more than {@value #BACKLOG_LIMIT} chunks is cut off, as ssekit's hub cuts
 * off a client whose queue of 1,024 frames is full.
 */
final class FloorShard implements AutoCloseable {
  /** Chunks held back for one stream before it counts as stalled and is closed: ssekit's default queue. */
  static final int BACKLOG_LIMIT = 1024;

  private final FloorServer server;
  private final Selector selector;
  private final Thread thread;
  private final ConcurrentLinkedQueue<SocketChannel> accepted = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<byte[]> events = new ConcurrentLinkedQueue<>();
  private final ByteBuffer scratch = ByteBuffer.allocate(4096); // what a stream's client sends after its request: ignored
  private volatile boolean running = true;

  // Writer thread only.
  private final List<FloorConnection> streams = new ArrayList<>();
  private ByteBuffer out = ByteBuffer.allocateDirect(4096);

  FloorShard(FloorServer server, int index) throws IOException {
    this.server = server;
    this.selector = Selector.open();
    this.thread = new Thread(this::loop, "floor-writer-" + index);
  }

  void start() {
    thread.start();
  }

  /** Hands a new connection to this shard. Any thread. */
  void accept(SocketChannel channel) {
    accepted.add(channel);
    selector.wakeup();
  }

  /** Hands this shard an event's whole chunk (size line, frame, CRLF) to write to each of its streams. Any thread. */
  void publish(byte[] chunk) {
    events.add(chunk);
    selector.wakeup();
  }

  private void loop() {
    try {
      while (running) {
        selector.select();
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
          SelectionKey key = keys.next();
          keys.remove();
          handle(key);
        }
        for (SocketChannel channel; (channel = accepted.poll()) != null; ) register(channel);
        for (byte[] chunk; (chunk = events.poll()) != null; ) fanOut(chunk);
      }
    } catch (IOException | RuntimeException e) {
      System.err.println(thread.getName() + ": " + e);
      e.printStackTrace();
    } finally {
      for (SelectionKey key : selector.keys()) closeQuietly((SocketChannel) key.channel());
      try {
        selector.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  private void register(SocketChannel channel) {
    try {
      channel.configureBlocking(false);
      SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
      key.attach(new FloorConnection(channel, key));
    } catch (IOException e) {
      closeQuietly(channel);
    }
  }

  private void handle(SelectionKey key) {
    FloorConnection c = (FloorConnection) key.attachment();
    if (!key.isValid()) return;
    try {
      if (key.isReadable()) {
        if (c.index < 0) {
          String requestLine = c.readRequest();
          if (requestLine != null) answer(c, requestLine);
        } else {
          readAfterRequest(c);
        }
      }
      if (key.isValid() && key.isWritable()) c.drain();
    } catch (IOException e) {
      close(c);
    }
  }

  /** Streams {@code GET /sse}; answers {@code /health} and {@code /publish-durations} and closes; 404 otherwise. */
  private void answer(FloorConnection c, String requestLine) throws IOException {
    String[] parts = requestLine.split(" ");
    String path = parts.length >= 2 && parts[0].equals("GET") ? parts[1] : "";
    int query = path.indexOf('?');
    if (query >= 0) path = path.substring(0, query);
    switch (path) {
      case "/sse" -> startStream(c);
      case "/health" -> respondAndClose(c, "200 OK", "application/json", server.health());
      case "/publish-durations" -> respondAndClose(c, "200 OK", "text/plain", server.publishDurations());
      default -> respondAndClose(c, "404 Not Found", "text/plain", "not found\n");
    }
  }

  private void startStream(FloorConnection c) throws IOException {
    // A minimal valid head for an endless event stream over HTTP/1.1: the body is chunked.
    byte[] head = ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    ByteBuffer buffer = ByteBuffer.wrap(head);
    c.channel.write(buffer); // into an empty socket buffer: all of it, but keep any rest in order anyway
    if (buffer.hasRemaining()) c.holdBack(head, buffer.position());
    c.index = streams.size();
    streams.add(c);
    server.streamOpened();
  }

  private void respondAndClose(FloorConnection c, String status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    byte[] head = ("HTTP/1.1 " + status + "\r\nContent-Type: " + type + "\r\nContent-Length: " + bytes.length
        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    ByteBuffer buffer = ByteBuffer.allocate(head.length + bytes.length).put(head).put(bytes).flip();
    // A few hundred bytes into an empty socket buffer go at once; a peer that takes less is not
    // worth an OP_WRITE state of its own for the driver's health checks, so it gets a short answer.
    for (int tries = 0; buffer.hasRemaining() && tries < 100; tries++) {
      if (c.channel.write(buffer) == 0) Thread.onSpinWait();
    }
    close(c);
  }

  /** A stream's client sends nothing after its request; reads only to notice it closed. */
  private void readAfterRequest(FloorConnection c) throws IOException {
    while (true) {
      scratch.clear();
      int n = c.channel.read(scratch);
      if (n < 0) throw new IOException("closed by the client");
      if (n < scratch.capacity()) return;
    }
  }

  /** Writes {@code chunk} to every stream: the floor's hot path, one {@code write} per stream and nothing allocated. */
  private void fanOut(byte[] chunk) {
    if (out.capacity() < chunk.length) out = ByteBuffer.allocateDirect(Math.max(chunk.length, 2 * out.capacity()));
    out.clear();
    out.put(chunk);
    int length = chunk.length;
    for (int i = 0; i < streams.size(); ) {
      FloorConnection c = streams.get(i);
      try {
        if (c.backlogged()) {
          if (c.backlogSize() >= BACKLOG_LIMIT) {
            server.slowStreamCut();
            close(c);
            continue; // close moved the last stream into slot i
          }
          c.holdBack(chunk, 0);
        } else {
          out.limit(length).position(0);
          int written = c.channel.write(out);
          if (written < length) c.holdBack(chunk, written);
        }
        i++;
      } catch (IOException e) {
        close(c); // the client went away; the slot now holds another stream
      }
    }
  }

  /** Closes {@code c}; a stream leaves the list by moving the last stream into its slot (no shifting of 10,000 entries). */
  private void close(FloorConnection c) {
    if (c.index >= 0) {
      FloorConnection last = streams.remove(streams.size() - 1);
      if (last != c) {
        streams.set(c.index, last);
        last.index = c.index;
      }
      c.index = -1;
      server.streamClosed();
    }
    c.key.cancel();
    closeQuietly(c.channel);
  }

  private static void closeQuietly(SocketChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // gone either way
    }
  }

  /** Stops the thread and closes its sockets. */
  @Override
  public void close() {
    running = false;
    selector.wakeup();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
