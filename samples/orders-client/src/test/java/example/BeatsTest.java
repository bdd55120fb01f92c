package example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ssekit.protocol.Heartbeat;
import dev.ssekit.protocol.PayloadException;
import dev.ssekit.protocol.PayloadMapper;
import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.testing.ScriptedSseServer;
import dev.ssekit.testing.SseScript;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The client jar as a user without Jackson gets it: typed heartbeats work, JSON says what to add. */
class BeatsTest {
  @Test
  void noJsonLibraryIsOnTheClasspath() {
    assertThrows(ClassNotFoundException.class, () -> Class.forName("tools.jackson.databind.json.JsonMapper"));
    assertThrows(ClassNotFoundException.class, () -> Class.forName("com.fasterxml.jackson.databind.ObjectMapper"));
  }

  @Test
  void typedHeartbeatsArriveAcrossACutMidEventWithoutJackson() throws Exception {
    try (ScriptedSseServer server = ScriptedSseServer.start()) {
      server.enqueue(
          SseScript.stream().retry(java.time.Duration.ofMillis(10))
              .event(ServerSentEvent.heartbeat(1000).withId("1"))
              .cutAfter(10)
              .event(ServerSentEvent.heartbeat(2000).withId("2")),
          SseScript.stream().event(ServerSentEvent.heartbeat(3000).withId("3")));
      assertEquals(List.of(Heartbeat.ofEpochMilli(1000), Heartbeat.ofEpochMilli(3000)), Beats.take(server.url().toString(), 2));
      assertNull(server.takeRequest().lastEventId());
      assertEquals("1", server.takeRequest().lastEventId(), "resumed after the last whole event");
    }
  }

  @Test
  void mappingJsonWithoutACodecNamesTheDependencyToAdd() {
    record Order(long id) {}
    PayloadException e = assertThrows(PayloadException.class,
        () -> PayloadMapper.defaults().decode(ServerSentEvent.of("order", "{\"id\":1}"), Order.class));
    assertTrue(e.getMessage().contains("tools.jackson.core:jackson-databind"), e.getMessage());
    assertTrue(e.getMessage().contains("PayloadMapper.Builder.json"), e.getMessage());
  }
}
