package dev.ssekit.client;

import dev.ssekit.client.internal.RetryAfter;
import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.protocol.Sse;
import dev.ssekit.protocol.SseDecoder;
import dev.ssekit.protocol.SseLimitExceededException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.function.Consumer;
import okhttp3.Call;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okio.BufferedSource;

/**
 * One connection attempt after another to the same stream, on the reader thread: request with
 * {@code Last-Event-ID}, check the response, decode the body until it ends, and say how it ended.
 * The decoder lives as long as this object, so the last event id and the server's {@code retry:}
 * carry over from one connection to the next, as the spec requires.
 */
final class Connection {
  /** Where decoded things go; each call may wait for room in the callback buffer. */
  interface Callbacks {
    void open(Response response) throws InterruptedException;

    void event(ServerSentEvent event) throws InterruptedException;

    void error(SseException error) throws InterruptedException;
  }

  /**
   * How a connection ended.
   *
   * @param error what ended it, or null when the server said to stop (204)
   * @param healthyFor how long the stream was open, zero if it never opened
   * @param floor the least wait before the next attempt the server asked for ({@code retry:}, {@code Retry-After}), or null
   */
  record Outcome(SseException error, Duration healthyFor, Duration floor) {
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

  private final OkHttpClient http;
  private final HttpUrl url;
  private final Headers headers;
  private final Callbacks callbacks;
  private final SseDecoder decoder;
  private final byte[] buffer = new byte[READ_CHUNK];
  private Duration serverRetry;
  private boolean malformedReported;

  Connection(OkHttpClient http, HttpUrl url, Headers headers, SseDecoder.Builder decoder, String lastEventId,
      Callbacks callbacks) {
    this.http = http;
    this.url = url;
    this.headers = headers;
    this.callbacks = callbacks;
    this.decoder = decoder.lastEventId(lastEventId).build(new SseDecoder.Listener() {
      @Override
      public void onEvent(ServerSentEvent event) {
        try {
          callbacks.event(event);
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
        try {
          callbacks.error(new SseException(SseException.Reason.PROTOCOL, "the stream from " + url
              + " has bytes that are not UTF-8" + after + "; they were replaced with U+FFFD", null, -1, null, false, null));
        } catch (InterruptedException interrupted) {
          throw new Interrupted(interrupted);
        }
      }

      @Override
      public void onLimitExceeded(SseLimitExceededException e) {
        try {
          callbacks.error(new SseException(SseException.Reason.PROTOCOL, e.getMessage(), e, -1, null, false, null));
        } catch (InterruptedException interrupted) {
          throw new Interrupted(interrupted);
        }
      }
    });
  }

  /** Returns the last event id read so far, across connections ("" if none). */
  String lastEventId() {
    return decoder.lastEventId();
  }

  /**
   * Makes one connection and reads it to its end. {@code onCall} receives the call first, so that
   * it can be cancelled; {@code onProgress} hears the last event id as it moves.
   */
  Outcome run(Consumer<Call> onCall, Consumer<String> onProgress) throws InterruptedException {
    Headers.Builder requestHeaders = headers.newBuilder()
        .set("Accept", Sse.MEDIA_TYPE)
        .set("Cache-Control", "no-cache");
    String lastEventId = decoder.lastEventId();
    if (!lastEventId.isEmpty()) {
      // Ids are any text; browsers send them UTF-8 encoded, where OkHttp would reject non-ASCII.
      requestHeaders.addUnsafeNonAscii(Sse.LAST_EVENT_ID_HEADER, lastEventId);
    }
    malformedReported = false;
    Call call = http.newCall(new Request.Builder().url(url).headers(requestHeaders.build()).build());
    onCall.accept(call);
    long openedAt = 0;
    try (Response response = call.execute()) {
      int code = response.code();
      if (code == 204) return new Outcome(null, Duration.ZERO, null);
      if (code < 200 || code > 299) {
        boolean retryable = code >= 500 || code == 408 || code == 429;
        Duration retryAfter = RetryAfter.parse(response.header("Retry-After"));
        SseException error = new SseException(SseException.Reason.HTTP_STATUS,
            "HTTP " + code + (response.message().isEmpty() ? "" : " " + response.message()) + " from " + url,
            null, code, null, !retryable, null);
        return new Outcome(error, Duration.ZERO, later(serverRetry, retryAfter));
      }
      MediaType type = response.body().contentType();
      if (type == null || !type.type().equalsIgnoreCase("text") || !type.subtype().equalsIgnoreCase("event-stream")) {
        SseException error = new SseException(SseException.Reason.CONTENT_TYPE,
            "expected " + Sse.MEDIA_TYPE + " from " + url + " but got " + (type == null ? "no content type" : type),
            null, code, null, true, null);
        return new Outcome(error, Duration.ZERO, null);
      }
      openedAt = System.nanoTime();
      callbacks.open(response);
      read(response.body().source(), onProgress);
      return ended(SseException.Reason.STREAM_ENDED, "the server ended the stream", null, openedAt);
    } catch (Interrupted e) {
      throw (InterruptedException) e.getCause();
    } catch (SocketTimeoutException e) {
      if (openedAt != 0) {
        return ended(SseException.Reason.READ_TIMEOUT,
            "no data from " + url + " within the read timeout of " + http.readTimeoutMillis() + " ms", e, openedAt);
      }
      return ended(SseException.Reason.NETWORK, "timed out connecting to " + url + " or waiting for its response: "
          + e.getMessage(), e, openedAt);
    } catch (InterruptedIOException e) {
      if (Thread.currentThread().isInterrupted()) throw new InterruptedException("interrupted while reading");
      return ended(SseException.Reason.NETWORK, "connection to " + url + " interrupted: " + e, e, openedAt);
    } catch (IOException e) {
      return ended(SseException.Reason.NETWORK, "connection to " + url + " failed: " + e, e, openedAt);
    } finally {
      decoder.endOfStream();
      onProgress.accept(decoder.lastEventId());
    }
  }

  private void read(BufferedSource source, Consumer<String> onProgress) throws IOException {
    for (int n; (n = source.read(buffer)) != -1; ) {
      decoder.feed(buffer, 0, n);
      onProgress.accept(decoder.lastEventId());
    }
  }

  private Outcome ended(SseException.Reason reason, String message, Throwable cause, long openedAt) {
    Duration open = openedAt == 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - openedAt);
    return new Outcome(new SseException(reason, message, cause, -1, null, false, null), open, serverRetry);
  }

  private static Duration later(Duration a, Duration b) {
    if (a == null) return b;
    if (b == null) return a;
    return a.compareTo(b) >= 0 ? a : b;
  }
}
