package dev.ssekit.server;

/**
 * A snapshot of a hub's counters.
 *
 * @param clients clients connected now
 * @param published events published since the hub was created
 * @param lastEventId id of the newest event this hub published, or 0 if none
 * @param connectionsAccepted clients ever connected
 * @param slowClientsDisconnected clients cut off because their queue was full
 */
public record HubStats(int clients, long published, long lastEventId, long connectionsAccepted, long slowClientsDisconnected) {}
