package dev.ssekit.benchmarks.codec;

import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.protocol.SseEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A list of events and the one byte stream every decoder under test parses: standard framing
 * ({@code id: }, {@code event: }, {@code data: } lines, LF line ends, a blank line after each event).
 *
 * @param events the events, in stream order
 * @param stream their encoded frames, concatenated
 * @param dataUtf8 each event's data as UTF-8, for the strings-only reference
 * @param idUtf8 each event's id as UTF-8, for the strings-only reference
 */
public record Corpus(List<ServerSentEvent> events, byte[] stream, byte[][] dataUtf8, byte[][] idUtf8) {
  /** Encodes {@code events} into one stream. */
  public static Corpus of(List<ServerSentEvent> events) {
    SseEncoder encoder = new SseEncoder();
    byte[][] data = new byte[events.size()][];
    byte[][] ids = new byte[events.size()][];
    for (int i = 0; i < events.size(); i++) {
      ServerSentEvent event = events.get(i);
      encoder.event(event);
      data[i] = event.data().getBytes(StandardCharsets.UTF_8);
      ids[i] = event.id().getBytes(StandardCharsets.UTF_8);
    }
    return new Corpus(List.copyOf(events), encoder.toByteArray(), data, ids);
  }

  /** Returns the number of events in the stream. */
  public int eventCount() {
    return events.size();
  }
}
