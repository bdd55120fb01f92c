package dev.ssekit.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ServerSentEventTest {

  @Test
  void heartbeatFactoryMatchesTheSeed() {
    ServerSentEvent e = ServerSentEvent.heartbeat(1764123456789L);
    assertEquals("heartbeat", e.type());
    assertEquals("1764123456789", e.data());
    assertNull(e.id());
    assertNull(e.retry());
  }

  @Test
  void lineBreaksAndNulInTypeOrIdAreRejected() {
    for (String bad : new String[] {"a\nb", "a\rb", "a\0b", "\n"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServerSentEvent.of(bad, "d"));
      assertTrue(e.getMessage().startsWith("event type must not contain CR, LF or NUL"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> ServerSentEvent.of("t", "d", bad));
      assertTrue(e.getMessage().startsWith("event id must not contain CR, LF or NUL"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> ServerSentEvent.message("d").withId(bad));
    }
    assertThrows(IllegalArgumentException.class, () -> ServerSentEvent.of("", "d"));
    assertThrows(NullPointerException.class, () -> ServerSentEvent.of(null, "d"));
    assertThrows(NullPointerException.class, () -> ServerSentEvent.of("t", null));
  }

  @Test
  void negativeRetryIsRejectedAndRetryIsWholeMillis() {
    assertThrows(IllegalArgumentException.class, () -> ServerSentEvent.message("d").withRetry(Duration.ofMillis(-1)));
    assertEquals(Duration.ofMillis(1), ServerSentEvent.message("d").withRetry(Duration.ofNanos(1_999_999)).retry());
    assertEquals(Duration.ofMillis(Long.MAX_VALUE), ServerSentEvent.message("d").withRetry(Duration.ofSeconds(Long.MAX_VALUE)).retry());
  }

  @Test
  void dataMayContainAnything() {
    assertEquals("a\r\n\0b", ServerSentEvent.message("a\r\n\0b").data());
  }

  @Test
  void valueSemantics() {
    ServerSentEvent a = ServerSentEvent.of("t", "d", "1").withRetry(Duration.ofSeconds(1));
    ServerSentEvent b = ServerSentEvent.of("t", "d", "1").withRetry(Duration.ofMillis(1000));
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertNotEquals(a, a.withId("2"));
    assertEquals("ServerSentEvent{type=t, id=1, retry=1000ms, data=d}", a.toString());
  }
}
