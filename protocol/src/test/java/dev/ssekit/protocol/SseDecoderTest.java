package dev.ssekit.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** One test per WHATWG parsing rule, with the edge cases other Java parsers get wrong. */
class SseDecoderTest {

  private static ServerSentEvent event(String type, String data, String id) {
    return ServerSentEvent.decoded(type, data, id, null);
  }

  @Nested
  class Lines {
    @Test
    void lfCrlfAndCrAllEndLines() {
      assertEquals(List.of(event("message", "a", null)), Recorder.decode("data: a\n\n").events);
      assertEquals(List.of(event("message", "a", null)), Recorder.decode("data: a\r\n\r\n").events);
      assertEquals(List.of(event("message", "a", null)), Recorder.decode("data: a\r\r").events);
    }

    @Test
    void crOnlyStreamWithSeveralFields() {
      Recorder r = Recorder.decode("id: 7\revent: tick\rdata: x\rdata: y\r\rdata: z\r\r");
      assertEquals(List.of(event("tick", "x\ny", "7"), event("message", "z", "7")), r.events);
    }

    @Test
    void loneCrAfterIdAndEventEndsTheLine() {
      // okhttp-sse treats "id: 1\r" followed by another field as one line; the spec does not.
      Recorder r = Recorder.decode("id: 1\revent: a\rdata: b\n\n");
      assertEquals(List.of(event("a", "b", "1")), r.events);
    }

    @Test
    void mixedLineEnds() {
      Recorder r = Recorder.decode("data: 1\r\ndata: 2\rdata: 3\n\r\n");
      assertEquals(List.of(event("message", "1\n2\n3", null)), r.events);
    }

    @Test
    void crlfSplitAcrossChunksIsOneLineEnd() {
      byte[] bytes = "data: a\r\n\r\ndata: b\r\n\r\n".getBytes(UTF_8);
      for (int cut = 0; cut <= bytes.length; cut++) {
        assertEquals(List.of(event("message", "a", null), event("message", "b", null)),
            Recorder.decodeSplit(bytes, cut).events, "cut at " + cut);
      }
    }

    @Test
    void crAtChunkEndFollowedByNonLfStartsANewLine() {
      Recorder r = Recorder.decodeSplit("data: a\r\rdata: b\n\n".getBytes(UTF_8), 8, 9);
      assertEquals(List.of(event("message", "a", null), event("message", "b", null)), r.events);
    }

    @Test
    void crFollowedByLfInLaterEmptyChunkIsStillOneLineEnd() {
      Recorder r = new Recorder();
      SseDecoder d = new SseDecoder(r);
      feed(d, "data: a\r");
      d.feed(new byte[0], 0, 0);
      feed(d, "\ndata: b\n\n");
      d.endOfStream();
      assertEquals(List.of(event("message", "a\nb", null)), r.events);
    }
  }

  @Nested
  class ByteOrderMark {
    private final byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    @Test
    void oneLeadingBomIsIgnored() {
      byte[] stream = concat(bom, "data: first\n\n".getBytes(UTF_8));
      assertEquals(List.of(event("message", "first", null)), Recorder.decode(stream).events);
    }

    @Test
    void leadingBomSplitAcrossChunksIsIgnored() {
      byte[] stream = concat(bom, "data: first\n\n".getBytes(UTF_8));
      for (int a = 0; a <= 4; a++) {
        for (int b = a; b <= 4; b++) {
          assertEquals(List.of(event("message", "first", null)), Recorder.decodeSplit(stream, a, b).events,
              "cuts " + a + "," + b);
        }
      }
    }

    @Test
    void secondBomIsKeptAsData() {
      byte[] stream = concat(bom, bom, "data: x\n\n".getBytes(UTF_8));
      // The second BOM starts the first line, so the field name is "\uFEFFdata": an unknown field.
      assertEquals(List.of(), Recorder.decode(stream).events);
      byte[] inData = concat(bom, "data: ".getBytes(UTF_8), bom, "x\n\n".getBytes(UTF_8));
      assertEquals(List.of(event("message", "\uFEFFx", null)), Recorder.decode(inData).events);
    }

    @Test
    void bomOnlyAtTheVeryStart() {
      byte[] stream = concat("data: a\n\n".getBytes(UTF_8), bom, "data: b\n\n".getBytes(UTF_8));
      assertEquals(List.of(event("message", "a", null)), Recorder.decode(stream).events);
    }

    @Test
    void partialBomIsContent() {
      byte[] stream = concat(new byte[] {(byte) 0xEF, (byte) 0xBB}, ":c\ndata: x\n\n".getBytes(UTF_8));
      Recorder r = Recorder.decodeSplit(stream, 1);
      assertEquals(List.of(event("message", "x", null)), r.events);
      assertEquals(List.of(), r.comments, "EF BB is not a BOM, so the first line is not a comment");
    }

    @Test
    void eachNewStreamMayStartWithABom() {
      Recorder r = new Recorder();
      SseDecoder d = new SseDecoder(r);
      byte[] stream = concat(bom, "data: x\n\n".getBytes(UTF_8));
      d.feed(stream, 0, stream.length);
      d.endOfStream();
      d.feed(stream, 0, stream.length);
      assertEquals(2, r.events.size());
    }
  }

  @Nested
  class Fields {
    @Test
    void commentLinesAreReportedWithOneLeadingSpaceRemoved() {
      Recorder r = Recorder.decode(":hi\n:  two spaces\n:\ndata: x\n\n");
      assertEquals(List.of("hi", " two spaces", ""), r.comments);
      assertEquals(1, r.events.size());
    }

    @Test
    void commentsCanBeSkippedWithoutTouchingEventsOrTheirOrder() {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      bytes.writeBytes(":keep-alive\nid: 1\n: not UTF-8 ".getBytes(UTF_8));
      bytes.write(0xFF); // in a skipped comment: nobody hears of it
      bytes.writeBytes("\ndata: a\n\n:\ndata: b\n\n".getBytes(UTF_8));
      byte[] stream = bytes.toByteArray();
      Recorder r = new Recorder();
      SseDecoder decoder = SseDecoder.builder().reportComments(false).build(r);
      decoder.feed(stream, 0, stream.length);
      assertEquals(List.of("event:" + event("message", "a", "1"), "event:" + event("message", "b", "1")), r.log);
    }

    @Test
    void onlyOneLeadingSpaceOfAValueIsRemoved() {
      assertEquals("  x", Recorder.decode("data:   x\n\n").events.get(0).data());
      assertEquals("x", Recorder.decode("data:x\n\n").events.get(0).data());
    }

    @Test
    void valueMayContainColons() {
      ServerSentEvent e = Recorder.decode("event: a:b\ndata: http://x:1/y\nid: 1:2\n\n").events.get(0);
      assertEquals(event("a:b", "http://x:1/y", "1:2"), e);
    }

    @Test
    void dataWithoutColonAppendsAnEmptyLine() {
      assertEquals(List.of(event("message", "", null)), Recorder.decode("data\n\n").events);
      assertEquals(List.of(event("message", "\n", null)), Recorder.decode("data\ndata\n\n").events);
      assertEquals(List.of(event("message", "a\n", null)), Recorder.decode("data: a\ndata\n\n").events);
    }

    @Test
    void fieldNamesAreCaseSensitive() {
      Recorder r = Recorder.decode("Data: a\nDATA: b\nEvent: x\nID: 3\nRetry: 5\ndata: c\n\n");
      assertEquals(List.of(event("message", "c", null)), r.events);
      assertEquals(List.of(), r.retries);
    }

    @Test
    void unknownFieldsAndNearMissesAreIgnored() {
      Recorder r = Recorder.decode("foo: bar\ndat: x\ndatas: y\nevents: z\nidx: 1\ni: 2\nretr: 3\ndata: ok\n\n");
      assertEquals(List.of(event("message", "ok", null)), r.events);
    }

    @Test
    void spaceBeforeColonIsPartOfTheName() {
      assertEquals(List.of(), Recorder.decode("data : x\n\n").events);
    }

    @Test
    void eventSetsTypeForOneEventOnly() {
      Recorder r = Recorder.decode("event: a\ndata: 1\n\ndata: 2\n\n");
      assertEquals(List.of(event("a", "1", null), event("message", "2", null)), r.events);
    }

    @Test
    void emptyEventFieldMeansMessage() {
      assertEquals(List.of(event("message", "1", null)), Recorder.decode("event: a\nevent\ndata: 1\n\n").events);
      assertEquals(List.of(event("message", "1", null)), Recorder.decode("event:\ndata: 1\n\n").events);
    }

    @Test
    void eventTypeMayContainNul() {
      assertEquals("a\0b", Recorder.decode("event: a\0b\ndata: 1\n\n").events.get(0).type());
    }

    @Test
    void lastFieldWins() {
      assertEquals(event("b", "1", "y"), Recorder.decode("event: a\nid: x\nevent: b\nid: y\ndata: 1\n\n").events.get(0));
    }
  }

  @Nested
  class Ids {
    @Test
    void idPersistsAcrossEvents() {
      Recorder r = Recorder.decode("id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\n");
      assertEquals(List.of(event("message", "a", "1"), event("message", "b", "1"), event("message", "c", "2")), r.events);
    }

    @Test
    void idWithNulIsIgnored() {
      Recorder r = Recorder.decode("id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n");
      assertEquals(List.of(event("message", "a", "1"), event("message", "b", "1")), r.events);
    }

    @Test
    void emptyIdResetsTheLastEventId() {
      Recorder r = Recorder.decode("id: 1\ndata: a\n\nid\ndata: b\n\nid: 2\ndata: c\n\nid:\ndata: d\n\n");
      assertEquals(List.of(event("message", "a", "1"), event("message", "b", null), event("message", "c", "2"),
          event("message", "d", null)), r.events);
    }

    @Test
    void idOnlyBlockSetsTheLastEventIdWithoutAnEvent() {
      Recorder r = new Recorder();
      SseDecoder d = new SseDecoder(r);
      feed(d, "id: 5\n\n");
      assertEquals(List.of(), r.events);
      assertEquals("5", d.lastEventId());
      feed(d, "data: x\n\n");
      assertEquals(List.of(event("message", "x", "5")), r.events);
    }

    @Test
    void idBecomesLastEventIdOnlyAtTheBlankLine() {
      Recorder r = new Recorder();
      SseDecoder d = new SseDecoder(r);
      feed(d, "id: 1\ndata: a\n\nid: 2\ndata: b\n");
      assertEquals("1", d.lastEventId());
      d.endOfStream(); // the event with id 2 never completed
      assertEquals("1", d.lastEventId());
      feed(d, "data: c\n\n");
      assertEquals(List.of(event("message", "a", "1"), event("message", "c", "1")), r.events,
          "a new stream continues from the last dispatched id, not the abandoned id buffer");
    }

    @Test
    void startsFromAGivenLastEventId() {
      Recorder r = new Recorder();
      SseDecoder d = SseDecoder.builder().lastEventId("41").build(r);
      feed(d, "data: x\n\n");
      assertEquals(List.of(event("message", "x", "41")), r.events);
    }

    @Test
    void utf8Id() {
      assertEquals("ключ-🔑", Recorder.decode("id: ключ-🔑\ndata: x\n\n").events.get(0).id());
    }
  }

  @Nested
  class Retry {
    @Test
    void digitsSetTheReconnectionTime() {
      Recorder r = Recorder.decode("retry: 3000\n\n");
      assertEquals(List.of(Duration.ofMillis(3000)), r.retries);
      assertEquals(List.of(), r.events);
    }

    @Test
    void retryIsAttachedToTheEventOfItsBlock() {
      Recorder r = Recorder.decode("retry: 10\ndata: a\n\ndata: b\n\n");
      assertEquals(Duration.ofMillis(10), r.events.get(0).retry());
      assertNull(r.events.get(1).retry());
    }

    @Test
    void nonDigitsAreIgnored() {
      Recorder r = Recorder.decode("retry: 12a\nretry: -5\nretry: 1.5\nretry:  7\nretry: +3\nretry:\nretry\nretry: ٣\n\n");
      assertEquals(List.of(), r.retries);
    }

    @Test
    void tooLargeIsClampedNotAnError() {
      Recorder r = Recorder.decode("retry: 99999999999999999999\nretry: 9223372036854775807\nretry: 9223372036854775808\n\n");
      assertEquals(List.of(Duration.ofMillis(Long.MAX_VALUE), Duration.ofMillis(Long.MAX_VALUE),
          Duration.ofMillis(Long.MAX_VALUE)), r.retries);
    }

    @Test
    void zeroAndLeadingZeros() {
      assertEquals(List.of(Duration.ZERO, Duration.ofMillis(7)), Recorder.decode("retry: 0\nretry: 007\n\n").retries);
    }
  }

  @Nested
  class Dispatch {
    @Test
    void noEventWithoutData() {
      Recorder r = Recorder.decode("event: x\n\nid: 1\n\n\n\n:c\n\n");
      assertEquals(List.of(), r.events);
    }

    @Test
    void typeIsResetWhenNothingIsDispatched() {
      Recorder r = Recorder.decode("event: x\n\ndata: a\n\n");
      assertEquals(List.of(event("message", "a", null)), r.events);
    }

    @Test
    void oneTrailingLfIsRemoved() {
      assertEquals("a\nb", Recorder.decode("data: a\ndata: b\n\n").events.get(0).data());
      assertEquals("\n", Recorder.decode("data:\ndata:\n\n").events.get(0).data());
    }

    @Test
    void incompleteEventAtEndOfStreamIsDiscarded() {
      assertEquals(List.of(), Recorder.decode("data: a\n").events);
      assertEquals(List.of(), Recorder.decode("data: a").events);
      assertEquals(List.of(), Recorder.decode("data: a\r").events, "the CR ends the line, but no blank line follows");
      assertEquals(List.of(event("message", "a", null)), Recorder.decode("data: a\n\ndata: b\n").events);
    }

    @Test
    void endOfStreamInTheMiddleOfALineDiscardsIt() {
      Recorder r = new Recorder();
      SseDecoder d = new SseDecoder(r);
      feed(d, "data: a\n\ndata: b");
      d.endOfStream();
      feed(d, "\n\n"); // a new stream: the blank line must not complete the old partial line
      assertEquals(List.of(event("message", "a", null)), r.events);
    }

    @Test
    void eventsComeInStreamOrderWithCommentsAndRetries() {
      Recorder r = Recorder.decode(": hello\nretry: 5\ndata: a\n\n: bye\n");
      assertEquals(List.of("comment:hello", "retry:5", "event:" + event("message", "a", null).withRetry(Duration.ofMillis(5)),
          "comment:bye"), r.log);
    }
  }

  @Nested
  class Utf8 {
    @Test
    void multiByteCharactersSplitAcrossChunks() {
      String text = "é€𝄞 ünïcödé 🎉";
      byte[] bytes = ("event: ✓\ndata: " + text + "\n\n").getBytes(UTF_8);
      for (int cut = 0; cut <= bytes.length; cut++) {
        assertEquals(List.of(event("✓", text, null)), Recorder.decodeSplit(bytes, cut).events, "cut at " + cut);
      }
    }

    @Test
    void malformedBytesBecomeReplacementCharacters() {
      byte[] stream = concat("data: a".getBytes(UTF_8), new byte[] {(byte) 0xFF, (byte) 0xC3, 'b', (byte) 0xE2, (byte) 0x82},
          "\n\n".getBytes(UTF_8));
      assertEquals("a\uFFFD\uFFFDb\uFFFD", Recorder.decode(stream).events.get(0).data());
    }

    @Test
    void truncatedSequenceBeforeALineEndIsOneReplacement() {
      byte[] stream = concat("data: ".getBytes(UTF_8), new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x8E},
          "\ndata: x\n\n".getBytes(UTF_8));
      assertEquals("\uFFFD\nx", Recorder.decode(stream).events.get(0).data());
    }

    @Test
    void malformedBytesAreReportedBeforeWhatCarriesThemButAnEncodedReplacementIsNot() {
      byte[] stream = concat("data: ok \uFFFD\n\n: c".getBytes(UTF_8), new byte[] {(byte) 0xFF},
          "\nid: 1".getBytes(UTF_8), new byte[] {(byte) 0xC3}, "\ndata: a".getBytes(UTF_8), new byte[] {(byte) 0x80, (byte) 0x80},
          "\n\n".getBytes(UTF_8));
      Recorder r = Recorder.decode(stream);
      assertEquals(List.of("event:" + ServerSentEvent.message("ok \uFFFD"), "malformed", "comment:c\uFFFD", "malformed",
          "malformed", "event:" + event("message", "a\uFFFD\uFFFD", "1\uFFFD")), r.log);
    }

    @Test
    void encodedSurrogatesAndOverlongFormsAreMalformed() {
      byte[] surrogate = {(byte) 0xED, (byte) 0xA0, (byte) 0x80};
      byte[] overlong = {(byte) 0xC0, (byte) 0xAF};
      assertEquals("\uFFFD\uFFFD\uFFFD", Recorder.decode(concat("data: ".getBytes(UTF_8), surrogate, "\n\n".getBytes(UTF_8)))
          .events.get(0).data());
      assertEquals("\uFFFD\uFFFD", Recorder.decode(concat("data: ".getBytes(UTF_8), overlong, "\n\n".getBytes(UTF_8)))
          .events.get(0).data());
    }
  }

  @Nested
  class Input {
    @Test
    void byteBufferInputHeapAndDirect() {
      byte[] bytes = "id: 1\ndata: x\n\n".getBytes(UTF_8);
      for (ByteBuffer buffer : List.of(ByteBuffer.wrap(bytes), ByteBuffer.allocateDirect(bytes.length).put(bytes).flip(),
          ByteBuffer.wrap(bytes).asReadOnlyBuffer())) {
        Recorder r = new Recorder();
        new SseDecoder(r).feed(buffer);
        assertEquals(List.of(event("message", "x", "1")), r.events);
        assertEquals(0, buffer.remaining());
      }
    }

    @Test
    void sliceOfALargerArray() {
      byte[] bytes = "XXXXdata: in\n\nYYYY".getBytes(UTF_8);
      Recorder r = new Recorder();
      new SseDecoder(r).feed(bytes, 4, 10);
      assertEquals(List.of(event("message", "in", null)), r.events);
    }

    @Test
    void aDataLineSurvivesTheCallerReusingItsArrayBeforeTheEventEnds() {
      // Single data lines are decoded where they lie; one still open when feed returns must not.
      Recorder r = new Recorder();
      SseDecoder d = new SseDecoder(r);
      byte[] buffer = "data: first\n".getBytes(UTF_8);
      d.feed(buffer, 0, buffer.length);
      java.util.Arrays.fill(buffer, (byte) 'Z');
      System.arraycopy("\n".getBytes(UTF_8), 0, buffer, 0, 1);
      d.feed(buffer, 0, 1);
      byte[] two = "data: a\n".getBytes(UTF_8);
      d.feed(two, 0, two.length);
      java.util.Arrays.fill(two, (byte) 'Z');
      feed(d, "data: b\n\n");
      assertEquals(List.of(event("message", "first", null), event("message", "a\nb", null)), r.events);
    }

    @Test
    void badSliceIsRejected() {
      SseDecoder d = new SseDecoder(e -> {});
      assertThrows(IndexOutOfBoundsException.class, () -> d.feed(new byte[4], 2, 3));
    }

    @Test
    void largeStreamFedByteByByte() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      SseEncoder encoder = new SseEncoder();
      for (int i = 0; i < 200; i++) {
        encoder.reset().event(ServerSentEvent.of("t" + (i % 3), "line " + i + "\nsecond", Integer.toString(i)));
        out.writeBytes(encoder.toByteArray());
      }
      byte[] bytes = out.toByteArray();
      Recorder r = new Recorder();
      SseDecoder d = new SseDecoder(r);
      for (int i = 0; i < bytes.length; i++) d.feed(bytes, i, 1);
      assertEquals(200, r.events.size());
      assertEquals(ServerSentEvent.of("t1", "line 199\nsecond", "199"), r.events.get(199));
      assertTrue(r.events.stream().allMatch(e -> e.retry() == null));
    }
  }

  static void feed(SseDecoder d, String s) {
    byte[] b = s.getBytes(UTF_8);
    d.feed(b, 0, b.length);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) out.writeBytes(p);
    return out.toByteArray();
  }
}
