package dev.ssekit.protocol;

import java.util.Objects;

/**
 * A comment line of an event stream ({@code : text}): ignored by browsers, used for keep-alives.
 *
 * @param text the comment text; line breaks in it become several comment lines when encoded
 */
public record SseComment(String text) {
  /** The empty comment a server sends to keep an idle connection open. */
  public static final SseComment KEEP_ALIVE = new SseComment("");

  /**
   * Creates a comment.
   *
   * @param text the comment's text, without the leading colon; may contain line breaks (each line
   *     becomes a comment line)
   */
  public SseComment {
    Objects.requireNonNull(text, "text");
  }
}
