package dev.ssekit.benchmarks.fanout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;

/**
 * One socket of the {@link FloorServer}: its request head until it has arrived, then, as a stream,
 * the chunks its socket buffer did not take yet. Owned by one {@link FloorShard} thread.
 *
 * <p>A stream with nothing held back is written straight from the shard's buffer. Once a write is
 * short, the rest of that chunk and every later chunk wait here, in order, until the socket takes
 * them on {@code OP_WRITE}; nothing is dropped. Only the slow path allocates (a wrap per held-back
 * chunk), never the write to a socket that keeps up.
 */
final class FloorConnection {
  /** A request head longer than this is refused (the driver's and HttpClient's are a few hundred bytes). */
  static final int REQUEST_LIMIT = 8192;

  final SocketChannel channel;
  final SelectionKey key;
  /** Its place in the shard's list of streams while it is one, -1 before and after. */
  int index = -1;

  private ByteBuffer request = ByteBuffer.allocate(1024); // dropped once the head is read
  private final ArrayDeque<ByteBuffer> backlog = new ArrayDeque<>(0);

  FloorConnection(SocketChannel channel, SelectionKey key) {
    this.channel = channel;
    this.key = key;
  }

  /**
   * Reads what the socket has of the request; returns the request line (e.g. {@code GET /sse
   * HTTP/1.1}) once the whole head has arrived, null before.
   *
   * @throws IOException if the peer closed or the head is too long
   */
  String readRequest() throws IOException {
    while (true) {
      if (!request.hasRemaining()) {
        if (request.capacity() >= REQUEST_LIMIT) throw new IOException("request head over " + REQUEST_LIMIT + " bytes");
        request = ByteBuffer.allocate(REQUEST_LIMIT).put(request.flip());
      }
      int n = channel.read(request);
      if (n < 0) throw new IOException("closed before the end of the request head");
      if (n == 0) return null;
      int end = headEnd();
      if (end >= 0) {
        String head = new String(request.array(), 0, end, java.nio.charset.StandardCharsets.ISO_8859_1);
        request = null;
        int lineEnd = head.indexOf("\r\n");
        return lineEnd < 0 ? head : head.substring(0, lineEnd);
      }
    }
  }

  /** Returns where the blank line ending the head starts, -1 if it has not arrived. */
  private int headEnd() {
    byte[] bytes = request.array();
    for (int i = 3; i < request.position(); i++) {
      if (bytes[i] == '\n' && bytes[i - 1] == '\r' && bytes[i - 2] == '\n' && bytes[i - 3] == '\r') return i - 3;
    }
    return -1;
  }

  /** Returns whether chunks are held back: a new chunk must queue behind them to keep the order. */
  boolean backlogged() {
    return !backlog.isEmpty();
  }

  /** Returns how many chunks (or parts of one) are held back. */
  int backlogSize() {
    return backlog.size();
  }

  /** Holds back {@code chunk} from {@code offset} on, to be written when the socket takes more. */
  void holdBack(byte[] chunk, int offset) {
    backlog.add(ByteBuffer.wrap(chunk, offset, chunk.length - offset));
    key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
  }

  /** Writes held-back chunks until the socket is full or none is left (then stops asking for OP_WRITE). */
  void drain() throws IOException {
    while (!backlog.isEmpty()) {
      ByteBuffer first = backlog.peek();
      channel.write(first);
      if (first.hasRemaining()) return;
      backlog.poll();
    }
    key.interestOps(SelectionKey.OP_READ);
  }
}
