package dev.ssekit.server;

/** Thrown by {@link SseHub#publish} once the hub is closed; nothing was published. */
public final class HubClosedException extends IllegalStateException {
  /** Creates the exception. */
  public HubClosedException() {
    super("the hub is closed");
  }
}
