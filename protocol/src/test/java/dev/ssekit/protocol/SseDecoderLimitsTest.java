package dev.ssekit.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Oversized input gives the documented exception and never grows the decoder past its limits. */
class SseDecoderLimitsTest {

  @Test
  void lineThatNeverEndsFailsFeedByDefaultWithBoundedMemory() throws Exception {
    SseDecoder d = SseDecoder.builder().maxLineLength(1024).build(e -> {});
    byte[] chunk = new byte[100];
    Arrays.fill(chunk, (byte) 'x');
    SseLimitExceededException thrown = null;
    int fed = 0;
    while (thrown == null && fed < 10_000) {
      try {
        d.feed(chunk, 0, chunk.length);
        fed += chunk.length;
      } catch (SseLimitExceededException e) {
        thrown = e;
      }
    }
    assertEquals(SseLimitExceededException.Limit.LINE, thrown.limit());
    assertEquals(1024, thrown.maxBytes());
    assertTrue(fed <= 1024, "thrown as soon as the line passed the limit, after " + fed + " bytes");
    assertTrue(bufferLength(d, "line") <= 1024);
    assertTrue(thrown.getMessage().contains("longer than 1024 bytes"), thrown.getMessage());
  }

  @Test
  void listenerThatReturnsSkipsTheLineAndTheEventAndCarriesOn() throws Exception {
    Recorder r = new Recorder();
    SseDecoder d = SseDecoder.builder().maxLineLength(16).build(r);
    byte[] huge = new byte[100_000];
    Arrays.fill(huge, (byte) 'y');
    feed(d, "id: 1\ndata: ok\n\nid: 2\ndata: ");
    for (int i = 0; i < 50; i++) d.feed(huge, 0, huge.length); // 5 MB of one line
    feed(d, "\ndata: more\n\nid: 3\ndata: next\n\n");
    assertEquals(List.of(ServerSentEvent.of("message", "ok", "1"), ServerSentEvent.of("message", "next", "3")), r.events);
    assertEquals(1, r.limits.size(), "reported once per oversized line");
    assertEquals("1", r.limits.get(0).lastEventId());
    assertTrue(bufferLength(d, "line") <= 16 && bufferLength(d, "data") <= 256);
    assertEquals("3", d.lastEventId());
  }

  @Test
  void oversizedLineInsideOneChunkIsAlsoRejected() {
    Recorder r = new Recorder();
    SseDecoder d = SseDecoder.builder().maxLineLength(8).build(r);
    feed(d, "data: 123456789\n\ndata: ok\n\n");
    assertEquals(List.of(ServerSentEvent.message("ok")), r.events);
    assertEquals(SseLimitExceededException.Limit.LINE, r.limits.get(0).limit());
  }

  @Test
  void lineOfExactlyTheLimitIsAccepted() {
    Recorder r = new Recorder();
    SseDecoder d = SseDecoder.builder().maxLineLength(8).build(r);
    feed(d, "data: 12\n");
    feed(d, "data:");
    feed(d, "345\n\n");
    assertEquals(List.of(ServerSentEvent.message("12\n345")), r.events);
    assertEquals(List.of(), r.limits);
  }

  @Test
  void eventLargerThanTheLimitIsDroppedAndReported() throws Exception {
    Recorder r = new Recorder();
    SseDecoder d = SseDecoder.builder().maxEventSize(64).build(r);
    for (int i = 0; i < 1000; i++) feed(d, "data: 0123456789\n");
    feed(d, "\ndata: small\n\n");
    assertEquals(List.of(ServerSentEvent.message("small")), r.events);
    assertEquals(1, r.limits.size());
    assertEquals(SseLimitExceededException.Limit.EVENT, r.limits.get(0).limit());
    assertTrue(bufferLength(d, "data") <= 64);
  }

  @Test
  void eventSizeCountsTheDataWithTheLineFeedsBetweenItsLines() {
    Recorder r = new Recorder();
    SseDecoder d = SseDecoder.builder().maxEventSize(4).build(r);
    feed(d, "data: ab\ndata: c\n\n"); // "ab\nc" is 4 bytes: fits exactly
    feed(d, "data: abc\ndata: de\n\n"); // "abc\nde" is 6 bytes
    feed(d, "data: abcd\ndata:\n\n"); // "abcd\n" is 5 bytes
    feed(d, "data: abcd\n\n");
    assertEquals(List.of(ServerSentEvent.message("ab\nc"), ServerSentEvent.message("abcd")), r.events);
    assertEquals(2, r.limits.size());
  }

  @Test
  void droppedEventsIdStillBecomesTheLastEventId() {
    Recorder r = new Recorder();
    SseDecoder d = SseDecoder.builder().maxEventSize(4).build(r);
    feed(d, "id: 1\ndata: ok\n\nid: 2\ndata: too long\n\n");
    assertEquals("2", d.lastEventId(), "a reconnection must not ask for the oversized event again");
    assertEquals(List.of(ServerSentEvent.of("message", "ok", "1")), r.events);
  }

  @Test
  void afterAThrowingListenerEndOfStreamMakesTheDecoderUsableAgain() {
    List<ServerSentEvent> events = new java.util.ArrayList<>();
    SseDecoder d = SseDecoder.builder().maxLineLength(8).build(events::add);
    feed(d, "data: 12"); // the limit exactly, so far
    assertThrows(SseLimitExceededException.class, () -> feed(d, "3\n\ndata: lost\n\n"));
    d.endOfStream();
    feed(d, "data: a\n\n");
    assertThrows(SseLimitExceededException.class, () -> feed(d, "data: 123456\n\n"));
    d.endOfStream();
    feed(d, "data: b\n\n");
    assertEquals(List.of(ServerSentEvent.message("a"), ServerSentEvent.message("b")), events);
  }

  @Test
  void defaultListenerRethrowsTheExceptionFromFeed() {
    SseDecoder d = SseDecoder.builder().maxEventSize(4).build(e -> {});
    SseLimitExceededException e = assertThrows(SseLimitExceededException.class, () -> feed(d, "data: 12345\n"));
    assertEquals(SseLimitExceededException.Limit.EVENT, e.limit());
  }

  @Test
  void buffersShrinkAfterALargeEvent() throws Exception {
    Recorder r = new Recorder();
    SseDecoder d = new SseDecoder(r);
    byte[] big = ("data: " + "z".repeat(1_000_000) + "\n\n").getBytes(UTF_8);
    for (int i = 0; i < big.length; i += 4096) d.feed(big, i, Math.min(4096, big.length - i));
    assertEquals(1_000_000, r.events.get(0).data().length());
    assertTrue(bufferLength(d, "line") <= 128 * 1024, "line buffer released");
    assertTrue(bufferLength(d, "data") <= 128 * 1024, "data buffer released");
  }

  @Test
  void limitsMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> SseDecoder.builder().maxLineLength(0));
    assertThrows(IllegalArgumentException.class, () -> SseDecoder.builder().maxEventSize(-1));
  }

  @Test
  void listenerExceptionPropagates() {
    RuntimeException boom = new RuntimeException("boom");
    SseDecoder d = new SseDecoder(e -> {
      throw boom;
    });
    assertSame(boom, assertThrows(RuntimeException.class, () -> feed(d, "data: x\n\n")));
  }

  private static void feed(SseDecoder d, String s) {
    byte[] b = s.getBytes(UTF_8);
    d.feed(b, 0, b.length);
  }

  private static int bufferLength(SseDecoder d, String name) throws Exception {
    Field f = SseDecoder.class.getDeclaredField(name);
    f.setAccessible(true);
    return ((byte[]) f.get(d)).length;
  }
}
