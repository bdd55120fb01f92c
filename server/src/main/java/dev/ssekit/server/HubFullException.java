package dev.ssekit.server;

/** Thrown by {@link SseHub#connect} when the hub already serves its most clients; the client may retry later. */
public final class HubFullException extends IllegalStateException {
  /**
   * Creates the exception.
   *
   * @param maxClients the limit that was reached
   */
  public HubFullException(int maxClients) {
    super("the hub already serves its " + maxClients + " clients");
  }
}
