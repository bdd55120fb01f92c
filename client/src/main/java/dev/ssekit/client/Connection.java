package dev.ssekit.client;

import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.protocol.Sse;
import dev.ssekit.protocol.SseComment;
import dev.ssekit.protocol.SseDecoder;
import dev.ssekit.protocol.SseLimitExceededException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import okhttp3.Call;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;

/**
 * One connection attempt after another to the same stream, on the reader thread: make the
 * attempt's request, check the response, decode the body until it ends, and say how it ended.
 * The decoder lives as long as this object, so the last event id and the server's {@code retry:}
 * carry over from one connection to the next, as the spec requires. It knows nothing of states,
 * backoff or callbacks: {@link Lifecycle} decides what an outcome means.
 */
final class Connection {
  /** Where decoded things go; each call may wait for room in the callback buffer. */
  interface Callbacks {
    void open(Response response) throws InterruptedException;

    void event(ServerSentEvent event) throws InterruptedException;

    void comment(SseComment comment) throws InterruptedException;

    /** An error that does not end the connection (a decoder limit, malformed UTF-8). */
    void error(SseException error) throws InterruptedException;
  }

  /**
   * What to connect to and how, fixed when the client is built.
   *
   * @param http the client for every attempt, with the stream's timeouts applied
   * @param request the request as the user gave it
   * @param transformer rewrites the request before each attempt, or null
   * @param decoder the decoder's limits and whether comments are decoded
   * @param lastEventId the id to resume after on the first attempt ("" for none)
   */
  record Settings(OkHttpClient http, Request request, UnaryOperator<Request> transformer, SseDecoder.Builder decoder,
      String lastEventId) {}

  /**
   * How a connection ended.
   *
   * @param error what ended it, or null when the server said to stop (204)
   * @param healthyFor how long the stream was open, or null if it never opened (so that even a
   *     {@code resetAfter} of zero resets the backoff only after a stream that did)
   * @param serverMinimumDelay the least wait before the next attempt the server asked for
   *     ({@code retry:}, {@code Retry-After}), or null
   */
  record Outcome(SseException error, Duration healthyFor, Duration serverMinimumDelay) {
    boolean stop() {
      return error == null;
    }
  }

  /** Carries an interrupt out of the decoder's listener, which may not throw checked exceptions. */
  private static final class Interrupted extends RuntimeException {
    Interrupted(InterruptedException cause) {
      super(cause);
    }
  }

  private static final int READ_CHUNK = 8192;
  /** OkHttp's message when it stops following redirects or authentication challenges. */
  private static final String TOO_MANY_FOLLOW_UPS = "Too many follow-up requests";

  private final OkHttpClient http;
  private final Request request;
  private final UnaryOperator<Request> transformer;
  private final Callbacks callbacks;
  private final SseDecoder decoder;
  private final byte[] buffer = new byte[READ_CHUNK];
  private volatile String lastEventId;
  private Duration serverRetry;
  private boolean malformedReported;
  private HttpUrl target; // the URL of the attempt under way, for messages

  Connection(Settings settings, Callbacks callbacks) {
    this.http = settings.http();
    this.request = settings.request();
    this.transformer = settings.transformer();
    this.callbacks = callbacks;
    this.lastEventId = settings.lastEventId();
    this.target = request.url();
    this.decoder = settings.decoder().lastEventId(settings.lastEventId()).build(new SseDecoder.Listener() {
      @Override
      public void onEvent(ServerSentEvent event) {
        try {
          callbacks.event(event);
        } catch (InterruptedException e) {
          throw new Interrupted(e);
        }
      }

      @Override
      public void onComment(SseComment comment) {
        try {
          callbacks.comment(comment);
        } catch (InterruptedException e) {
          throw new Interrupted(e);
        }
      }

      @Override
      public void onRetry(Duration reconnectionTime) {
        serverRetry = reconnectionTime;
      }

      @Override
      public void onMalformedUtf8() {
        if (malformedReported) return; // once per connection: a broken encoder breaks every event
        malformedReported = true;
        String lastId = Connection.this.decoder.lastEventId();
        String after = lastId.isEmpty() ? "" : " (after event id " + lastId + ")";
        report(new SseException(SseException.Reason.PROTOCOL, "the stream from " + target
            + " has bytes that are not UTF-8" + after + "; they were replaced with U+FFFD", null, -1, null, false, null));
      }

      @Override
      public void onLimitExceeded(SseLimitExceededException e) {
        report(new SseException(SseException.Reason.PROTOCOL, e.getMessage(), e, -1, null, false, null));
      }

      private void report(SseException error) {
        try {
          callbacks.error(error);
        } catch (InterruptedException interrupted) {
          throw new Interrupted(interrupted);
        }
      }
    });
  }

  /** Returns the last event id read so far, across connections ("" if none); safe from any thread. */
  String lastEventId() {
    return lastEventId;
  }

  /**
   * Makes one connection and reads it to its end. {@code onCall} receives the call before it is
   * executed, so that it can be cancelled from another thread.
   */
  Outcome run(Consumer<Call> onCall) throws InterruptedException {
    Request attempt;
    try {
      attempt = transformer == null ? request
          : Objects.requireNonNull(transformer.apply(request), "the request transformer returned null");
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable e) { // the user's code: whatever it throws fails this attempt, as its Javadoc says
      return new Outcome(new SseException(SseException.Reason.REQUEST, "the request transformer failed for "
          + request.url() + ": " + e, e, -1, null, false, null), null, null);
    }
    target = attempt.url();
    malformedReported = false;
    Call call = http.newCall(attempt.newBuilder().headers(streamHeaders(attempt)).build());
    onCall.accept(call);
    long openedAt = 0;
    try (Response response = call.execute()) {
      int code = response.code();
      if (code == 204) return new Outcome(null, null, null);
      if (code < 200 || code > 299) {
        boolean retryable = code >= 500 || code == 408 || code == 429;
        Duration retryAfter = RetryAfter.parse(response.header("Retry-After"));
        SseException error = new SseException(SseException.Reason.HTTP_STATUS,
            "HTTP " + code + (response.message().isEmpty() ? "" : " " + response.message()) + " from " + target,
            null, code, null, !retryable, null);
        return new Outcome(error, null, later(serverRetry, retryAfter));
      }
      MediaType type = response.body().contentType();
      if (type == null || !type.type().equalsIgnoreCase("text") || !type.subtype().equalsIgnoreCase("event-stream")) {
        SseException error = new SseException(SseException.Reason.CONTENT_TYPE,
            "expected " + Sse.MEDIA_TYPE + " from " + target + " but got " + (type == null ? "no content type" : type),
            null, code, null, true, null);
        return new Outcome(error, null, null);
      }
      openedAt = System.nanoTime();
      callbacks.open(stripBody(response));
      read(response.body().source());
      return ended(SseException.Reason.STREAM_ENDED, "the server ended the stream", null, openedAt);
    } catch (Interrupted e) {
      throw (InterruptedException) e.getCause();
    } catch (SocketTimeoutException e) {
      if (openedAt != 0) {
        return ended(SseException.Reason.READ_TIMEOUT,
            "no data from " + target + " within the read timeout of " + http.readTimeoutMillis() + " ms", e, openedAt);
      }
      return ended(SseException.Reason.NETWORK, "timed out connecting to " + target + " or waiting for its response: "
          + e.getMessage(), e, openedAt);
    } catch (InterruptedIOException e) {
      if (Thread.currentThread().isInterrupted()) throw new InterruptedException("interrupted while reading");
      return ended(SseException.Reason.NETWORK, "connection to " + target + " interrupted: " + e, e, openedAt);
    } catch (ProtocolException e) {
      if (openedAt == 0 && String.valueOf(e.getMessage()).startsWith(TOO_MANY_FOLLOW_UPS)) {
        // Following more would loop: the same answer comes back however often it is asked.
        return new Outcome(new SseException(SseException.Reason.REDIRECT_LOOP, "gave up on " + target
            + " after too many redirects or authentication challenges (" + e.getMessage() + ")", e, -1, null, true, null),
            null, null);
      }
      return ended(SseException.Reason.NETWORK, "connection to " + target + " failed: " + e, e, openedAt);
    } catch (IOException e) {
      return ended(SseException.Reason.NETWORK, "connection to " + target + " failed: " + e, e, openedAt);
    } finally {
      decoder.endOfStream();
      lastEventId = decoder.lastEventId();
    }
  }

  /**
   * Returns the attempt's headers with what a stream needs: {@code Accept} and
   * {@code Cache-Control} unless the request has its own, and {@code Last-Event-ID}, which only
   * the client sets.
   */
  private Headers streamHeaders(Request attempt) {
    Headers.Builder headers = attempt.headers().newBuilder();
    if (attempt.header("Accept") == null) headers.set("Accept", Sse.MEDIA_TYPE);
    if (attempt.header("Cache-Control") == null) headers.set("Cache-Control", "no-cache");
    headers.removeAll(Sse.LAST_EVENT_ID_HEADER);
    String id = decoder.lastEventId();
    // Ids are any text; browsers send them UTF-8 encoded, where OkHttp would reject non-ASCII.
    if (!id.isEmpty()) headers.addUnsafeNonAscii(Sse.LAST_EVENT_ID_HEADER, id);
    return headers.build();
  }

  private void read(BufferedSource source) throws IOException {
    for (int n; (n = source.read(buffer)) != -1; ) {
      decoder.feed(buffer, 0, n);
      String id = decoder.lastEventId();
      if (id != lastEventId) lastEventId = id; // the same string until an id line changes it: no write per chunk
    }
  }

  private Outcome ended(SseException.Reason reason, String message, Throwable cause, long openedAt) {
    Duration open = openedAt == 0 ? null : Duration.ofNanos(System.nanoTime() - openedAt);
    return new Outcome(new SseException(reason, message, cause, -1, null, false, null), open, serverRetry);
  }

  private static Duration later(Duration a, Duration b) {
    if (a == null) return b;
    if (b == null) return a;
    return a.compareTo(b) >= 0 ? a : b;
  }

  /** The response without its body, which belongs to the reader: what the listener's {@code onOpen} gets. */
  private static Response stripBody(Response response) {
    ResponseBody body = response.body();
    return response.newBuilder().body(new Unreadable(body.contentType(), body.contentLength())).build();
  }

  /** A body with the real one's type and length that refuses to be read. */
  private static final class Unreadable extends ResponseBody {
    private final MediaType type;
    private final long length;

    Unreadable(MediaType type, long length) {
      this.type = type;
      this.length = length;
    }

    @Override
    public MediaType contentType() {
      return type;
    }

    @Override
    public long contentLength() {
      return length;
    }

    @Override
    public BufferedSource source() {
      throw new IllegalStateException("the client reads the stream's body; onOpen gets the response without it");
    }

    @Override
    public void close() {}
  }
}
