package dev.ssekit.benchmarks.codec;

import com.launchdarkly.eventsource.ConnectStrategy;
import com.launchdarkly.eventsource.ErrorStrategy;
import com.launchdarkly.eventsource.EventSource;
import com.launchdarkly.eventsource.MessageEvent;
import com.launchdarkly.eventsource.StreamClosedByServerException;
import com.launchdarkly.logging.LDLogger;
import java.io.ByteArrayInputStream;
import java.net.URI;

/**
 * LaunchDarkly's okhttp-eventsource 4.x. Its parser ({@code EventParser}) is package-private; the
 * public way to give it a byte stream is a {@link ConnectStrategy} whose client returns an input
 * stream, read with {@link EventSource#readMessage()} until the stream ends. Its read buffer is set
 * to {@link #READ_SIZE} like the others (its default is 1000 bytes).
 */
public final class LaunchDarklyDecoder implements StreamDecoder {
  private static final URI ORIGIN = URI.create("http://127.0.0.1/sse");

  @Override
  public int decode(byte[] stream, EventSink sink) throws Exception {
    int events = 0;
    try (EventSource source = new EventSource.Builder(new InMemory(stream))
        .errorStrategy(ErrorStrategy.alwaysThrow())
        .readBufferSize(READ_SIZE)
        .logger(LDLogger.none())
        .build()) {
      while (true) {
        MessageEvent event;
        try {
          event = source.readMessage();
        } catch (StreamClosedByServerException end) {
          return events;
        }
        events++;
        sink.event(event.getEventName(), event.getData(), event.getLastEventId());
      }
    }
  }

  /** Connects once, to the bytes; a second connection (a retry) is an error. */
  private static final class InMemory extends ConnectStrategy {
    private final byte[] stream;

    InMemory(byte[] stream) {
      this.stream = stream;
    }

    @Override
    public Client createClient(LDLogger logger) {
      return new Client() {
        private boolean connected;

        @Override
        public Result connect(String lastEventId) {
          if (connected) throw new IllegalStateException("the in-memory stream was already read");
          connected = true;
          return new Result(new ByteArrayInputStream(stream), ORIGIN, () -> {});
        }

        @Override
        public boolean awaitClosed(long timeoutMillis) {
          return true;
        }

        @Override
        public URI getOrigin() {
          return ORIGIN;
        }

        @Override
        public void close() {}
      };
    }
  }
}
