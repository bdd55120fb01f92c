package dev.ssekit.client;

import dev.ssekit.protocol.ServerSentEvent;
import java.time.Duration;

/**
 * What went wrong with a subscription, delivered to {@link SseClient.Listener#onError}: a
 * {@link Reason} to act on, and whether and when the client carries on.
 */
public final class SseException extends RuntimeException {
  /** Why an error happened. */
  public enum Reason {
    /** The connection could not be made or broke (refused, reset, DNS). The client reconnects. */
    NETWORK,
    /** No bytes arrived within the read timeout: the connection is presumed dead. The client reconnects. */
    READ_TIMEOUT,
    /** The server ended the stream. The client reconnects and resumes. */
    STREAM_ENDED,
    /** The server answered with an unusable status, see {@link #statusCode()}. 5xx, 408 and 429 are retried. */
    HTTP_STATUS,
    /** The server answered 2xx but not with {@code text/event-stream}. Final. */
    CONTENT_TYPE,
    /**
     * OkHttp gave up after too many follow-up requests: redirects (a {@code 301} to itself, for
     * one) or authentication challenges that go round in a loop. Final: asking again would loop again.
     */
    REDIRECT_LOOP,
    /**
     * The request for an attempt could not be made: the request transformer threw (see the cause)
     * or returned null. The client tries again after the backoff.
     */
    REQUEST,
    /**
     * The stream broke a decoder limit (an overlong line or event: that event was dropped) or held
     * bytes that are not UTF-8 (replaced with U+FFFD); the stream goes on.
     */
    PROTOCOL,
    /** An event's data did not convert to its handler's type; see {@link #event()}. The stream goes on. */
    PAYLOAD,
    /** A handler threw: see the cause, and {@link #event()} unless it was the comment handler. The stream goes on. */
    HANDLER,
    /** The reconnection attempts allowed ran out. Final. */
    RETRIES_EXHAUSTED
  }

  /** Why the error happened. */
  private final Reason reason;
  /** The response's status, or -1. */
  private final int statusCode;
  /** The wait before the next attempt, or null. */
  private final Duration retryIn;
  /** Whether the client stopped for good. */
  private final boolean fatal;
  private final transient ServerSentEvent event;

  SseException(Reason reason, String message, Throwable cause, int statusCode, Duration retryIn, boolean fatal,
      ServerSentEvent event) {
    super(message, cause);
    this.reason = reason;
    this.statusCode = statusCode;
    this.retryIn = retryIn;
    this.fatal = fatal;
    this.event = event;
  }

  /**
   * Returns why the error happened.
   *
   * @return the reason; never null
   */
  public Reason reason() {
    return reason;
  }

  /**
   * Returns the HTTP status of the response the error is about.
   *
   * @return the status, or -1 when there was no response
   */
  public int statusCode() {
    return statusCode;
  }

  /**
   * Returns how long the client waits before reconnecting.
   *
   * @return the wait, or null if the client does not reconnect for this error
   */
  public Duration retryIn() {
    return retryIn;
  }

  /**
   * Returns whether the client has stopped for good; {@link SseClient.Listener#onClosed()} follows.
   *
   * @return true if the error is final
   */
  public boolean isFatal() {
    return fatal;
  }

  /**
   * Returns the event a {@link Reason#PAYLOAD} or {@link Reason#HANDLER} error is about.
   *
   * @return the event, or null for other reasons and for the comment handler
   */
  public ServerSentEvent event() {
    return event;
  }

  SseException retrying(Duration delay) {
    return new SseException(reason, getMessage(), getCause(), statusCode, delay, false, event);
  }

  SseException asFatal() {
    return new SseException(reason, getMessage(), getCause(), statusCode, null, true, event);
  }
}
