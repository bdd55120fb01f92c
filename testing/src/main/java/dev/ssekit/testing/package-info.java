/**
 * Contract testing for SSE producers and consumers: {@link dev.ssekit.testing.SseHubExtension} serves
 * a real hub for a test, {@link dev.ssekit.testing.ScriptedSseServer} answers a consumer exactly as a
 * script says, and {@link dev.ssekit.testing.FaultProxy} breaks the connection between any client
 * and any server.
 */
package dev.ssekit.testing;
