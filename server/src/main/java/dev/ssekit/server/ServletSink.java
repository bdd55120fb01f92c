package dev.ssekit.server;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.ee10.servlet.HttpOutput;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.ee10.servlet.ServletContextResponse;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.EventsHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Adapts one servlet response in async, non-blocking mode to a {@link SseSink}, and
 * the container's write and lifecycle callbacks back to the channel. The response ends when
 * {@link #finished()} completes: Javalin then completes the async context.
 *
 * <p>Over HTTP/1.1 on Jetty the body bypasses the servlet and HTTP layers once the head is out:
 * each write is one chunk ({@code <hex>\r\n<frames>\r\n}), framed here, written straight to the
 * connection's {@link EndPoint}. A stream is a long run of tiny writes to thousands of clients,
 * and Jetty's per-write path (its output state machine, callbacks, the HTTP generator, a header
 * lookup for the content length) cost more than the system call itself, and stores fresh objects
 * into each long-lived connection, which the garbage collector must then track. It stays
 * correct because the response asks for chunking itself ({@code Transfer-Encoding: chunked},
 * which Jetty honours even when the connection will not be reused), nothing else writes to the
 * connection while the stream is open, and the end goes through Jetty, which writes the last
 * chunk. Anything else (HTTP/2, HTTP/1.0, HEAD, a wrapped output stream, a response another
 * handler wraps: compressing, buffering or counting it) writes through the servlet output stream.
 * Jetty's idle timeout still applies: a direct write that makes no progress for that long closes
 * the connection.
 */
final class ServletSink implements SseSink, WriteListener, AsyncListener {
  private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final int CHUNK_HEAD = 10; // up to 8 hex digits and CRLF
  private static final int CHUNK = 512; // the hub's writes are at most this long, except single large frames
  private static final String OBSERVING_WRAPPER = EventsHandler.class.getName() + "$EventsResponse";

  private final HttpServletRequest request;
  private final CompletableFuture<Void> finished = new CompletableFuture<>();
  private final CompletableFuture<Void> completed = new CompletableFuture<>();
  private final ServletContextRequest jetty;
  private final EndPoint endPoint; // where chunks go once direct; null when this response cannot go direct
  private volatile ServletOutputStream out;
  private volatile SseConnection channel;

  // Direct writing, by the hub's writer thread; the completion callback clears writing.
  private boolean headSent;
  private volatile boolean direct;
  private volatile boolean writing;
  private volatile boolean inWrite;
  private volatile Throwable broken; // a direct write failed: the writer thread closes the connection
  private volatile boolean cut; // aborted through Jetty: its completion finishes Javalin's handler
  private ByteBuffer chunk; // native memory: the system call then copies nothing
  private ByteBuffer[] one;
  private ByteBuffer[] three; // chunk head, a large frame, CRLF
  private final Callback written = new Callback() {
    @Override
    public void succeeded() {
      if (three != null) three[1] = null; // the shared frame of a large event, written
      writing = false;
      // A write that completed inside write() needs no wake-up: the writer asks isReady() next.
      if (!inWrite) channel.writePossible();
    }

    @Override
    public void failed(Throwable failure) {
      // Possibly on a selector thread: ending the response runs the application's after-handlers
      // and takes the hub's lock, so the writer thread does it.
      broken = failure;
      writing = false;
      channel.writePossible();
    }

    @Override
    public InvocationType getInvocationType() {
      return InvocationType.NON_BLOCKING; // it only flags and schedules
    }
  };

  ServletSink(HttpServletRequest request) {
    this.request = request;
    this.jetty = ServletContextRequest.getServletContextRequest(unwrap(request));
    this.endPoint = jetty != null && jetty.getConnectionMetaData().getHttpVersion() == HttpVersion.HTTP_1_1
        && HttpMethod.GET.is(request.getMethod()) ? jetty.getConnectionMetaData().getConnection().getEndPoint() : null;
    if (jetty != null) {
      // Jetty tells every end of a request here, an aborted one included, which reaches no
      // AsyncListener: the only signal that fires on every path.
      Request.addCompletionListener(jetty, failure -> {
        SseConnection c = channel;
        if (c != null) c.failed(); // a no-op when the channel ended the response itself
        completed.complete(null);
        // Jetty calls this before it recycles the request: Javalin's handler, finishing now,
        // finds the request ended, not reused by the connection's next request.
        if (cut) finished.complete(null);
      });
    }
    if (endPoint != null) {
      // Jetty's idle timeout fails a write it knows of; a direct write it does not know, and a
      // client that stopped reading would hold its connection and place in the hub for good.
      // Closing the connection fails the pending write, which ends the stream.
      jetty.addIdleTimeoutListener(timeout -> {
        if (writing) endPoint.close(timeout);
        return false;
      });
    }
  }

  /**
   * Returns whether this response may write its body straight to the connection: then the
   * response must ask for chunking ({@code Transfer-Encoding: chunked}) before it is committed.
   */
  boolean mayWriteDirectly() {
    return endPoint != null;
  }

  /** Starts writing {@code out} for {@code channel}: the container calls back when it is ready. */
  void start(SseConnection channel, ServletOutputStream out) {
    this.channel = channel;
    this.out = out;
    out.setWriteListener(this);
  }

  /** Completes when the response should end. */
  CompletableFuture<Void> finished() {
    return finished;
  }

  /** Completes when the container has finished the response, its last bytes sent or the connection gone. */
  CompletableFuture<Void> completed() {
    return completed;
  }

  @Override
  public boolean isReady() {
    if (direct) {
      Throwable failure = broken;
      if (failure != null) throw new UncheckedIOException(new IOException("the connection failed", failure));
      return !writing;
    }
    boolean ready = out.isReady();
    if (ready && headSent && endPoint != null && out instanceof HttpOutput) {
      // Only once the head is on the wire, and only if no handler that changes the body stands
      // between this response and the connection's.
      direct = passesThrough(jetty.getServletChannel().getResponse());
      headSent = false; // decided
    }
    return ready;
  }

  /**
   * Returns whether {@code response}, what the servlet output stream writes to, hands bytes on
   * unchanged to the connection's own response, which has sent the head and chunks the body.
   * Besides the servlet context's own response, only handlers that observe writes
   * ({@code EventsHandler}s, such as Javalin's and Jetty's statistics) may stand between, inside
   * the context or outside it, though they will not see the direct writes; any other (one that
   * compresses, buffers or rewrites the body) means no.
   */
  private static boolean passesThrough(Response response) {
    while (response instanceof Response.Wrapper wrapper) {
      if (wrapper.getClass() != ServletContextResponse.class && !wrapper.getClass().getName().equals(OBSERVING_WRAPPER)) {
        return false;
      }
      response = wrapper.getWrapped();
    }
    return response.isCommitted() && response.getHeaders().get(HttpHeader.CONTENT_ENCODING) == null
        && "chunked".equalsIgnoreCase(response.getHeaders().get(HttpHeader.TRANSFER_ENCODING));
  }

  /** Returns whether the body goes straight to the connection: decided once the head is out. */
  boolean writesDirectly() {
    return direct;
  }

  @Override
  public void write(ByteBuffer frames) throws IOException {
    if (direct) {
      writeChunk(frames);
      return;
    }
    // Jetty's ByteBuffer write sends the buffer as it is. Its byte[] write would copy small
    // writes into an aggregation buffer the connection then keeps for the whole stream, and
    // would cut writes larger than the response buffer into buffer-sized pieces.
    if (out instanceof HttpOutput jetty) {
      jetty.write(frames);
    } else {
      byte[] bytes = new byte[frames.remaining()];
      frames.get(bytes);
      out.write(bytes);
    }
  }

  private void writeChunk(ByteBuffer frames) throws IOException {
    int length = frames.remaining();
    if (length == 0) return;
    ByteBuffer[] buffers;
    if (length <= CHUNK) {
      if (chunk == null) {
        chunk = ByteBuffer.allocateDirect(CHUNK_HEAD + CHUNK + 2);
        one = new ByteBuffer[] {chunk};
      }
      chunk.clear();
      putChunkHead(chunk, length);
      chunk.put(frames).put((byte) '\r').put((byte) '\n').flip();
      buffers = one;
    } else {
      if (three == null) three = new ByteBuffer[] {ByteBuffer.allocate(CHUNK_HEAD), null, ByteBuffer.allocate(2)};
      putChunkHead(three[0].clear(), length);
      three[0].flip();
      three[1] = frames;
      three[2].clear().put((byte) '\r').put((byte) '\n').flip();
      buffers = three;
    }
    // Most writes fit the socket's buffer: flushed at once, without Jetty's write flusher, whose
    // state changes would be stores into this long-lived connection. Only a rest waits for it.
    if (endPoint.flush(buffers)) {
      if (buffers == three) three[1] = null; // the shared frame of a large event, written
      return;
    }
    writing = true;
    inWrite = true;
    try {
      endPoint.write(written, buffers);
    } finally {
      inWrite = false;
    }
  }

  private static void putChunkHead(ByteBuffer into, int length) {
    for (int shift = 28 - (Integer.numberOfLeadingZeros(length) & ~3); shift >= 0; shift -= 4) {
      into.put(HEX[(length >>> shift) & 0xF]);
    }
    into.put((byte) '\r').put((byte) '\n');
  }

  @Override
  public void flush() throws IOException {
    out.flush();
    headSent = true;
  }

  @Override
  public void complete() {
    finished.complete(null);
  }

  @Override
  public void abort() {
    if (direct) {
      // Jetty does not know what is in flight: closing the connection is the cut. The client
      // sees the chunked body broken off, never a clean end.
      endPoint.close();
      finished.complete(null);
      return;
    }
    // Jetty's abort cuts this response whatever is in flight: over HTTP/1.1 it closes the
    // connection, over HTTP/2 it resets this stream only, so other streams that share the
    // connection (other tabs, other users behind a proxy) go on. Merely ending the response would
    // be a clean end when no write is pending. Jetty ends the request on another thread; its
    // completion listener then finishes Javalin's handler.
    if (jetty == null) {
      finished.complete(null);
      return;
    }
    cut = true;
    jetty.getServletChannel().abort(new IOException("cut off by the hub"));
    if (completed.isDone()) finished.complete(null); // it had ended already: no completion to come
  }

  @Override
  public void onWritePossible() {
    channel.writePossible();
  }

  @Override
  public void onError(Throwable failure) {
    channel.failed();
  }

  @Override
  public void onComplete(AsyncEvent event) {
    channel.failed(); // a no-op when the channel ended the response itself
    completed.complete(null);
  }

  @Override
  public void onTimeout(AsyncEvent event) {
    channel.failed();
  }

  @Override
  public void onError(AsyncEvent event) {
    channel.failed();
  }

  @Override
  public void onStartAsync(AsyncEvent event) {}

  private static ServletRequest unwrap(ServletRequest request) {
    while (request instanceof ServletRequestWrapper wrapper) request = wrapper.getRequest();
    return request;
  }
}
