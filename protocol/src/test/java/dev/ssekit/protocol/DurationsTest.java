package dev.ssekit.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void acceptsTheUsualForms() {
    assertEquals(Duration.ofMillis(250), Durations.parse("250ms"));
    assertEquals(Duration.ofSeconds(1), Durations.parse("1s"));
    assertEquals(Duration.ofMinutes(2), Durations.parse(" 2m "));
    assertEquals(Duration.ofHours(1), Durations.parse("1h"));
    assertEquals(Duration.ofMillis(1500), Durations.parse("1500"));
    assertEquals(Duration.ofMillis(1500), Durations.parse("PT1.5S"));
    assertEquals(Duration.ZERO, Durations.parse("0s"));
  }

  @Test
  void rejectsOthersWithAMessage() {
    for (String bad : new String[] {"", "abc", "1 s", "-1s", "1d", "PT-1S", "1.5s"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(bad));
      assertEquals("'" + bad + "' is not a duration (use e.g. 250ms, 1s, 2m, 1h)", e.getMessage());
    }
  }

  @Test
  void rejectsWhatMillisecondsCannotHold() {
    for (String huge : new String[] {"999999999999999999h", "PT9999999999999999H"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(huge));
      assertTrue(e.getMessage().startsWith("'" + huge + "' is "), e.getMessage());
    }
  }

  @Test
  void formatReadsBack() {
    assertEquals("2s", Durations.format(Duration.ofSeconds(2)));
    assertEquals("1500ms", Durations.format(Duration.ofMillis(1500)));
    assertEquals(Duration.ofMillis(1500), Durations.parse(Durations.format(Duration.ofMillis(1500))));
  }
}
