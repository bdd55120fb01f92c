package example;

import dev.ssekit.client.SseClient;
import dev.ssekit.client.SseEventStream;
import dev.ssekit.client.SseException;
import dev.ssekit.protocol.Heartbeat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A subscriber without any JSON library: heartbeats have their own wire form. */
public final class Beats {
  private Beats() {}

  /** Returns the next {@code n} heartbeats of the stream at {@code url}, however often it has to reconnect. */
  public static List<Heartbeat> take(String url, int n) throws InterruptedException {
    List<Heartbeat> beats = new ArrayList<>();
    try (SseEventStream<Heartbeat> stream = SseClient.builder().url(url).stream("heartbeat", Heartbeat.class)) {
      while (beats.size() < n) {
        Heartbeat beat = stream.poll(Duration.ofSeconds(10));
        if (beat == null) throw new IllegalStateException("no heartbeat within 10 s from " + url);
        beats.add(beat);
      }
    }
    return beats;
  }

  public static void main(String[] args) {
    String url = args.length > 0 ? args[0] : "http://localhost:8080/sse";
    try (SseEventStream<Heartbeat> beats = SseClient.builder().url(url).stream("heartbeat", Heartbeat.class)) {
      for (Heartbeat beat : beats.iterable()) System.out.println(beat.time());
    } catch (SseException fatal) {
      System.err.println("gave up: " + fatal.reason() + ": " + fatal.getMessage());
      System.exit(1);
    }
  }
}
