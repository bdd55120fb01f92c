package dev.ssekit.benchmarks.codec;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A client connection reduced to a byte counter: what the encoder benchmarks write frames to.
 * {@link #print(String)} encodes UTF-8 as Jetty's servlet output stream does (the servlet API's
 * default would reject non-Latin-1 text).
 */
public final class CountingOutputStream extends ServletOutputStream {
  private final ByteArrayOutputStream captured;
  private long bytes;
  private int checksum;

  /** Creates a stream that counts and drops what is written. */
  public CountingOutputStream() {
    this(false);
  }

  /** Creates a stream that counts, and if {@code capture}, also keeps what is written (for checks, not benchmarks). */
  public CountingOutputStream(boolean capture) {
    this.captured = capture ? new ByteArrayOutputStream() : null;
  }

  @Override
  public void write(int b) {
    bytes++;
    checksum += b;
    if (captured != null) captured.write(b);
  }

  @Override
  public void write(byte[] b, int off, int len) {
    bytes += len;
    // Touch the data so the write cannot be optimised away, without copying it.
    if (len > 0) checksum += b[off] + b[off + len - 1];
    if (captured != null) captured.write(b, off, len);
  }

  @Override
  public void print(String s) {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    write(utf8, 0, utf8.length);
  }

  @Override
  public boolean isReady() {
    return true;
  }

  @Override
  public void setWriteListener(WriteListener writeListener) {
    throw new UnsupportedOperationException("blocking sink");
  }

  /** Returns the bytes written so far. */
  public long bytes() {
    return bytes;
  }

  /** Returns what was written, if this stream captures. */
  public byte[] captured() {
    return captured.toByteArray();
  }

  /** Returns a value that depends on what was written, for a Blackhole. */
  public int checksum() {
    return checksum;
  }
}
