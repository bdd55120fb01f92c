package dev.ssekit.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.SocketEffect;
import okio.BufferedSink;

/**
 * A response body that stays open: the test pushes text into it as it goes, and ends it (or not).
 * Closing a body that was never ended releases MockWebServer's thread at the end of the test.
 */
final class OpenBody implements MockResponseBody, AutoCloseable {
  private static final String END = "\u0000end";
  private final BlockingQueue<String> chunks = new LinkedBlockingQueue<>();

  /** Returns a 200 {@code text/event-stream} response with this body, which ends when the connection closes. */
  MockResponse response() {
    return new MockResponse.Builder()
        .addHeader("Content-Type", "text/event-stream; charset=utf-8")
        .body(this)
        .onResponseEnd(SocketEffect.ShutdownConnection.INSTANCE)
        .build();
  }

  /** Sends {@code text} now. */
  OpenBody send(String text) {
    chunks.add(text);
    return this;
  }

  /** Ends the response cleanly. */
  void end() {
    chunks.add(END);
  }

  @Override
  public void close() {
    end();
  }

  @Override
  public long getContentLength() {
    return -1;
  }

  @Override
  public void writeTo(BufferedSink sink) throws IOException {
    try {
      while (true) {
        String chunk = chunks.poll(30, TimeUnit.SECONDS);
        if (chunk == null || chunk.equals(END)) return;
        sink.write(chunk.getBytes(StandardCharsets.UTF_8));
        sink.flush();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
