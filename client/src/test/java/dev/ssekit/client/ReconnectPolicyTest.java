package dev.ssekit.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ReconnectPolicyTest {
  private final ReconnectPolicy policy = ReconnectPolicy.DEFAULT.withJitter(0);

  private static long ms(Duration d) {
    return d.toMillis();
  }

  @Test
  void doublesFromTheInitialDelayUpToTheCap() {
    List<Long> waits = IntStream.rangeClosed(1, 8).mapToObj(a -> ms(policy.delay(a, null, 0))).toList();
    assertEquals(List.of(1000L, 2000L, 4000L, 8000L, 16000L, 30000L, 30000L, 30000L), waits);
    assertEquals(30000L, ms(policy.delay(Integer.MAX_VALUE, null, 0)), "no overflow at absurd attempt counts");
  }

  @Test
  void serverRetryIsAFloorEvenAboveTheCap() {
    assertEquals(5000L, ms(policy.delay(1, Duration.ofSeconds(5), 0)));
    assertEquals(8000L, ms(policy.delay(4, Duration.ofSeconds(5), 0)), "backoff above the floor wins");
    assertEquals(120_000L, ms(policy.delay(9, Duration.ofMinutes(2), 0)), "a server may ask for more than the cap");
    assertEquals(Long.MAX_VALUE, ms(policy.delay(1, Duration.ofMillis(Long.MAX_VALUE), 0.99)), "saturates");
  }

  @Test
  void jitterOnlyAdds() {
    ReconnectPolicy jittery = ReconnectPolicy.DEFAULT.withJitter(0.5);
    for (double r : new double[] {0, 0.25, 0.5, 0.999}) {
      long wait = ms(jittery.delay(2, Duration.ofSeconds(3), r));
      assertTrue(wait >= 3000 && wait <= 4500, "3 s floor plus up to 50%: " + wait);
    }
    assertEquals(3000L, ms(jittery.delay(2, Duration.ofSeconds(3), 0)));
    assertEquals(3500L, ms(jittery.delay(2, Duration.ofSeconds(3), 1.0 / 3)));
  }

  @Test
  void zeroInitialDelayReconnectsAtOnceUnlessTheServerSaysOtherwise() {
    ReconnectPolicy immediate = policy.withDelays(Duration.ZERO, Duration.ofSeconds(1));
    assertEquals(0L, ms(immediate.delay(5, null, 0.7)));
    assertEquals(250L, ms(immediate.delay(5, Duration.ofMillis(250), 0)));
  }

  @Test
  void withersReturnANewPolicyAndLeaveTheOriginalAlone() {
    ReconnectPolicy changed = ReconnectPolicy.DEFAULT.withDelays(Duration.ofMillis(5), Duration.ofMillis(50))
        .withJitter(0.25).withMaxAttempts(3).withResetAfter(Duration.ofSeconds(2));
    assertEquals(Duration.ofMillis(5), changed.initialDelay());
    assertEquals(Duration.ofMillis(50), changed.maxDelay());
    assertEquals(0.25, changed.jitter());
    assertEquals(3, changed.maxAttempts());
    assertEquals(Duration.ofSeconds(2), changed.resetAfter());
    assertEquals(Duration.ofSeconds(1), ReconnectPolicy.DEFAULT.initialDelay());
    assertEquals(Integer.MAX_VALUE, ReconnectPolicy.DEFAULT.maxAttempts());
    assertEquals(0.5, ReconnectPolicy.DEFAULT.jitter());
    assertEquals(ReconnectPolicy.DEFAULT.withMaxAttempts(0), ReconnectPolicy.NEVER, "equal by value");
    assertEquals(ReconnectPolicy.DEFAULT.withMaxAttempts(0).hashCode(), ReconnectPolicy.NEVER.hashCode());
    assertTrue(!changed.equals(ReconnectPolicy.DEFAULT));
  }

  @Test
  void rejectsNonsense() {
    assertThrows(IllegalArgumentException.class, () -> policy.withJitter(1.5));
    assertThrows(IllegalArgumentException.class, () -> policy.withJitter(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> policy.withDelays(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class, () -> policy.withMaxAttempts(-1));
    assertEquals(0, ReconnectPolicy.NEVER.maxAttempts());
  }
}
