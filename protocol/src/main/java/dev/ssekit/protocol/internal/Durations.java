package dev.ssekit.protocol.internal;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the durations operators type in flags and environment variables: {@code 250ms},
 * {@code 1s}, {@code 2m}, {@code 1h}, a bare number of milliseconds, or ISO-8601 ({@code PT1S}).
 * Internal to ssekit's command-line tools; not a public API.
 */
public final class Durations {
  private static final Pattern SIMPLE = Pattern.compile("(\\d{1,18})(ms|s|m|h)?");

  private Durations() {}

  /** Returns the duration {@code text} names; throws {@link IllegalArgumentException} saying what is accepted. */
  public static Duration parse(String text) {
    String t = text.trim();
    Matcher m = SIMPLE.matcher(t);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "ms" : m.group(2);
      try {
        Duration d = switch (unit) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          default -> Duration.ofHours(n);
        };
        d.toMillis(); // what every caller needs; fails for what a long of milliseconds cannot hold
        return d;
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException("'" + text + "' is too long a duration");
      }
    }
    try {
      Duration d = Duration.parse(t);
      d.toMillis();
      if (!d.isNegative()) return d;
    } catch (DateTimeParseException | ArithmeticException ignored) {
      // fall through to the message below
    }
    throw new IllegalArgumentException("'" + text + "' is not a duration (use e.g. 250ms, 1s, 2m, 1h)");
  }

  /** Returns {@code d} the way {@link #parse} reads it back, e.g. {@code 1500ms} or {@code 2s}. */
  public static String format(Duration d) {
    long millis = d.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
  }
}
