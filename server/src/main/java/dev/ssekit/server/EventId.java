package dev.ssekit.server;

import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The id of an event in one log's history, written {@code <offset>.<tag>} on the wire (e.g.
 * {@code 1042.Xq3k9Z}).
 *
 * <p>The offset counts the log's events, 1, 2, 3, … with no gaps; the tag is chosen at random for
 * each event and stored with it. Offset 0 names the start of a history: its tag is the log's
 * epoch, chosen when the history begins. An id therefore identifies one event of one history: a
 * client may resume after it only if the log still holds the event at that offset <em>and</em>
 * its tag matches. That single rule rejects ids from a restarted in-memory log, another node, a
 * wiped or reset store, a failover that reused offsets, and ids that are too old or from the
 * future. Clients treat ids as opaque strings; only servers read them.
 *
 * <p>Immutable.
 */
public final class EventId {
  /** The length of the tags ssekit chooses: 6 characters of {@code [0-9A-Za-z]}, about 35 bits. */
  public static final int TAG_LENGTH = 6;

  private static final int MAX_TAG_LENGTH = 32;
  private static final char[] ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

  private final long offset;
  private final String tag;

  private EventId(long offset, String tag) {
    this.offset = offset;
    this.tag = tag;
  }

  /**
   * Returns the id of the event at {@code offset} carrying {@code tag}.
   *
   * @param offset the event's position in its log, 0 for the start of the history
   * @param tag 1 to 32 characters of {@code [0-9A-Za-z]}
   * @return the id
   * @throws IllegalArgumentException if the offset is negative or the tag is not of that form
   */
  public static EventId of(long offset, String tag) {
    if (offset < 0) throw new IllegalArgumentException("offset must not be negative: " + offset);
    return new EventId(offset, requireTag(tag));
  }

  /** Returns {@code tag} if it is a valid tag; throws {@link IllegalArgumentException} saying what one is otherwise. */
  static String requireTag(String tag) {
    if (!isTag(Objects.requireNonNull(tag, "tag"))) {
      throw new IllegalArgumentException("a tag is 1 to " + MAX_TAG_LENGTH + " characters of [0-9A-Za-z]: '" + tag + "'");
    }
    return tag;
  }

  /**
   * Reads an id written by {@link #toString()}.
   *
   * @param text what a client sent, e.g. in {@code Last-Event-ID}
   * @return the id, or null if {@code text} is not exactly of the form {@code <offset>.<tag>}
   *     (a canonical decimal offset, no sign or leading zero, then a tag)
   */
  public static EventId parse(String text) {
    if (text == null) return null;
    int dot = text.indexOf('.');
    if (dot < 1 || dot > 19) return null;
    if (text.charAt(0) == '0' && dot > 1) return null;
    long offset = 0;
    for (int i = 0; i < dot; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') return null;
      offset = offset * 10 + (c - '0');
      if (offset < 0) return null; // past Long.MAX_VALUE
    }
    String tag = text.substring(dot + 1);
    return isTag(tag) ? new EventId(offset, tag) : null;
  }

  /**
   * Returns a new random tag of {@link #TAG_LENGTH} characters.
   *
   * @return the tag
   */
  public static String newTag() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] tag = new char[TAG_LENGTH];
    for (int i = 0; i < tag.length; i++) tag[i] = ALPHABET[random.nextInt(ALPHABET.length)];
    return new String(tag);
  }

  /**
   * Returns the event's position in its log.
   *
   * @return the offset, 0 for the start of the history
   */
  public long offset() {
    return offset;
  }

  /**
   * Returns the random tag stored with the event (the log's epoch for offset 0).
   *
   * @return the tag
   */
  public String tag() {
    return tag;
  }

  /** Returns the wire form, {@code <offset>.<tag>}. */
  @Override
  public String toString() {
    return offset + "." + tag;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EventId other && offset == other.offset && tag.equals(other.tag);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(offset) * 31 + tag.hashCode();
  }

  private static boolean isTag(String tag) {
    int n = tag.length();
    if (n < 1 || n > MAX_TAG_LENGTH) return false;
    for (int i = 0; i < n; i++) {
      char c = tag.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
    }
    return true;
  }
}
