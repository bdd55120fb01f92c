package dev.ssekit.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SseEncoderTest {

  private static String encode(ServerSentEvent e) {
    return new String(SseEncoder.encode(e), UTF_8);
  }

  @Test
  void fullEvent() {
    ServerSentEvent e = ServerSentEvent.of("tick", "hello", "42").withRetry(Duration.ofSeconds(3));
    assertEquals("id: 42\nevent: tick\nretry: 3000\ndata: hello\n\n", encode(e));
  }

  @Test
  void anEventEncodedWithoutIdGetsItsIdLaterAsTheSameFrame() {
    ServerSentEvent e = ServerSentEvent.of("tick", "a\nb").withRetry(Duration.ofSeconds(3));
    byte[] withoutId = SseEncoder.encode(e);
    String later = new SseEncoder().event("7.Ab3xYz", withoutId).toString();
    assertEquals(encode(ServerSentEvent.of("tick", "a\nb", "7.Ab3xYz").withRetry(Duration.ofSeconds(3))), later);
    assertThrows(IllegalArgumentException.class, () -> new SseEncoder().event("7\n", withoutId));
  }

  @Test
  void defaultTypeIsNotWritten() {
    assertEquals("data: x\n\n", encode(ServerSentEvent.message("x")));
  }

  @Test
  void heartbeatLooksLikeTheSeed() {
    assertEquals("event: heartbeat\ndata: 1764123456789\n\n", encode(ServerSentEvent.heartbeat(1764123456789L)));
  }

  @Test
  void everyLineBreakStartsANewDataLine() {
    assertEquals("data: a\ndata: b\ndata: c\ndata: d\n\n", encode(ServerSentEvent.message("a\nb\r\nc\rd")));
    assertEquals("data: a\ndata:\ndata:\n\n", encode(ServerSentEvent.message("a\n\r\n")));
    assertEquals("data:\n\n", encode(ServerSentEvent.message("")));
  }

  @Test
  void leadingSpaceOfAValueSurvives() {
    assertEquals("data:  x\n\n", encode(ServerSentEvent.message(" x")));
  }

  @Test
  void emptyIdIsWrittenSoReceiversResetTheirLastId() {
    assertEquals("id:\ndata: x\n\n", encode(ServerSentEvent.of("message", "x", "")));
  }

  @Test
  void utf8IncludingSurrogatePairsAndUnpairedSurrogates() {
    String text = "é€𝄞🎉ж";
    assertArrayEquals(("data: " + text + "\n\n").getBytes(UTF_8), SseEncoder.encode(ServerSentEvent.message(text)));
    assertEquals("data: a\uFFFDb\uFFFD\n\n", encode(ServerSentEvent.message("a\uD800b\uDC00")));
  }

  @Test
  void commentsAreSplitOnEveryLineBreak() {
    SseEncoder enc = new SseEncoder();
    enc.comment(new SseComment("one\r\ntwo\rthree")).comment(SseComment.KEEP_ALIVE);
    assertEquals(": one\n: two\n: three\n:\n", enc.toString());
  }

  @Test
  void retryFrame() {
    assertEquals("retry: 2500\n\n", new SseEncoder().retry(Duration.ofMillis(2500)).toString());
    assertThrows(IllegalArgumentException.class, () -> new SseEncoder().retry(Duration.ofMillis(-1)));
    NullPointerException npe = assertThrows(NullPointerException.class, () -> new SseEncoder().retry(null));
    assertEquals("retry", npe.getMessage());
  }

  @Test
  void idOnlyFrameSetsTheLastEventIdWithoutAnEvent() {
    byte[] frame = new SseEncoder().id("42").toByteArray();
    assertEquals("id: 42\n\n", new String(frame, UTF_8));
    Recorder r = Recorder.decode(frame);
    assertEquals(java.util.List.of(), r.events);
    assertThrows(IllegalArgumentException.class, () -> new SseEncoder().id("a\nb"));
  }

  @Test
  void reusableBufferAppendsAndResets() throws Exception {
    SseEncoder enc = new SseEncoder(4);
    enc.event(ServerSentEvent.message("a")).event(ServerSentEvent.message("b"));
    assertEquals("data: a\n\ndata: b\n\n", enc.toString());
    assertEquals(18, enc.size());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    enc.writeTo(out);
    assertEquals(enc.toString(), out.toString(UTF_8));
    ByteBuffer view = enc.asReadOnlyBuffer();
    assertEquals(18, view.remaining());
    enc.reset().event(ServerSentEvent.message("c"));
    assertEquals("data: c\n\n", enc.toString());
  }

  @Test
  void largeDataGrowsTheBuffer() {
    String big = "€".repeat(100_000);
    byte[] bytes = SseEncoder.encode(ServerSentEvent.message(big));
    assertEquals(big, Recorder.decode(bytes).events.get(0).data());
  }
}
