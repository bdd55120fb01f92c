package dev.ssekit.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RedisUriTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "redis://127.0.0.1:6380/events        | false | 127.0.0.1 | 6380 |       |        | 0 | events",
      "redis://cache.local/orders           | false | cache.local | 6379 |     |        | 0 | orders",
      "rediss://u:p%40ss@h:1/s.1?db=3       | true  | h         | 1    | u     | p@ss   | 3 | s.1",
      "redis://:secret@h:2/a:b              | false | h         | 2    |       | secret | 0 | a:b",
      "redis://secret@h:2/a-b               | false | h         | 2    |       | secret | 0 | a-b",
      "redis://[::1]:7000/v6                | false | ::1       | 7000 |       |        | 0 | v6"})
  void readsEveryForm(String text, boolean tls, String host, int port, String user, String password, int db, String stream) {
    assertEquals(new RedisUri(tls, host, port, user, password, db, stream), RedisUri.parse(text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost:6379/x", "http://h/x", "redis://h", "redis://h/", "redis://h/a/b", "redis://h/x?db=x",
      "redis://h/x?timeout=1", "redis:///x", "redis://h:port/x", "not a uri"})
  void rejectsWhatIsNotALogUriSayingWhatIs(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RedisUri.parse(text));
    assertTrue(e.getMessage().contains(text) || e.getMessage().contains("redis://"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"redis://u:hunter2@h:1/s"})
  void neverShowsThePassword(String text) {
    assertEquals("redis://u:***@h:1/s", RedisUri.parse(text).toString());
  }
}
