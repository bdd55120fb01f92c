package dev.ssekit.benchmarks.fanout;

import java.nio.channels.SocketChannel;

/**
 * One client connection's parsing state: the HTTP response head, a chunked (or raw) body, and of
 * the event stream only what the driver needs: each event's {@code id} and the epoch millis
 * leading its {@code data} (to compute latency). ssekit's ids are {@code <offset>.<tag>}, the
 * offset counting up by one: a step of more than one is a gap (lost events), a step of none or
 * back is an event out of order, and the tag goes to the worker's {@link HistoryCheck}. The
 * baseline's ids are plain numbers, read the same way without a tag. Fed bytes by its selector
 * thread.
 */
final class SseConnection {
  enum Phase { CONNECTING, HEAD, BODY, CLOSED }

  private static final int HEAD_LIMIT = 8192;
  private static final int LINE_PREFIX = 64; // enough for "data: " + 19 digits, "id: " + 19 digits + "." + a 32-character tag

  // Chunked-body states.
  private static final int SIZE = 0;
  private static final int EXTENSION = 1;
  private static final int DATA = 2;
  private static final int DATA_END = 3;
  private static final int DONE = 4;

  final SocketChannel channel;
  final byte[] request; // the GET for this connection's node
  final boolean stalled;
  private final HistoryCheck history;
  final long openedNanos;
  Phase phase = Phase.CONNECTING;
  long eventsInWindow;

  private byte[] head = new byte[512]; // grows to HEAD_LIMIT if needed; dropped once parsed
  private int headLength;
  private boolean chunked;
  private int chunkState = SIZE;
  private long chunkRemaining;

  private final byte[] line = new byte[LINE_PREFIX];
  private int lineLength;
  private long pendingId = -1;
  private boolean pendingHasTag;
  private long pendingTag;
  private long pendingData = -1;
  private long lastId = -1;

  SseConnection(SocketChannel channel, boolean stalled, HistoryCheck history, byte[] request) {
    this.channel = channel;
    this.request = request;
    this.stalled = stalled;
    this.history = history;
    this.openedNanos = System.nanoTime();
  }

  /**
   * Parses {@code length} bytes received at {@code nowMillis}. Returns false if the response is
   * not a 200 event stream or its head is too long.
   */
  boolean consume(byte[] bytes, int offset, int length, long nowMillis, WindowStats stats) {
    int i = offset;
    int end = offset + length;
    if (phase == Phase.HEAD) {
      i = consumeHead(bytes, i, end);
      if (i < 0) return false;
    }
    if (phase != Phase.BODY) return true;
    if (!chunked) {
      consumeBody(bytes, i, end, nowMillis, stats);
      return true;
    }
    while (i < end) {
      switch (chunkState) {
        case SIZE -> {
          byte b = bytes[i++];
          if (b == '\n') {
            if (chunkRemaining == 0) chunkState = DONE;
            else chunkState = DATA;
          } else if (b == ';') {
            chunkState = EXTENSION;
          } else if (b != '\r') {
            chunkRemaining = chunkRemaining * 16 + Character.digit(b, 16);
          }
        }
        case EXTENSION -> {
          if (bytes[i++] == '\n') chunkState = chunkRemaining == 0 ? DONE : DATA;
        }
        case DATA -> {
          int n = (int) Math.min(chunkRemaining, end - i);
          consumeBody(bytes, i, i + n, nowMillis, stats);
          i += n;
          chunkRemaining -= n;
          if (chunkRemaining == 0) chunkState = DATA_END;
        }
        case DATA_END -> {
          if (bytes[i++] == '\n') chunkState = SIZE;
        }
        default -> i = end; // after the last chunk: trailers, ignored
      }
    }
    return true;
  }

  /** Returns where the body starts in {@code bytes}, {@code end} if the head goes on, -1 if unacceptable. */
  private int consumeHead(byte[] bytes, int i, int end) {
    while (i < end) {
      if (headLength == head.length) {
        if (head.length == HEAD_LIMIT) return -1;
        head = java.util.Arrays.copyOf(head, HEAD_LIMIT);
      }
      head[headLength++] = bytes[i++];
      if (headLength >= 4 && head[headLength - 1] == '\n' && head[headLength - 2] == '\r'
          && head[headLength - 3] == '\n' && head[headLength - 4] == '\r') {
        String text = new String(head, 0, headLength, java.nio.charset.StandardCharsets.ISO_8859_1).toLowerCase();
        if (!text.startsWith("http/1.1 200")) return -1;
        chunked = text.contains("\ntransfer-encoding: chunked");
        phase = Phase.BODY;
        head = null;
        return i;
      }
    }
    return end;
  }

  private void consumeBody(byte[] bytes, int from, int to, long nowMillis, WindowStats stats) {
    for (int i = from; i < to; i++) {
      byte b = bytes[i];
      if (b == '\n') {
        endOfLine(nowMillis, stats);
      } else if (b != '\r' && lineLength < LINE_PREFIX) {
        line[lineLength++] = b;
      }
    }
  }

  private void endOfLine(long nowMillis, WindowStats stats) {
    if (lineLength == 0) {
      dispatch(nowMillis, stats);
    } else if (startsWith("data:")) {
      if (pendingData < 0) pendingData = leadingNumber(5);
    } else if (startsWith("id:")) {
      readId();
    }
    lineLength = 0;
  }

  private void dispatch(long nowMillis, WindowStats stats) {
    if (pendingData >= 0) {
      stats.event(nowMillis - pendingData);
      eventsInWindow++;
    }
    if (pendingId >= 0) {
      if (lastId >= 0 && pendingId > lastId + 1) stats.lost(pendingId - lastId - 1);
      if (lastId >= 0 && pendingId <= lastId) stats.countOutOfOrder();
      if (pendingHasTag && !history.agrees(pendingId, pendingTag)) stats.countMismatched();
      lastId = Math.max(lastId, pendingId); // a duplicate must not make the next event look like a gap
    }
    pendingId = -1;
    pendingHasTag = false;
    pendingData = -1;
  }

  private boolean startsWith(String field) {
    if (lineLength < field.length()) return false;
    for (int i = 0; i < field.length(); i++) {
      if (line[i] != field.charAt(i)) return false;
    }
    return true;
  }

  /** Reads {@code id: <offset>[.<tag>]} into the pending id and, if there is one, a 64-bit hash of the tag. */
  private void readId() {
    pendingId = leadingNumber(3);
    int dot = 3;
    while (dot < lineLength && line[dot] != '.') dot++;
    pendingHasTag = pendingId >= 0 && dot < lineLength - 1;
    long hash = 1;
    for (int i = dot + 1; i < lineLength; i++) hash = hash * 131 + line[i];
    pendingTag = hash;
  }

  /** Returns the decimal number after the field name (and one optional space), or -1 if none. */
  private long leadingNumber(int from) {
    int i = from;
    if (i < lineLength && line[i] == ' ') i++;
    long n = 0;
    int digits = 0;
    for (; i < lineLength && line[i] >= '0' && line[i] <= '9' && digits < 18; i++, digits++) n = n * 10 + (line[i] - '0');
    return digits == 0 ? -1 : n;
  }
}
