package dev.ssekit.protocol;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The duration syntax of ssekit's command-line flags and environment variables: {@code 250ms},
 * {@code 1s}, {@code 2m}, {@code 1h}, a bare number of milliseconds, or ISO-8601 ({@code PT1S}).
 *
 * <p>Public so that an application that embeds ssekit can read its own settings (a keep-alive
 * interval, a {@code retry:} delay) exactly as the ssekit server and client read theirs, with the
 * same error messages. It lives here because the runnable server and client share only this module.
 */
public final class Durations {
  private static final Pattern SIMPLE = Pattern.compile("(\\d{1,18})(ms|s|m|h)?");

  private Durations() {}

  /**
   * Returns the duration {@code text} names; surrounding white space is ignored.
   *
   * @param text e.g. {@code 250ms}, {@code 1s}, {@code 2m}, {@code 1h}, {@code 1500} (milliseconds) or {@code PT1.5S}
   * @return the duration; never negative, and at most what a {@code long} of milliseconds holds
   * @throws IllegalArgumentException saying what is accepted, if {@code text} is none of these
   */
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

  /**
   * Returns {@code d} the way {@link #parse} reads it back, to the millisecond.
   *
   * @param d the duration
   * @return e.g. {@code 1500ms} or {@code 2s}
   */
  public static String format(Duration d) {
    long millis = d.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
  }
}
