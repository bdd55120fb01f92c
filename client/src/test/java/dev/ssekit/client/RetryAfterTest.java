package dev.ssekit.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
  private final Instant now = Instant.parse("2026-11-26T10:00:00Z");

  @Test
  void secondsAndHttpDates() {
    assertEquals(Duration.ofSeconds(120), RetryAfter.parse("120", now));
    assertEquals(Duration.ZERO, RetryAfter.parse(" 0 ", now));
    assertEquals(Duration.ofSeconds(90), RetryAfter.parse("Thu, 26 Nov 2026 10:01:30 GMT", now));
    assertEquals(Duration.ZERO, RetryAfter.parse("Thu, 26 Nov 2026 09:00:00 GMT", now), "a past date means now");
  }

  @Test
  void absentOrUnreadableMeansNone() {
    assertNull(RetryAfter.parse(null, now));
    assertNull(RetryAfter.parse("soon", now));
    assertNull(RetryAfter.parse("-5", now));
    assertNull(RetryAfter.parse("99999999999", now));
  }
}
