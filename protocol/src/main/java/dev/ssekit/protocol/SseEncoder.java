package dev.ssekit.protocol;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * Writes event-stream framing as UTF-8 into a reusable, growable byte buffer; the only code in
 * ssekit that produces SSE framing.
 *
 * <p>Each call appends one frame. Data and comments are split on CRLF, CR and LF alike into one
 * line each, so a decoder reads back the original text with line breaks normalised to LF.
 * Unpaired surrogates, which UTF-8 cannot carry, are written as U+FFFD. Typical use on a server
 * is to encode an event once and write {@link #toByteArray()} to every client:
 *
 * <pre>{@code
 * byte[] frame = new SseEncoder().event(ServerSentEvent.heartbeat(now)).toByteArray();
 * }</pre>
 *
 * <p>Not thread-safe: give each thread its own encoder, or guard it.
 */
public final class SseEncoder {
  private static final byte[] ID = ascii("id:");
  private static final byte[] EVENT = ascii("event:");
  private static final byte[] DATA = ascii("data:");
  private static final byte[] RETRY = ascii("retry:");
  private static final byte[] COMMENT = ascii(":");
  private static final byte LF = '\n';

  private byte[] buffer;
  private int size;

  /** Creates an encoder with a small initial buffer that grows as needed. */
  public SseEncoder() {
    this(256);
  }

  /**
   * Creates an encoder whose buffer starts at a given size; it grows as needed.
   *
   * @param initialCapacity the buffer's first size, in bytes
   * @throws IllegalArgumentException if negative
   */
  public SseEncoder(int initialCapacity) {
    if (initialCapacity < 0) throw new IllegalArgumentException("initialCapacity < 0: " + initialCapacity);
    this.buffer = new byte[initialCapacity];
  }

  /**
   * Returns the complete frame of an event as a new array.
   *
   * @param event the event
   * @return its frame, as UTF-8
   */
  public static byte[] encode(ServerSentEvent event) {
    return new SseEncoder(64 + event.data().length()).event(event).toByteArray();
  }

  /**
   * Appends the frame of an event: its id, type, retry and data lines, then a blank line.
   *
   * @param event the event
   * @return this encoder
   */
  public SseEncoder event(ServerSentEvent event) {
    if (event.id() != null) singleLine(ID, event.id());
    if (!event.type().equals(ServerSentEvent.DEFAULT_TYPE)) singleLine(EVENT, event.type());
    if (event.retry() != null) retryLine(event.retry());
    lines(DATA, event.data());
    put(LF);
    return this;
  }

  /**
   * Appends an event frame encoded earlier without an id (by {@link #event} of an event whose id
   * is null), giving it {@code id}: the id line, then {@code frameWithoutId} as it is. This is how
   * a log that stores an event's bytes once hands every reader the same frame with the id it
   * assigned later.
   *
   * @param id the event id; must not contain CR, LF or NUL
   * @param frameWithoutId a complete frame as this encoder wrote it, ending with its blank line
   * @return this encoder
   */
  public SseEncoder event(String id, byte[] frameWithoutId) {
    singleLine(ID, ServerSentEvent.checkId(Objects.requireNonNull(id, "id")));
    put(frameWithoutId);
    return this;
  }

  /**
   * Appends a comment as one {@code :} line per line of its text.
   *
   * @param comment the comment
   * @return this encoder
   */
  public SseEncoder comment(SseComment comment) {
    lines(COMMENT, comment.text());
    return this;
  }

  /**
   * Appends a frame that only sets the receiver's last event id (an id-only block): no event is
   * dispatched, but a reconnection resumes after {@code id}.
   *
   * @param id the id; no CR, LF or NUL
   * @return this encoder
   * @throws IllegalArgumentException if {@code id} would break framing
   */
  public SseEncoder id(String id) {
    singleLine(ID, ServerSentEvent.checkId(Objects.requireNonNull(id, "id")));
    put(LF);
    return this;
  }

  /**
   * Appends a frame that only sets the receiver's reconnection time.
   *
   * @param retry the reconnection time; not negative
   * @return this encoder
   * @throws IllegalArgumentException if negative
   */
  public SseEncoder retry(Duration retry) {
    retryLine(ServerSentEvent.checkRetry(Objects.requireNonNull(retry, "retry")));
    put(LF);
    return this;
  }

  /**
   * Returns the number of bytes encoded since creation or the last {@link #reset()}.
   *
   * @return the size in bytes
   */
  public int size() {
    return size;
  }

  /**
   * Returns a copy of the bytes encoded so far.
   *
   * @return a new array
   */
  public byte[] toByteArray() {
    return Arrays.copyOf(buffer, size);
  }

  /**
   * Returns a read-only view of the bytes encoded so far, valid until this encoder changes.
   *
   * @return a view of the buffer, without copying
   */
  public ByteBuffer asReadOnlyBuffer() {
    return ByteBuffer.wrap(buffer, 0, size).asReadOnlyBuffer();
  }

  /**
   * Writes the bytes encoded so far.
   *
   * @param out where to write them
   * @throws IOException if {@code out} does
   */
  public void writeTo(OutputStream out) throws IOException {
    out.write(buffer, 0, size);
  }

  /**
   * Discards the encoded bytes and keeps the buffer for reuse.
   *
   * @return this encoder
   */
  public SseEncoder reset() {
    size = 0;
    return this;
  }

  @Override
  public String toString() {
    return new String(buffer, 0, size, StandardCharsets.UTF_8);
  }

  private void retryLine(Duration retry) {
    put(RETRY);
    put((byte) ' ');
    byte[] digits = ascii(Long.toString(retry.toMillis()));
    put(digits);
    put(LF);
  }

  /** Writes a field whose value is known to hold no line break (validated ids and types). */
  private void singleLine(byte[] field, String value) {
    ensure(field.length + 2 + 3L * value.length());
    put(field);
    if (!value.isEmpty()) {
      buffer[size++] = ' ';
      utf8(value, 0, value.length());
    }
    buffer[size++] = LF;
  }

  /** Writes {@code text} as one {@code field} line per line, splitting on CRLF, CR and LF. */
  private void lines(byte[] field, String text) {
    int length = text.length();
    int start = 0;
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      if (c == '\n' || c == '\r') {
        line(field, text, start, i);
        if (c == '\r' && i + 1 < length && text.charAt(i + 1) == '\n') i++;
        start = i + 1;
      }
    }
    line(field, text, start, length);
  }

  private void line(byte[] field, String text, int start, int end) {
    // A value with a leading space keeps it: the decoder strips exactly one space after the colon.
    ensure(field.length + 2 + 3L * (end - start));
    put(field);
    if (end > start) {
      buffer[size++] = ' ';
      utf8(text, start, end);
    }
    buffer[size++] = LF;
  }

  /** Encodes {@code text[start, end)} as UTF-8; the caller ensured 3 bytes per char of room. */
  private void utf8(String text, int start, int end) {
    byte[] b = buffer;
    int p = size;
    for (int i = start; i < end; i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        b[p++] = (byte) c;
      } else if (c < 0x800) {
        b[p++] = (byte) (0xC0 | (c >> 6));
        b[p++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isSurrogate(c)) {
        char low;
        if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(low = text.charAt(i + 1))) {
          int cp = Character.toCodePoint(c, low);
          i++;
          b[p++] = (byte) (0xF0 | (cp >> 18));
          b[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
          b[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
          b[p++] = (byte) (0x80 | (cp & 0x3F));
        } else {
          b[p++] = (byte) 0xEF; // U+FFFD: UTF-8 cannot carry an unpaired surrogate
          b[p++] = (byte) 0xBF;
          b[p++] = (byte) 0xBD;
        }
      } else {
        b[p++] = (byte) (0xE0 | (c >> 12));
        b[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
        b[p++] = (byte) (0x80 | (c & 0x3F));
      }
    }
    size = p;
  }

  private void put(byte b) {
    ensure(1);
    buffer[size++] = b;
  }

  private void put(byte[] bytes) {
    ensure(bytes.length);
    System.arraycopy(bytes, 0, buffer, size, bytes.length);
    size += bytes.length;
  }

  private void ensure(long more) {
    long needed = size + more;
    if (needed > buffer.length) {
      if (needed > Integer.MAX_VALUE - 8) throw new IllegalStateException("frame too large to encode: " + needed + " bytes");
      buffer = Arrays.copyOf(buffer, (int) Math.max(needed, Math.min(Integer.MAX_VALUE - 8, 2L * buffer.length)));
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
