package dev.ssekit.server;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What one client receives — the topics it subscribes to — and what the application attached to
 * it (e.g. the user it authenticated), readable later through {@link SseConnection}. Immutable;
 * {@link #with} returns a new subscription.
 *
 * <pre>{@code
 * Subscription.to("user:" + user.id(), "news").with("user", user.id())
 * }</pre>
 */
public final class Subscription {
  private static final Subscription DEFAULT = new Subscription(Set.of(Publication.DEFAULT_TOPIC), Map.of());

  private final Set<String> topics;
  private final Map<String, Object> attributes;

  private Subscription(Set<String> topics, Map<String, Object> attributes) {
    this.topics = topics;
    this.attributes = attributes;
  }

  /**
   * Returns the subscription of a client that names no topics: {@link Publication#DEFAULT_TOPIC}.
   *
   * @return the default subscription
   */
  public static Subscription defaults() {
    return DEFAULT;
  }

  /**
   * Returns a subscription to {@code topics}.
   *
   * @param topics at least one topic; see {@link Publication#checkTopic}
   * @return the subscription, without attributes
   * @throws IllegalArgumentException if there is no topic or one is not valid
   */
  public static Subscription to(String... topics) {
    return to(List.of(topics));
  }

  /**
   * Returns a subscription to {@code topics}.
   *
   * @param topics at least one topic; see {@link Publication#checkTopic}
   * @return the subscription, without attributes
   * @throws IllegalArgumentException if there is no topic or one is not valid
   */
  public static Subscription to(Iterable<String> topics) {
    Set<String> set = new LinkedHashSet<>();
    for (String topic : topics) set.add(Publication.checkTopic(topic));
    if (set.isEmpty()) throw new IllegalArgumentException("a subscription needs at least one topic");
    return new Subscription(Collections.unmodifiableSet(set), Map.of());
  }

  /**
   * Returns this subscription with the attribute {@code name} set to {@code value}.
   *
   * @param name the attribute's name
   * @param value its value, e.g. a user id; not null
   * @return the new subscription
   */
  public Subscription with(String name, Object value) {
    Map<String, Object> more = new LinkedHashMap<>(attributes);
    more.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
    return new Subscription(topics, Collections.unmodifiableMap(more));
  }

  /**
   * Returns the topics, in the order given.
   *
   * @return an unmodifiable set of topics
   */
  public Set<String> topics() {
    return topics;
  }

  /**
   * Returns the attributes, in the order they were set.
   *
   * @return an unmodifiable map
   */
  public Map<String, Object> attributes() {
    return attributes;
  }

  /**
   * Returns the attribute {@code name}.
   *
   * @param name the attribute's name
   * @return its value, if set
   */
  public Optional<Object> attribute(String name) {
    return Optional.ofNullable(attributes.get(name));
  }

  @Override
  public String toString() {
    return "Subscription" + topics + (attributes.isEmpty() ? "" : attributes);
  }
}
