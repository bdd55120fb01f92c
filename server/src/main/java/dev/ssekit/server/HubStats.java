package dev.ssekit.server;

/**
 * A snapshot of a hub's counters, as {@link SseHub#stats()} returns it. Immutable.
 */
public final class HubStats {
  private final int clients;
  private final long published;
  private final long delivered;
  private final EventId lastEventId;
  private final long connectionsAccepted;
  private final long slowClientsDisconnected;
  private final long lostSignals;
  private final long resets;
  private final long replays;

  HubStats(int clients, long published, long delivered, EventId lastEventId, long connectionsAccepted,
      long slowClientsDisconnected, long lostSignals, long resets, long replays) {
    this.clients = clients;
    this.published = published;
    this.delivered = delivered;
    this.lastEventId = lastEventId;
    this.connectionsAccepted = connectionsAccepted;
    this.slowClientsDisconnected = slowClientsDisconnected;
    this.lostSignals = lostSignals;
    this.resets = resets;
    this.replays = replays;
  }

  /**
   * Returns the clients connected now, live or still catching up.
   *
   * @return the number of clients
   */
  public int clients() {
    return clients;
  }

  /**
   * Returns the events published through this hub since it was created.
   *
   * @return the number of events
   */
  public long published() {
    return published;
  }

  /**
   * Returns the events the log's tail delivered to this hub (published by any hub on the log).
   *
   * @return the number of events
   */
  public long delivered() {
    return delivered;
  }

  /**
   * Returns the id of the newest event this hub delivered, {@code 0.<epoch>} before the first.
   *
   * @return the id
   */
  public EventId lastEventId() {
    return lastEventId;
  }

  /**
   * Returns the clients ever connected.
   *
   * @return the number of connections accepted
   */
  public long connectionsAccepted() {
    return connectionsAccepted;
  }

  /**
   * Returns the clients cut off because their queue was full.
   *
   * @return the number of slow clients disconnected
   */
  public long slowClientsDisconnected() {
    return slowClientsDisconnected;
  }

  /**
   * Returns how many {@code ssekit-lost} signals were sent: to clients that resumed from an id
   * the log no longer holds, or whose replay met a gap.
   *
   * @return the number of loss signals
   */
  public long lostSignals() {
    return lostSignals;
  }

  /**
   * Returns how often the hub lost continuity with its log (a wiped, replaced or over-trimmed
   * store) and ended every stream so that clients resume by their own ids.
   *
   * @return the number of resets
   */
  public long resets() {
    return resets;
  }

  /**
   * Returns how many clients resumed with an id that needed a replay from the log (catch-up).
   *
   * @return the number of replays served
   */
  public long replays() {
    return replays;
  }

  @Override
  public String toString() {
    return "HubStats{clients=" + clients + ", published=" + published + ", delivered=" + delivered + ", lastEventId="
        + lastEventId + ", connectionsAccepted=" + connectionsAccepted + ", slowClientsDisconnected="
        + slowClientsDisconnected + ", lostSignals=" + lostSignals + ", resets=" + resets + ", replays=" + replays + "}";
  }
}
