package dev.ssekit.protocol;

/**
 * Reported to {@link SseDecoder.Listener#onLimitExceeded} when a stream exceeds one of the
 * decoder's size limits. The decoder has already dropped the event in progress and will skip the
 * rest of the offending line, so its memory stays bounded by the limit.
 *
 * <p>If the listener returns, decoding goes on with the next event; the dropped event's {@code id},
 * if it had one, still becomes the last event id at its blank line, as for any other block, so a
 * reconnection does not ask for the oversized event again. If the listener throws (the default
 * rethrows this exception), {@code feed} stops there and the decoder must be reset with
 * {@link SseDecoder#endOfStream()} before it is fed again.
 */
public final class SseLimitExceededException extends RuntimeException {
  /** Which limit a stream exceeded. */
  public enum Limit {
    /** A single line (field name and value) was longer than {@link SseDecoder.Builder#maxLineLength}. */
    LINE,
    /** The data of one event was larger than {@link SseDecoder.Builder#maxEventSize}. */
    EVENT
  }

  /** Which limit the stream exceeded. */
  private final Limit limit;
  /** The limit, in bytes. */
  private final int maxBytes;
  /** The last event id in effect before the dropped event ("" if none). */
  private final String lastEventId;

  /**
   * Creates the exception.
   *
   * @param limit which limit the stream exceeded
   * @param maxBytes the limit, in bytes
   * @param lastEventId the last event id in effect before the dropped event ({@code ""} if none)
   */
  public SseLimitExceededException(Limit limit, int maxBytes, String lastEventId) {
    super(message(limit, maxBytes, lastEventId));
    this.limit = limit;
    this.maxBytes = maxBytes;
    this.lastEventId = lastEventId;
  }

  private static String message(Limit limit, int maxBytes, String lastEventId) {
    String what = limit == Limit.LINE ? "a line longer than " : "an event with more data than ";
    String where = lastEventId.isEmpty() ? "" : " (after event id " + lastEventId + ")";
    return "event stream has " + what + maxBytes + " bytes" + where + "; the event was dropped";
  }

  /**
   * Returns which limit was exceeded.
   *
   * @return the limit
   */
  public Limit limit() {
    return limit;
  }

  /**
   * Returns the limit in bytes.
   *
   * @return the limit's size
   */
  public int maxBytes() {
    return maxBytes;
  }

  /**
   * Returns the last event id in effect before the dropped event.
   *
   * @return the id; {@code ""} if none
   */
  public String lastEventId() {
    return lastEventId;
  }
}
