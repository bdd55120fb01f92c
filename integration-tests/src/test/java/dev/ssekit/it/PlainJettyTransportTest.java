package dev.ssekit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ssekit.client.SseClient;
import dev.ssekit.protocol.Sse;
import dev.ssekit.server.EventLogException;
import dev.ssekit.server.HubClosedException;
import dev.ssekit.server.HubFullException;
import dev.ssekit.server.SseConnection;
import dev.ssekit.server.SseHub;
import dev.ssekit.server.SseSink;
import dev.ssekit.server.Subscription;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The hub is transport-neutral: this serves it from a plain Jetty 12 core handler, without
 * Javalin or the servlet API, written only against ssekit's public {@link SseSink} and
 * {@link SseConnection}, as an adapter for another server would be.
 */
class PlainJettyTransportTest {
  private final Resources resources = new Resources();

  @AfterEach
  void close() throws Exception {
    resources.close();
  }

  /** An SSE endpoint on Jetty's core API: one async write at a time, the hub told when the next may go. */
  static final class SseHandler extends Handler.Abstract {
    private final SseHub hub;

    SseHandler(SseHub hub) {
      this.hub = hub;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      String topic = Request.extractQueryParameters(request).getValue("topic");
      response.setStatus(200);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, Sse.MEDIA_TYPE + "; charset=utf-8");
      response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
      Sink sink = new Sink(response, callback);
      try {
        SseConnection connection = hub.connect(sink, request.getHeaders().get(Sse.LAST_EVENT_ID_HEADER),
            topic == null ? Subscription.defaults() : Subscription.to(topic));
        sink.connection = connection;
        connection.writePossible();
      } catch (HubClosedException | HubFullException | EventLogException e) {
        Response.writeError(request, response, callback, 503, e.getMessage());
      }
      return true;
    }
  }

  static final class Sink implements SseSink {
    private final Response response;
    private final Callback done;
    private final AtomicBoolean writing = new AtomicBoolean();
    volatile SseConnection connection;

    Sink(Response response, Callback done) {
      this.response = response;
      this.done = done;
    }

    @Override
    public boolean isReady() {
      return !writing.get();
    }

    @Override
    public void write(ByteBuffer frames) {
      send(frames);
    }

    @Override
    public void flush() {
      send(ByteBuffer.allocate(0));
    }

    private void send(ByteBuffer bytes) {
      writing.set(true);
      response.write(false, bytes, Callback.from(() -> {
        writing.set(false);
        connection.writePossible();
      }, failure -> connection.failed()));
    }

    @Override
    public void complete() {
      response.write(true, ByteBuffer.allocate(0), done);
    }

    @Override
    public void abort() {
      done.failed(new IllegalStateException("cut off by the hub"));
    }
  }

  @Test
  void aHubServedFromPlainJettyDeliversEveryEventAndResumesExactly() throws Exception {
    SseHub hub = resources.add(SseHub.create());
    Server jetty = new Server(new InetSocketAddress("127.0.0.1", 0));
    jetty.setHandler(new SseHandler(hub));
    jetty.start();
    resources.add(jetty::stop);
    int port = ((org.eclipse.jetty.server.ServerConnector) jetty.getConnectors()[0]).getLocalPort();

    Received received = new Received();
    SseClient client = resources.add(SseClient.builder().url("http://127.0.0.1:" + port + "/?topic=t")
        .lastEventId(hub.stats().lastEventId().toString()).listener(received).onEvent(received::event).build());
    client.start();
    Await.until("connected", () -> hub.stats().clients() == 1);
    for (int i = 1; i <= 500; i++) {
      hub.publish("t", "n", "e" + i);
      hub.publish("other", "n", "not for it");
    }
    Await.until(() -> "500 events; " + received, () -> received.count() == 500);
    hub.connections().get(0).close(); // ends the response: the client resumes, through the same handler
    for (int i = 501; i <= 600; i++) hub.publish("t", "n", "e" + i);
    Await.until(() -> "600 events; " + received, () -> received.count() == 600);

    assertEquals(LongStream.rangeClosed(1, 600).map(i -> i <= 500 ? 2 * i - 1 : i + 500).boxed().toList(), received.ids());
    assertEquals(List.of(), received.lost());
    assertEquals(2, received.opens());
  }
}
