package dev.ssekit.benchmarks.codec;

/**
 * One library's most direct public way to parse an event stream of bytes. Every implementation
 * reads the same bytes from a {@link java.io.ByteArrayInputStream} in reads of at most
 * {@link #READ_SIZE} bytes, as it would read a socket, and reports each event to the sink.
 */
public interface StreamDecoder {
  /** The read size every decoder uses: okio's segment size, and what a socket read typically returns. */
  int READ_SIZE = 8192;

  /** Parses the whole {@code stream}, reporting each event to {@code sink}; returns the number of events. */
  int decode(byte[] stream, EventSink sink) throws Exception;
}
