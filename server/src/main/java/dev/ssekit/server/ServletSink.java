package dev.ssekit.server;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.ee10.servlet.HttpOutput;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.server.Request;

/**
 * Adapts one servlet response in async, non-blocking mode to a {@link SseSink}, and
 * the container's write and lifecycle callbacks back to the channel. The response ends when
 * {@link #finished()} completes: Javalin then completes the async context.
 */
final class ServletSink implements SseSink, WriteListener, AsyncListener {
  private final HttpServletRequest request;
  private final CompletableFuture<Void> finished = new CompletableFuture<>();
  private final CompletableFuture<Void> completed = new CompletableFuture<>();
  private final ServletContextRequest jetty;
  private volatile ServletOutputStream out;
  private volatile SseConnection channel;

  ServletSink(HttpServletRequest request) {
    this.request = request;
    this.jetty = ServletContextRequest.getServletContextRequest(unwrap(request));
    if (jetty != null) {
      // Jetty tells every end of a request here, an aborted one included, which reaches no
      // AsyncListener: the only signal that fires on every path.
      Request.addCompletionListener(jetty, failure -> {
        SseConnection c = channel;
        if (c != null) c.failed(); // a no-op when the channel ended the response itself
        completed.complete(null);
      });
    }
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
    return out.isReady();
  }

  @Override
  public void write(ByteBuffer frames) throws IOException {
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

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void complete() {
    finished.complete(null);
  }

  @Override
  public void abort() {
    // Ending the response while a write is still pending makes Jetty fail it at once: over
    // HTTP/1.1 it closes the connection, over HTTP/2 it resets this stream only, so other streams
    // that share the connection (other tabs, other users behind a proxy) go on. Jetty's own
    // abort would do the same, but it recycles the request under Javalin, which still has to
    // finish its handler.
    finished.complete(null);
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
