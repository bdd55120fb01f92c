package dev.ssekit.benchmarks.codec;

import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.protocol.SseDecoder;
import java.io.ByteArrayInputStream;
import java.io.InputStream;

/** ssekit's {@link SseDecoder}, fed as the ssekit client feeds it: one reused read buffer per connection. */
public final class SsekitDecoder implements StreamDecoder {
  private final byte[] readBuffer = new byte[READ_SIZE];

  @Override
  public int decode(byte[] stream, EventSink sink) throws Exception {
    Counter counter = new Counter(sink);
    SseDecoder decoder = new SseDecoder(counter);
    try (InputStream in = new ByteArrayInputStream(stream)) {
      int n;
      while ((n = in.read(readBuffer)) > 0) decoder.feed(readBuffer, 0, n);
    }
    decoder.endOfStream();
    return counter.events;
  }

  /** Forwards events to the sink and counts them. */
  private static final class Counter implements SseDecoder.Listener {
    private final EventSink sink;
    private int events;

    Counter(EventSink sink) {
      this.sink = sink;
    }

    @Override
    public void onEvent(ServerSentEvent event) {
      events++;
      sink.event(event.type(), event.data(), event.id());
    }
  }
}
