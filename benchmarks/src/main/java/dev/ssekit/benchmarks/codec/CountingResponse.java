package dev.ssekit.benchmarks.codec;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.lang.reflect.Proxy;

/**
 * The two calls Javalin's SSE {@code Emitter} makes on a response, getOutputStream and
 * flushBuffer, answered directly (no proxy on the hot path) over a {@link CountingOutputStream}.
 */
public final class CountingResponse extends HttpServletResponseWrapper {
  private static final HttpServletResponse UNSUPPORTED = (HttpServletResponse) Proxy.newProxyInstance(
      CountingResponse.class.getClassLoader(), new Class<?>[] {HttpServletResponse.class},
      (proxy, method, args) -> {
        throw new UnsupportedOperationException(method.getName());
      });

  private final CountingOutputStream out;
  private int flushes;

  /** Creates a response whose body is counted and dropped. */
  public CountingResponse() {
    this(false);
  }

  /** Creates a response whose body is counted and, if {@code capture}, kept. */
  public CountingResponse(boolean capture) {
    super(UNSUPPORTED);
    this.out = new CountingOutputStream(capture);
  }

  @Override
  public ServletOutputStream getOutputStream() {
    return out;
  }

  @Override
  public void flushBuffer() {
    flushes++;
  }

  /** Returns the body stream. */
  public CountingOutputStream body() {
    return out;
  }

  /** Returns how often the response was flushed. */
  public int flushes() {
    return flushes;
  }
}
