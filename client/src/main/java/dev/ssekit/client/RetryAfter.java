package dev.ssekit.client;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Reads an HTTP {@code Retry-After} header: delay-seconds or an HTTP-date. */
final class RetryAfter {
  private RetryAfter() {}

  /**
   * Returns the wait a header value asks for, as seen now.
   *
   * @param value the header's value, or null
   * @return the wait, or null if the value is absent or unreadable
   */
  static Duration parse(String value) {
    return parse(value, Instant.now());
  }

  /**
   * Returns the wait a header value asks for, as seen at {@code now}.
   *
   * @param value the header's value, or null
   * @param now the time to count an HTTP-date from
   * @return the wait (zero for a date past), or null if the value is absent or unreadable
   */
  static Duration parse(String value, Instant now) {
    if (value == null) return null;
    String v = value.trim();
    if (v.matches("\\d{1,10}")) return Duration.ofSeconds(Long.parseLong(v));
    try {
      Duration until = Duration.between(now, ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
      return until.isNegative() ? Duration.ZERO : until;
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
