package dev.ssekit.server;

import dev.ssekit.protocol.ServerSentEvent;
import java.util.Objects;

/**
 * What to publish: an event, the topic it goes to, and optionally an idempotency key. Immutable;
 * each {@code with…} method returns a new publication.
 *
 * <pre>{@code
 * hub.publish(Publication.of(ServerSentEvent.of("order", json)).toTopic("user:42").withIdempotencyKey(requestId));
 * }</pre>
 */
public final class Publication {
  /** The topic of events published without one, and the subscription of clients that name none: {@value}. */
  public static final String DEFAULT_TOPIC = "default";

  private static final int MAX_TOPIC_LENGTH = 256;

  private final ServerSentEvent event;
  private final String topic;
  private final String idempotencyKey;

  private Publication(ServerSentEvent event, String topic, String idempotencyKey) {
    this.event = event;
    this.topic = topic;
    this.idempotencyKey = idempotencyKey;
  }

  /**
   * Returns a publication of {@code event} to {@link #DEFAULT_TOPIC}, without an idempotency key.
   *
   * @param event the event; its own id, if any, is replaced by the one the log gives it
   * @return the publication
   */
  public static Publication of(ServerSentEvent event) {
    return new Publication(Objects.requireNonNull(event, "event"), DEFAULT_TOPIC, null);
  }

  /**
   * Returns this publication going to {@code topic}.
   *
   * @param topic 1 to 256 characters, without CR, LF or NUL
   * @return the new publication
   * @throws IllegalArgumentException if the topic is not of that form
   */
  public Publication toTopic(String topic) {
    return new Publication(event, checkTopic(topic), idempotencyKey);
  }

  /**
   * Returns this publication with {@code key}: it reaches the log at most once per key, within a
   * window of at least a minute, from any hub sharing the log; a second publish with the key
   * appends nothing and returns the first one's id.
   *
   * @param key the key, or null for none
   * @return the new publication
   */
  public Publication withIdempotencyKey(String key) {
    return new Publication(event, topic, key);
  }

  /**
   * Returns the event.
   *
   * @return the event
   */
  public ServerSentEvent event() {
    return event;
  }

  /**
   * Returns the topic the event goes to.
   *
   * @return the topic
   */
  public String topic() {
    return topic;
  }

  /**
   * Returns the idempotency key.
   *
   * @return the key, or null for none
   */
  public String idempotencyKey() {
    return idempotencyKey;
  }

  /**
   * Returns {@code topic} if it is one; throws {@link IllegalArgumentException} saying why otherwise.
   *
   * @param topic a topic name
   * @return the topic
   */
  public static String checkTopic(String topic) {
    Objects.requireNonNull(topic, "topic");
    if (topic.isEmpty() || topic.length() > MAX_TOPIC_LENGTH) {
      throw new IllegalArgumentException("a topic is 1 to " + MAX_TOPIC_LENGTH + " characters, was " + topic.length());
    }
    for (int i = 0; i < topic.length(); i++) {
      char c = topic.charAt(i);
      if (c == '\r' || c == '\n' || c == '\0') throw new IllegalArgumentException("a topic must not contain CR, LF or NUL");
    }
    return topic;
  }

  @Override
  public String toString() {
    return "Publication{topic=" + topic + (idempotencyKey == null ? "" : ", key=" + idempotencyKey) + ", " + event + "}";
  }
}
