package dev.ssekit.benchmarks.codec;

import java.io.ByteArrayInputStream;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;
import okio.Okio;

/**
 * okhttp-sse through its public entry point for a response already in hand,
 * {@link EventSources#processResponse}, over a body that reads the bytes from an input stream
 * through okio, as a network body does.
 */
public final class OkHttpSseDecoder implements StreamDecoder {
  private static final MediaType EVENT_STREAM = MediaType.get("text/event-stream");
  private static final Request REQUEST = new Request.Builder().url("http://127.0.0.1/sse").build();

  @Override
  public int decode(byte[] stream, EventSink sink) {
    ResponseBody body = ResponseBody.create(Okio.buffer(Okio.source(new ByteArrayInputStream(stream))), EVENT_STREAM, stream.length);
    Response response = new Response.Builder()
        .request(REQUEST)
        .protocol(Protocol.HTTP_1_1)
        .code(200)
        .message("OK")
        .body(body)
        .build();
    Counter counter = new Counter(sink);
    EventSources.processResponse(response, counter);
    if (counter.failure != null) throw new IllegalStateException("okhttp-sse failed", counter.failure);
    return counter.events;
  }

  /** Forwards events to the sink and counts them. */
  private static final class Counter extends EventSourceListener {
    private final EventSink sink;
    private int events;
    private Throwable failure;

    Counter(EventSink sink) {
      this.sink = sink;
    }

    @Override
    public void onEvent(EventSource eventSource, String id, String type, String data) {
      events++;
      sink.event(type, data, id);
    }

    @Override
    public void onFailure(EventSource eventSource, Throwable t, Response response) {
      failure = t != null ? t : new IllegalStateException("failed with " + response);
    }
  }
}
