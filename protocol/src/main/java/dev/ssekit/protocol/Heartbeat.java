package dev.ssekit.protocol;

import java.time.Instant;
import java.util.Objects;

/**
 * The payload of a {@value ServerSentEvent#HEARTBEAT_TYPE} event: the server's clock when it sent
 * the beat. On the wire its data is the epoch milliseconds in decimal, e.g. {@code 1764123456789}.
 *
 * @param time when the server sent the heartbeat, to the millisecond
 */
public record Heartbeat(Instant time) {
  /** The codec for the wire form; {@link PayloadMapper} registers it for heartbeat events by default. */
  public static final PayloadCodec<Heartbeat> CODEC = new PayloadCodec<>() {
    @Override
    public String encode(Heartbeat heartbeat) {
      return Long.toString(heartbeat.epochMillis());
    }

    @Override
    public Heartbeat decode(String data) {
      if (!data.startsWith("+")) { // parseLong would take a leading '+', which the encoder never writes
        try {
          return ofEpochMilli(Long.parseLong(data));
        } catch (NumberFormatException e) {
          // reported below
        }
      }
      throw new IllegalArgumentException("heartbeat data must be epoch milliseconds in decimal, was: " + data);
    }
  };

  /**
   * Creates a heartbeat, truncating {@code time} to whole milliseconds as the wire form does.
   *
   * @param time when the server sent the beat
   * @throws IllegalArgumentException if {@code time} is outside epoch milliseconds' range (a {@code long})
   */
  public Heartbeat {
    try {
      time = Instant.ofEpochMilli(Objects.requireNonNull(time, "time").toEpochMilli());
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("heartbeat time is beyond the range of epoch milliseconds: " + time, e);
    }
  }

  /**
   * Returns the heartbeat for a time in epoch milliseconds.
   *
   * @param epochMillis the time, in milliseconds since 1970-01-01T00:00Z
   * @return the heartbeat
   */
  public static Heartbeat ofEpochMilli(long epochMillis) {
    return new Heartbeat(Instant.ofEpochMilli(epochMillis));
  }

  /**
   * Returns {@link #time()} in epoch milliseconds, the wire form.
   *
   * @return milliseconds since 1970-01-01T00:00Z
   */
  public long epochMillis() {
    return time.toEpochMilli();
  }
}
