package dev.ssekit.server;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One client's response, as a transport offers it to a hub: a non-blocking byte sink in the style
 * of the servlet {@code WriteListener} contract. Implement it to serve a {@link SseHub} from a
 * server other than Javalin (ssekit's {@link SsePlugin} implements it over the servlet API):
 *
 * <ol>
 *   <li>decide the request (authorization, topics), then call {@link SseHub#connect} with the
 *       sink <em>before</em> committing anything of the response, so that a refusal
 *       ({@link HubFullException}, {@link HubClosedException}, {@link EventLogException}, or an
 *       {@link IllegalArgumentException} for too many topics) can still be answered with
 *       {@code 503} and {@code Retry-After: }{@link SseHub#retryAfterSeconds()} (or {@code 400});</li>
 *   <li>set the head ({@code 200}, {@code Content-Type: text/event-stream}, {@code Cache-Control:
 *       no-cache}) without sending it — the hub's first {@link #flush()} commits it — and call
 *       {@link SseConnection#writePossible()} once the response can take writes, and again every
 *       time {@link #isReady()} returned false and the response became ready since;</li>
 *   <li>call {@link SseConnection#failed()} when the connection breaks or the response ends
 *       underneath the hub.</li>
 * </ol>
 *
 * <p>Threads. {@link #isReady()}, {@link #write}, {@link #flush()} and the normal
 * {@link #complete()} are called by one writer thread at a time per sink, never while the hub
 * holds a lock, and a write only right after {@code isReady()} returned true. {@code
 * writePossible()} may be called from any thread, also from inside {@code write} (a transport
 * that completes writes inline): the writer then carries on after the call returns. Two calls
 * may come from other threads, at any moment, also while a write is in progress: {@link #abort()}
 * (from the hub's delivery, timer or closing thread) and {@code complete()} after the transport
 * reported {@code failed()} (from the thread that reported it). Exactly one of {@code complete()}
 * and {@code abort()} is called, once.
 */
public interface SseSink {
  /**
   * Returns whether a write or flush may be issued now; when it returns false, the transport
   * calls {@link SseConnection#writePossible()} once the response is ready again.
   *
   * @return whether the sink can take a write
   */
  boolean isReady();

  /**
   * Starts writing the bytes from {@code frames}' position to its limit: whole SSE frames. The
   * sink consumes the buffer as it writes (its content is the hub's, and may be shared by every
   * client: never modify it), and may keep it until the write completes — until then
   * {@link #isReady()} answers false, and the hub does not touch the buffer.
   *
   * @param frames the bytes to send
   * @throws IOException if the connection is gone
   */
  void write(ByteBuffer frames) throws IOException;

  /**
   * Starts flushing what was written, committing the response head if it is still pending.
   *
   * @throws IOException if the connection is gone
   */
  void flush() throws IOException;

  /**
   * Ends the response: normally, after everything written, or — when the transport reported
   * {@link SseConnection#failed()} — to release what it holds. Called once, unless
   * {@link #abort()} is called instead.
   */
  void complete();

  /**
   * Cuts this response off now, discarding anything unwritten (the client is too slow, or the
   * hub is shutting down and it would not finish); called once, unless {@link #complete()} is
   * called instead, possibly while a write is in progress on another thread. The client must see
   * a broken stream, not a clean end. Over a multiplexed transport
   * (HTTP/2) reset this client's stream only, never the connection it shares with others.
   */
  void abort();
}
