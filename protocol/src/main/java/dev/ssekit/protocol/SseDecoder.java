package dev.ssekit.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * An incremental, push-based event-stream parser that follows the WHATWG HTML "server-sent
 * events" parsing rules exactly; the only code in ssekit that parses SSE framing.
 *
 * <p>Feed it bytes in chunks of any size; it calls its {@link Listener} with each complete event,
 * comment and reconnection time, in stream order, on the feeding thread:
 *
 * <pre>{@code
 * SseDecoder decoder = new SseDecoder(event -> System.out.println(event.data()));
 * decoder.feed(bytes, 0, n);   // as often as bytes arrive
 * decoder.endOfStream();       // when the connection ends
 * }</pre>
 *
 * <p>Rules, in brief: UTF-8 with U+FFFD for malformed bytes; one byte-order mark at the start of a
 * stream ignored; lines end in CRLF, LF or CR (also when split across chunks); {@code :} lines are
 * comments; a field's name runs to the first colon and one leading space of its value is removed;
 * {@code data} appends the value and LF; {@code event} sets the type; {@code id} sets the last
 * event id unless the value contains NUL; {@code retry} applies only to ASCII digits (clamped to
 * {@link Long#MAX_VALUE}); a blank line makes the id the last event id, then dispatches the event
 * if it has data; whatever is incomplete at the end of a stream is discarded.
 *
 * <p>It works on bytes: line ends, colons and field names are ASCII, which UTF-8 never uses
 * inside a multi-byte sequence, so text is decoded only for values that are kept. Memory is
 * bounded by {@link Builder#maxLineLength} and {@link Builder#maxEventSize}.
 *
 * <p>Not thread-safe. If a listener throws, the exception propagates out of {@code feed} and the
 * rest of that chunk is not consumed: treat the stream as broken, and call {@link #endOfStream()}
 * before feeding the decoder the next stream (or discard it).
 */
public final class SseDecoder {
  /** Default {@link Builder#maxLineLength}: {@value} bytes (1 MiB). */
  public static final int DEFAULT_MAX_LINE_LENGTH = 1 << 20;

  /** Default {@link Builder#maxEventSize}: {@value} bytes (4 MiB). */
  public static final int DEFAULT_MAX_EVENT_SIZE = 4 << 20;

  private static final int MAX_ARRAY_SIZE = Integer.MAX_VALUE - 8; // what JVMs reliably allocate
  private static final byte CR = '\r';
  private static final byte LF = '\n';
  private static final byte COLON = ':';
  private static final byte SPACE = ' ';
  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
  private static final byte[] DATA = ascii("data");
  private static final byte[] ID = ascii("id");
  private static final byte[] EVENT = ascii("event");
  private static final byte[] RETRY = ascii("retry");
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long LF_BYTES = 0x0A0A0A0A0A0A0A0AL;
  private static final long CR_BYTES = 0x0D0D0D0D0D0D0D0DL;
  private static final long ONE_BYTES = 0x0101010101010101L;
  private static final long HIGH_BITS = 0x8080808080808080L;
  /** Buffers grown beyond this by a large event are released after it, so idle decoders stay small. */
  private static final int RETAINED_CAPACITY = 128 * 1024;
  private static final int COPY_CHUNK = 8 * 1024;

  /** Receives what the decoder parses; every method runs on the thread that calls {@code feed}. */
  public interface Listener {
    /**
     * Called for each dispatched event, in stream order.
     *
     * @param event the event
     */
    void onEvent(ServerSentEvent event);

    /**
     * Called for each comment line; by default ignored, as browsers do.
     *
     * @param comment the comment
     */
    default void onComment(SseComment comment) {}

    /**
     * Called when a valid {@code retry} field sets the reconnection time.
     *
     * @param reconnectionTime the time the stream asks a client to wait before reconnecting
     */
    default void onRetry(Duration reconnectionTime) {}

    /**
     * Called when a value held bytes that are not UTF-8, before the event or comment that carries
     * their replacement (U+FFFD, as the spec requires) is reported; the stream goes on.
     */
    default void onMalformedUtf8() {}

    /**
     * Called when the stream exceeds a size limit; the decoder has skipped the offending line and
     * drops the event in progress. By default rethrows, so {@code feed} fails; a listener that
     * returns instead lets the decoder carry on with the next event.
     *
     * @param e which limit, and where
     */
    default void onLimitExceeded(SseLimitExceededException e) {
      throw e;
    }
  }

  private final Listener listener;
  private final int maxLineLength;
  private final int maxEventSize;
  private final boolean reportComments;

  // Line assembly: a line that spans chunks is copied here; others are parsed in place.
  private byte[] line;
  private int lineLength;
  private boolean skipLineFeed;
  private boolean discardLine;
  private int bomMatched;
  private byte[] scratch;

  // Event assembly (the spec's buffers).
  private byte[] data;
  private int dataLength;
  // An event's first data line, while it still lies in the chunk being fed: most events have one
  // data line, and decoding it where it lies saves a copy. Copied into data before feed returns.
  private byte[] firstData;
  private int firstDataOffset;
  private int firstDataLength;
  private boolean discardEvent;
  private String type;
  private Duration retry;
  private String idBuffer;
  private String lastEventId;

  // The previous type, to avoid a String per event for the usual repeated type.
  private byte[] cachedTypeBytes = new byte[0];
  private String cachedType = ServerSentEvent.DEFAULT_TYPE;

  /**
   * Creates a decoder with default limits and no last event id.
   *
   * @param listener receives what the decoder parses
   */
  public SseDecoder(Listener listener) {
    this(builder(), listener);
  }

  private SseDecoder(Builder builder, Listener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
    this.maxLineLength = builder.maxLineLength;
    this.maxEventSize = builder.maxEventSize;
    this.reportComments = builder.reportComments;
    this.line = new byte[initialLineCapacity()];
    this.data = new byte[initialDataCapacity()];
    this.lastEventId = builder.lastEventId;
    this.idBuffer = builder.lastEventId;
  }

  /**
   * Returns a builder for a decoder with non-default limits or a last event id to start from.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the last event id: set at each blank line, kept across events and streams.
   *
   * @return the id; {@code ""} if none
   */
  public String lastEventId() {
    return lastEventId;
  }

  /**
   * Parses {@code length} bytes of {@code bytes} from {@code offset}; a line or event may span calls.
   *
   * @param bytes the stream's next bytes
   * @param offset where they start in {@code bytes}
   * @param length how many there are
   * @throws IndexOutOfBoundsException if the range is outside {@code bytes}
   * @throws SseLimitExceededException if a limit is exceeded and the listener rethrows
   */
  public void feed(byte[] bytes, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, bytes.length);
    int i = offset;
    int end = offset + length;
    if (bomMatched >= 0) i = consumeByteOrderMark(bytes, i, end);
    if (skipLineFeed && i < end) {
      skipLineFeed = false;
      if (bytes[i] == LF) i++;
    }
    try {
      while (i < end) {
        int eol = indexOfLineEnd(bytes, i, end);
        if (eol < 0) {
          appendToLine(bytes, i, end - i);
          break;
        }
        if (lineLength == 0 && !discardLine) {
          parseLine(bytes, i, eol - i);
        } else {
          appendToLine(bytes, i, eol - i);
          if (!discardLine) parseLine(line, 0, lineLength);
          lineLength = 0;
          discardLine = false;
          if (line.length > RETAINED_CAPACITY) line = new byte[initialLineCapacity()];
        }
        if (bytes[eol] == CR) {
          if (eol + 1 < end) {
            if (bytes[eol + 1] == LF) eol++;
          } else {
            skipLineFeed = true;
          }
        }
        i = eol + 1;
      }
    } finally {
      if (firstData != null) copyFirstData(); // the caller may reuse its array
    }
  }

  /**
   * Parses the bytes from {@code bytes}' position to its limit, leaving it at its limit.
   *
   * @param bytes the stream's next bytes
   * @throws SseLimitExceededException if a limit is exceeded and the listener rethrows
   */
  public void feed(ByteBuffer bytes) {
    if (bytes.hasArray()) {
      feed(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
      bytes.position(bytes.limit());
      return;
    }
    if (scratch == null) scratch = new byte[COPY_CHUNK];
    while (bytes.hasRemaining()) {
      int n = Math.min(bytes.remaining(), scratch.length);
      bytes.get(scratch, 0, n);
      feed(scratch, 0, n);
    }
  }

  /**
   * Ends the current stream: an incomplete line or event is discarded, as the spec requires, and
   * the decoder is ready for a new stream (a reconnection) that continues from {@link #lastEventId()}.
   */
  public void endOfStream() {
    lineLength = 0;
    discardLine = false;
    skipLineFeed = false;
    bomMatched = 0;
    resetEvent();
    idBuffer = lastEventId;
  }

  private int consumeByteOrderMark(byte[] bytes, int i, int end) {
    while (i < end) {
      if (bytes[i] == BOM[bomMatched]) {
        i++;
        if (++bomMatched == BOM.length) {
          bomMatched = -1;
          return i;
        }
      } else {
        int matched = bomMatched;
        bomMatched = -1;
        appendToLine(BOM, 0, matched); // a partial BOM is ordinary content of the first line
        return i;
      }
    }
    return i;
  }

  /** Returns the index of the first CR or LF in {@code bytes[from, end)}, or -1. */
  private static int indexOfLineEnd(byte[] bytes, int from, int end) {
    int i = from;
    // Eight bytes at a time: a byte equal to LF or CR becomes zero after the XOR, and the
    // classic has-zero-byte test marks it. Marks can be wrong only above a true one, so the
    // lowest mark (the first byte, little-endian) is exact.
    for (; i + Long.BYTES <= end; i += Long.BYTES) {
      long word = (long) LONGS.get(bytes, i);
      long lf = word ^ LF_BYTES;
      long cr = word ^ CR_BYTES;
      long marks = ((lf - ONE_BYTES) & ~lf | (cr - ONE_BYTES) & ~cr) & HIGH_BITS;
      if (marks != 0) return i + (Long.numberOfTrailingZeros(marks) >>> 3);
    }
    for (; i < end; i++) {
      byte b = bytes[i];
      if (b == LF || b == CR) return i;
    }
    return -1;
  }

  private void appendToLine(byte[] bytes, int offset, int length) {
    if (discardLine || length == 0) return;
    if (length > maxLineLength - lineLength) {
      lineLength = 0;
      discardLine = true;
      if (line.length > RETAINED_CAPACITY) line = new byte[initialLineCapacity()];
      lineTooLong();
      return;
    }
    if (lineLength + length > line.length) {
      line = Arrays.copyOf(line, Math.min(maxLineLength, Math.max(lineLength + length, 2 * line.length)));
    }
    System.arraycopy(bytes, offset, line, lineLength, length);
    lineLength += length;
  }

  private void parseLine(byte[] b, int start, int length) {
    if (length == 0) {
      dispatch();
      return;
    }
    if (length > maxLineLength) {
      lineTooLong();
      return;
    }
    int end = start + length;
    if (b[start] == COLON) {
      if (!reportComments) return;
      int from = start + 1 < end && b[start + 1] == SPACE ? start + 2 : start + 1;
      listener.onComment(new SseComment(utf8(b, from, end - from)));
      return;
    }
    // A field's name runs to the first colon, and none of the four names the spec knows contains
    // one: so a line is one of them exactly when it is "name" or starts with "name:".
    int value;
    switch (b[start]) {
      case 'd':
        if ((value = valueOf(b, start, end, DATA)) >= 0) appendData(b, value, end - value);
        break;
      case 'i':
        if ((value = valueOf(b, start, end, ID)) >= 0) {
          String id = utf8(b, value, end - value);
          if (id.indexOf('\0') < 0) idBuffer = id; // U+0000 comes only from a NUL byte
        }
        break;
      case 'e':
        if ((value = valueOf(b, start, end, EVENT)) >= 0) type = typeOf(b, value, end - value);
        break;
      case 'r':
        if ((value = valueOf(b, start, end, RETRY)) >= 0) retry(b, value, end - value);
        break;
      default:
        break; // unknown fields are ignored
    }
  }

  /**
   * Returns where the value starts if the line {@code b[start, end)} is the field {@code name}
   * (after the colon and one optional space; {@code end} for a line without a colon), else -1.
   */
  private static int valueOf(byte[] b, int start, int end, byte[] name) {
    int at = start + name.length;
    if (at > end) return -1;
    for (int i = 1; i < name.length; i++) { // the first byte was matched by the caller
      if (b[start + i] != name[i]) return -1;
    }
    if (at == end) return end;
    if (b[at] != COLON) return -1;
    at++;
    return at < end && b[at] == SPACE ? at + 1 : at;
  }

  private void appendData(byte[] b, int offset, int length) {
    if (discardEvent) return;
    if (firstData != null) copyFirstData();
    // dataLength counts the earlier lines and their line feeds; the last line feed is dropped at
    // dispatch, so an event of exactly maxEventSize bytes fits.
    if (length > maxEventSize - dataLength) {
      discardEvent = true;
      dataLength = 0;
      listener.onLimitExceeded(new SseLimitExceededException(SseLimitExceededException.Limit.EVENT, maxEventSize, lastEventId));
      return;
    }
    if (dataLength == 0 && b != line) { // the line buffer is overwritten by the next line
      firstData = b;
      firstDataOffset = offset;
      firstDataLength = length;
      return;
    }
    appendToData(b, offset, length);
  }

  private void copyFirstData() {
    byte[] b = firstData;
    firstData = null;
    appendToData(b, firstDataOffset, firstDataLength);
  }

  private void appendToData(byte[] b, int offset, int length) {
    int needed = dataLength + length + 1;
    if (needed > data.length) data = Arrays.copyOf(data, (int) Math.min(maxEventSize + 1L, Math.max(needed, 2L * data.length)));
    System.arraycopy(b, offset, data, dataLength, length);
    data[dataLength + length] = LF;
    dataLength = needed;
  }

  private String typeOf(byte[] b, int offset, int length) {
    if (length == 0) return null; // an empty type means the default type
    if (!Arrays.equals(b, offset, offset + length, cachedTypeBytes, 0, cachedTypeBytes.length)) {
      cachedTypeBytes = Arrays.copyOfRange(b, offset, offset + length);
      cachedType = utf8(b, offset, length);
    }
    return cachedType;
  }

  private void retry(byte[] b, int offset, int length) {
    if (length == 0) return;
    long millis = 0;
    for (int i = offset; i < offset + length; i++) {
      int digit = b[i] - '0';
      if (digit < 0 || digit > 9) return;
      millis = millis > (Long.MAX_VALUE - digit) / 10 ? Long.MAX_VALUE : millis * 10 + digit;
    }
    retry = Duration.ofMillis(millis);
    listener.onRetry(retry);
  }

  private void dispatch() {
    lastEventId = idBuffer;
    if (discardEvent || dataLength == 0 && firstData == null) {
      resetEvent();
      return;
    }
    String eventData = firstData != null ? utf8(firstData, firstDataOffset, firstDataLength) : utf8(data, 0, dataLength - 1);
    String eventType = type == null ? ServerSentEvent.DEFAULT_TYPE : type;
    Duration eventRetry = retry;
    resetEvent();
    listener.onEvent(ServerSentEvent.decoded(eventType, eventData, lastEventId.isEmpty() ? null : lastEventId, eventRetry));
  }

  private void resetEvent() {
    firstData = null;
    dataLength = 0;
    discardEvent = false;
    type = null;
    retry = null;
    if (data.length > RETAINED_CAPACITY) data = new byte[initialDataCapacity()];
  }

  private void lineTooLong() {
    discardEvent = true;
    dataLength = 0;
    firstData = null;
    listener.onLimitExceeded(new SseLimitExceededException(SseLimitExceededException.Limit.LINE, maxLineLength, lastEventId));
  }

  private int initialLineCapacity() {
    return Math.min(128, maxLineLength);
  }

  private int initialDataCapacity() {
    return Math.min(256, maxEventSize);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private String utf8(byte[] b, int offset, int length) {
    // The JDK decodes well-formed UTF-8 fast and exactly, but replaces some malformed sequences
    // (encoded surrogates, for one) with fewer U+FFFD than WHATWG requires. Any malformed input
    // leaves a U+FFFD in its result, so only those rare strings are decoded again by the book.
    // For Latin-1 strings indexOf(U+FFFD) returns at once, so the common case pays nothing.
    String text = new String(b, offset, length, StandardCharsets.UTF_8);
    if (text.indexOf('\uFFFD') < 0) return text;
    String exact = Utf8.decode(b, offset, length);
    if (Utf8.replaced(exact, b, offset, length)) listener.onMalformedUtf8();
    return exact;
  }

  /** Configures limits and the starting last event id of a {@link SseDecoder}. */
  public static final class Builder {
    private int maxLineLength = DEFAULT_MAX_LINE_LENGTH;
    private int maxEventSize = DEFAULT_MAX_EVENT_SIZE;
    private String lastEventId = "";
    private boolean reportComments = true;

    private Builder() {}

    /**
     * Sets the longest line, in bytes without its line end, that the decoder accepts.
     *
     * @param bytes the limit; default {@value SseDecoder#DEFAULT_MAX_LINE_LENGTH}
     * @return this builder
     * @throws IllegalArgumentException if not positive or beyond what an array can hold
     */
    public Builder maxLineLength(int bytes) {
      if (bytes < 1 || bytes > MAX_ARRAY_SIZE) {
        throw new IllegalArgumentException("maxLineLength must be between 1 and " + MAX_ARRAY_SIZE + ": " + bytes);
      }
      this.maxLineLength = bytes;
      return this;
    }

    /**
     * Sets the most data, in bytes including line feeds between data lines, one event may carry.
     *
     * @param bytes the limit; default {@value SseDecoder#DEFAULT_MAX_EVENT_SIZE}
     * @return this builder
     * @throws IllegalArgumentException if not positive or beyond what an array can hold
     */
    public Builder maxEventSize(int bytes) {
      if (bytes < 1 || bytes > MAX_ARRAY_SIZE - 1) {
        throw new IllegalArgumentException("maxEventSize must be between 1 and " + (MAX_ARRAY_SIZE - 1) + ": " + bytes);
      }
      this.maxEventSize = bytes;
      return this;
    }

    /**
     * Sets the last event id the first stream continues from, as after a reconnection.
     *
     * @param lastEventId the id; {@code ""} for none
     * @return this builder
     */
    public Builder lastEventId(String lastEventId) {
      this.lastEventId = Objects.requireNonNull(lastEventId, "lastEventId");
      return this;
    }

    /**
     * Sets whether comment lines are decoded and reported to {@link Listener#onComment}; by default
     * they are. When not, they are skipped as soon as they are recognised, without building a
     * string, and malformed UTF-8 inside them is not reported.
     *
     * @param report false for a listener that ignores comments
     * @return this builder
     */
    public Builder reportComments(boolean report) {
      this.reportComments = report;
      return this;
    }

    /**
     * Returns a decoder with these settings.
     *
     * @param listener receives what the decoder parses
     * @return the decoder
     */
    public SseDecoder build(Listener listener) {
      return new SseDecoder(this, listener);
    }
  }
}
