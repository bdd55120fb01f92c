package dev.ssekit.server;

import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.protocol.SseEncoder;

/**
 * An event as a log holds it: its id, the tag of the event before it, its topic, and its frame —
 * the exact bytes every client receives, {@code id:} line included.
 *
 * <p>The previous tag chains each event to the one before (the first event of a history points
 * at the log's epoch), so a reader that knows the last event it saw can tell whether the next one
 * belongs to the same history. Build one with {@link #of} from an event, or with
 * {@link #ofEncoded} from bytes a store kept; the encoder writes the framing either way.
 *
 * <p>Immutable; the frame array is shared by every reader and must not be modified.
 */
public final class LoggedEvent {
  private final EventId id;
  private final String previousTag;
  private final String topic;
  private final byte[] frame;

  private LoggedEvent(EventId id, String previousTag, String topic, byte[] frame) {
    if (id.offset() < 1) throw new IllegalArgumentException("a logged event's offset starts at 1: " + id);
    this.id = id;
    this.previousTag = EventId.requireTag(previousTag);
    this.topic = Publication.checkTopic(topic);
    this.frame = frame;
  }

  /**
   * Returns {@code event} logged as {@code id}, encoded once, with {@code id} replacing any id
   * the event had.
   *
   * @param id the id the log gave the event
   * @param previousTag the tag of the event at {@code id.offset() - 1}, or the epoch for offset 1
   * @param topic the topic it was published to
   * @param event the event as published
   * @return the logged event
   */
  public static LoggedEvent of(EventId id, String previousTag, String topic, ServerSentEvent event) {
    return new LoggedEvent(id, previousTag, topic, SseEncoder.encode(event.withId(id.toString())));
  }

  /**
   * Returns a logged event from the frame {@link #encodeWithoutId} made of it, as a store that
   * keeps bytes reads it back: the id is added by the encoder.
   *
   * @param id the id the log gave the event
   * @param previousTag the tag of the event at {@code id.offset() - 1}, or the epoch for offset 1
   * @param topic the topic it was published to
   * @param frameWithoutId the bytes {@link #encodeWithoutId} returned
   * @return the logged event
   */
  public static LoggedEvent ofEncoded(EventId id, String previousTag, String topic, byte[] frameWithoutId) {
    byte[] frame = new SseEncoder(frameWithoutId.length + 32).event(id.toString(), frameWithoutId).toByteArray();
    return new LoggedEvent(id, previousTag, topic, frame);
  }

  /**
   * Returns the frame of {@code event} without any id, for a store to keep until it knows the id.
   *
   * @param event the event as published
   * @return its encoded frame, without an {@code id:} line
   */
  public static byte[] encodeWithoutId(ServerSentEvent event) {
    return SseEncoder.encode(event.withId(null));
  }

  /**
   * Returns the event's id.
   *
   * @return the id
   */
  public EventId id() {
    return id;
  }

  /**
   * Returns the offset of the event, {@code id().offset()}.
   *
   * @return the offset
   */
  public long offset() {
    return id.offset();
  }

  /**
   * Returns the tag of the event before this one in its history (the epoch for the first event).
   *
   * @return the previous tag
   */
  public String previousTag() {
    return previousTag;
  }

  /**
   * Returns the topic the event was published to.
   *
   * @return the topic
   */
  public String topic() {
    return topic;
  }

  /**
   * Returns whether this event directly follows {@code previous} in one history: the next offset,
   * chained to that event's tag.
   *
   * @param previous the event (or start of history) a reader saw last
   * @return whether nothing lies between them
   */
  public boolean follows(EventId previous) {
    return id.offset() == previous.offset() + 1 && previousTag.equals(previous.tag());
  }

  /**
   * Returns the encoded frame, shared by every client; do not modify it.
   *
   * @return the frame bytes
   */
  public byte[] frame() {
    return frame;
  }

  @Override
  public String toString() {
    return "LoggedEvent{" + id + " after ." + previousTag + " on " + topic + ", " + frame.length + " bytes}";
  }
}
