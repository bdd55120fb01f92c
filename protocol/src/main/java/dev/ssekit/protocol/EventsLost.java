package dev.ssekit.protocol;

/**
 * The signal a server sends when a client asked to resume after an event it no longer retains
 * (or does not know): the events in between are lost, and the stream continues from the oldest
 * retained event.
 *
 * <p>On the wire it is an event of type {@value #TYPE} with JSON data and no id, so it does not
 * move the client's last event id, e.g.
 * {@code {"lastEventId":"17","firstAvailableId":"120"}}. {@link #CODEC} writes and reads that
 * JSON itself, so neither a server nor a client needs a JSON library for it.
 *
 * @param lastEventId the id the client resumed from
 * @param firstAvailableId the id of the first event that follows, or null if the server has none yet
 */
public record EventsLost(String lastEventId, String firstAvailableId) {
  /** The event type of the signal: {@value}. */
  public static final String TYPE = "ssekit-lost";

  /**
   * The codec for the wire form, a JSON object with the two ids (strings or {@code null}); other
   * members are ignored when reading. {@link PayloadMapper} registers it for {@value #TYPE} by default.
   */
  public static final PayloadCodec<EventsLost> CODEC = new EventsLostJson();
}
