package dev.ssekit.server;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One client's response, as a transport offers it to a hub: a non-blocking byte sink in the style
 * of the servlet {@code WriteListener} contract. Implement it to serve a {@link SseHub} from a
 * server other than Javalin (ssekit's {@link SsePlugin} implements it over the servlet API):
 *
 * <ol>
 *   <li>send the response head ({@code 200}, {@code Content-Type: text/event-stream}, …), then
 *       call {@link SseHub#connect} with the sink;</li>
 *   <li>call {@link SseConnection#writePossible()} once the response can take writes, and again
 *       every time {@link #isReady()} returned false and the response became ready since;</li>
 *   <li>call {@link SseConnection#failed()} when the connection breaks or the response ends
 *       underneath the hub.</li>
 * </ol>
 *
 * <p>The hub calls the methods from one thread at a time per sink (its writer threads), never
 * while holding a lock of its own, and never writes unless {@link #isReady()} just returned true.
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

  /** Ends the response normally, after everything written; called once. */
  void complete();

  /**
   * Cuts this response off now, discarding anything unwritten (the client is too slow, or the
   * hub is shutting down and it would not finish); called once. Over a multiplexed transport
   * (HTTP/2) reset this client's stream only, never the connection it shares with others.
   */
  void abort();
}
