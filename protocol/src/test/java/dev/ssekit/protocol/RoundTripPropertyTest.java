package dev.ssekit.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Properties over random events (fixed seeds, so failures reproduce): decoding what the encoder
 * wrote gives the events back, and no way of cutting the bytes into chunks changes the result.
 */
class RoundTripPropertyTest {
  private static final String[] PIECES = {
    "a", "b", "z", "0", "9", " ", "  ", ":", ": ", "data", "id", "event", "retry", "é", "€", "ж", "𝄞", "🎉",
    "\u00A0", "\uFEFF", "\t", "\u2028", "\uD800", "\uDC00", "\\n"
  };
  private static final String[] BREAKS = {"\n", "\r", "\r\n"};

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
  void decodeOfEncodeGivesTheEventsBackUnderEveryChunking(long seed) {
    Random random = new Random(seed);
    for (int round = 0; round < 40; round++) {
      List<ServerSentEvent> sent = new ArrayList<>();
      int count = 1 + random.nextInt(4);
      for (int i = 0; i < count; i++) sent.add(randomEvent(random));
      byte[] bytes = encodeAll(sent);
      List<ServerSentEvent> expected = expectedDecoding(sent);

      assertEquals(expected, Recorder.decode(bytes).events, () -> "whole stream " + sent);
      assertEquals(expected, byteByByte(bytes), "byte by byte");
      for (int cut = 0; cut <= bytes.length; cut++) {
        assertEquals(expected, Recorder.decodeSplit(bytes, cut).events, "cut at " + cut);
      }
      if (bytes.length <= 80) {
        for (int a = 0; a <= bytes.length; a++) {
          for (int b = a; b <= bytes.length; b++) {
            assertEquals(expected, Recorder.decodeSplit(bytes, a, b).events, "cuts at " + a + "," + b);
          }
        }
      }
      for (int split = 0; split < 20; split++) {
        int[] cuts = random.ints(random.nextInt(8), 0, bytes.length + 1).sorted().toArray();
        assertEquals(expected, Recorder.decodeSplit(bytes, cuts).events, "random cuts");
      }
    }
  }

  private static List<ServerSentEvent> byteByByte(byte[] bytes) {
    Recorder r = new Recorder();
    SseDecoder d = new SseDecoder(r);
    for (int i = 0; i < bytes.length; i++) d.feed(bytes, i, 1);
    d.endOfStream();
    return r.events;
  }

  private static byte[] encodeAll(List<ServerSentEvent> events) {
    SseEncoder encoder = new SseEncoder();
    events.forEach(encoder::event);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(encoder.toByteArray());
    return out.toByteArray();
  }

  /** What the spec says a receiver sees: LF line breaks, ids that persist, "" ids that reset. */
  private static List<ServerSentEvent> expectedDecoding(List<ServerSentEvent> sent) {
    List<ServerSentEvent> out = new ArrayList<>();
    String lastId = null;
    for (ServerSentEvent e : sent) {
      if (e.id() != null) lastId = e.id().isEmpty() ? null : e.id();
      String data = wellFormed(e.data()).replace("\r\n", "\n").replace('\r', '\n');
      out.add(ServerSentEvent.decoded(wellFormed(e.type()), data, lastId == null ? null : wellFormed(lastId), e.retry()));
    }
    return out;
  }

  /** The text UTF-8 can carry: unpaired surrogates become U+FFFD, as the encoder writes them. */
  private static String wellFormed(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        b.append(c).append(s.charAt(++i));
      } else {
        b.append(Character.isSurrogate(c) ? '\uFFFD' : c);
      }
    }
    return b.toString();
  }

  private static ServerSentEvent randomEvent(Random random) {
    String type = random.nextInt(3) == 0 ? ServerSentEvent.DEFAULT_TYPE : text(random, 1 + random.nextInt(4), false);
    String data = text(random, random.nextInt(8), true);
    ServerSentEvent e = ServerSentEvent.of(type, data);
    int idChoice = random.nextInt(4);
    if (idChoice == 1) e = e.withId("");
    if (idChoice >= 2) e = e.withId(text(random, 1 + random.nextInt(3), false));
    if (random.nextInt(4) == 0) e = e.withRetry(Duration.ofMillis(random.nextInt(100_000)));
    return e;
  }

  private static String text(Random random, int pieces, boolean withBreaks) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < pieces; i++) {
      if (withBreaks && random.nextInt(4) == 0) {
        b.append(BREAKS[random.nextInt(BREAKS.length)]);
      } else {
        b.append(PIECES[random.nextInt(PIECES.length)]);
      }
    }
    return b.toString();
  }
}
